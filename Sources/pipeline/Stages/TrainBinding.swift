import Core
import Foundation
import Graph
import Train

/// The `[train]` section as a pipeline stage: `TrainConfig` → `TrainStage.run` → `<workdir>/train/`.
///
/// Resume is the train stage's own (checkpoints in `<workdir>/train/checkpoints`); the runner
/// only decides whether resuming is allowed: after an interrupted or failed attempt with the same
/// parameters and inputs it is (`restart: false`), and so it is after a change that `continues`
/// the earlier attempt (a raised `max_epochs`: hours of yelp2018 epochs are not thrown away);
/// after any other change training starts over (`restart: true`), since the train stage refuses
/// checkpoints of another config.
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

    /// Continuing the earlier attempt gives a fresh run's bytes when every key that shapes the
    /// trajectory is unchanged (`trajectoryHash`: not `threads`, `checkpoint_every_steps`,
    /// `keep_checkpoints`, `max_epochs`), `max_epochs` did not shrink, and the earlier attempt
    /// made no evaluation a longer run would not make: the trainer also validates at epoch
    /// `max_epochs`, so the old bound must be a multiple of `eval_every`, unless the earlier run
    /// stopped early (then a longer bound stops at the same epoch) or the bound is unchanged.
    func continues(_ previous: StageRecord) -> Bool {
        guard let old = try? JSONDecoder().decode(TrainConfig.self, from: Data(previous.parameters.utf8)),
              old.trajectoryHash == config.trajectoryHash, config.maxEpochs >= old.maxEpochs else { return false }
        if config.maxEpochs == old.maxEpochs || old.maxEpochs % config.evalEvery == 0 { return true }
        guard previous.status == .finished, let epochs = previous.counts["epochs"] else { return false }
        return epochs < Double(old.maxEpochs)
    }

    static func make(manifest: Manifest, workdir: String, hasGraphStage: Bool) throws -> TrainPipelineStage {
        let config = try manifest.decode(TrainConfig.self, section: "train")
        try StageBindings.validated(manifest, "train") { try config.validate() }
        return TrainPipelineStage(config: config, ingestDirectory: PipelineDefinition.Layout.ingest(workdir),
                                  graphPath: hasGraphStage ? PipelineDefinition.Layout.graph(workdir) : nil,
                                  output: PipelineDefinition.Layout.train(workdir))
    }
}
