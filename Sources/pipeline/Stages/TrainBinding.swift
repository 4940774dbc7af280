import Core
import Graph
import Train

/// The `[train]` section as a pipeline stage: `TrainConfig` → `TrainStage.run` → `<workdir>/train/`.
///
/// Resume is the train stage's own (checkpoints in `<workdir>/train/checkpoints`); the runner
/// only decides whether resuming is allowed: after an interrupted or failed attempt with the same
/// parameters and inputs it is (`restart: false`), after any change training starts over
/// (`restart: true`), since the train stage refuses checkpoints of another config.
struct TrainPipelineStage: PipelineStage {
    let config: TrainConfig
    let ingestDirectory: String
    /// The graph stage's file; nil when the pipeline has no graph stage (train builds it in memory).
    let graphPath: String?
    let output: String

    var name: String { "train" }
    var inputs: [String] { [ingestDirectory] + (graphPath.map { [$0] } ?? []) }
    var parameters: String { CanonicalParameters.of(config) }
    var outputs: [String] { [output] }

    func run(_ context: StageContext) throws -> StageOutcome {
        let graph = try graphPath.map { try GraphFile.read(path: $0) }
        let data = try TrainingData.load(ingestDirectory: ingestDirectory, graph: graph)
        let report = try TrainStage.run(config: config, data: data, outputDirectory: output,
                                        options: TrainOptions(restart: !context.resumable, showProgress: false),
                                        logger: context.logger)
        var counts: [String: Double] = ["epochs": Double(report.epochs), "best_epoch": Double(report.bestEpoch),
                                        "seconds_per_epoch": report.secondsPerEpoch]
        if let step = report.resumedFromStep { counts["resumed_from_step"] = Double(step) }
        var metrics = ["valid_\(config.metric)": report.bestValidMetric]
        for (key, value) in report.testMetrics { metrics["test_\(key)"] = value }
        return StageOutcome(counts: counts, metrics: metrics)
    }

    static func make(manifest: Manifest, workdir: String, hasGraphStage: Bool) throws -> TrainPipelineStage {
        let config = try manifest.decode(TrainConfig.self, section: "train")
        try StageBindings.validated(manifest, "train") { try config.validate() }
        return TrainPipelineStage(config: config, ingestDirectory: PipelineDefinition.Layout.ingest(workdir),
                                  graphPath: hasGraphStage ? PipelineDefinition.Layout.graph(workdir) : nil,
                                  output: PipelineDefinition.Layout.train(workdir))
    }
}
