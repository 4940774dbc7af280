import Core
import Ingest

/// The `[ingest]` section as a pipeline stage: `IngestConfig` → `IngestStage.run` → `<workdir>/ingest/`.
struct IngestPipelineStage: PipelineStage {
    let config: IngestConfig
    let output: String

    var name: String { "ingest" }
    var inputs: [String] { config.inputs + config.testInputs }
    var parameters: String { CanonicalParameters.of(config) }
    var outputs: [String] { [output] }

    func run(_ context: StageContext) throws -> StageOutcome {
        let report = try IngestStage.run(config: config, output: output, logger: context.logger)
        return StageOutcome(counts: ["lines_read": Double(report.linesRead), "lines_malformed": Double(report.linesMalformed),
                                    "users": Double(report.users), "items": Double(report.items),
                                    "interactions": Double(report.interactions)])
    }

    /// Decodes and validates `[ingest]`; paths resolve against the manifest's folder; with a
    /// `[synth]` stage and no `inputs`, ingest reads the synthetic log.
    static func make(manifest: Manifest, workdir: String, synthOutput: String?) throws -> IngestPipelineStage {
        var config = try manifest.decode(IngestConfig.self, section: "ingest")
        config.inputs = config.inputs.map(manifest.resolve)
        config.testInputs = config.testInputs.map(manifest.resolve)
        if config.inputs.isEmpty, let synthOutput { config.inputs = [synthOutput] }
        if config.inputs.isEmpty {
            throw manifest.error(at: ["ingest"], "ingest.inputs is empty", hint: "list the raw log files, e.g. inputs = [\"../data/log.csv.zst\"]")
        }
        try StageBindings.validated(manifest, "ingest") { try config.validate() }
        for path in config.inputs where path != synthOutput { try manifest.requireExisting(path, key: "ingest.inputs") }
        for path in config.testInputs { try manifest.requireExisting(path, key: "ingest.test_inputs") }
        return IngestPipelineStage(config: config, output: PipelineDefinition.Layout.ingest(workdir))
    }
}
