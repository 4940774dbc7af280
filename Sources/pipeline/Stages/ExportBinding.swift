import Core
import Export
import Ingest
import Train

/// The `[export]` section as a pipeline stage: the trained model and the id dictionaries into
/// one SQLite file (`destination`, default `<workdir>/export/recommendations.sqlite`).
///
/// Its inputs are the ingest directory and the model file (not the whole train directory), so a
/// train re-run that ends with the same model bytes does not re-export. `manifest_hash` and
/// `run_id` are filled at run time and left out of the parameters: editing a comment in the
/// manifest must not re-run the export.
struct ExportPipelineStage: PipelineStage {
    let config: ExportConfig
    let ingestDirectory: String
    let modelPath: String
    let destination: String
    let manifestHash: String

    var name: String { "export" }
    var inputs: [String] { [ingestDirectory, modelPath] + (config.usersFile.map { [$0] } ?? []) }
    var parameters: String { CanonicalParameters.of(config) }
    var outputs: [String] { [destination] }

    func run(_ context: StageContext) throws -> StageOutcome {
        var runConfig = config
        runConfig.manifestHash = manifestHash
        try FilePath.createDirectories(FilePath.directory(of: destination))
        let report = try ExportStage.run(config: runConfig, ingestDirectory: ingestDirectory, modelPath: modelPath,
                                         destination: destination, logger: context.logger)
        let query = "SELECT user_id, rank, item_id, round(score, 4) AS score FROM user_recommendations "
            + "WHERE user_id = (SELECT external_id FROM users ORDER BY user_index LIMIT 1) ORDER BY rank LIMIT 10;"
        return StageOutcome(counts: ["users": Double(report.users), "items": Double(report.items),
                                    "recommendation_rows": Double(report.recommendationRows), "bytes": Double(report.fileBytes)],
                            notes: ["recommendations: \(destination)",
                                    "try: sqlite3 -readonly \(destination) \"\(query)\""])
    }

    static func make(manifest: Manifest, workdir: String) throws -> ExportPipelineStage {
        var config = try manifest.decode(ExportConfig.self, section: "export")
        config.usersFile = config.usersFile.map(manifest.resolve)
        let destination = config.destination.map(manifest.resolve) ?? PipelineDefinition.Layout.export(workdir)
        config.destination = destination
        try StageBindings.validated(manifest, "export") { try config.validate() }
        if let usersFile = config.usersFile { try manifest.requireExisting(usersFile, key: "export.users_file") }
        return ExportPipelineStage(config: config, ingestDirectory: PipelineDefinition.Layout.ingest(workdir),
                                   modelPath: FilePath.join(PipelineDefinition.Layout.train(workdir), "model.accfmodel"),
                                   destination: destination, manifestHash: ContentHash.hex(manifest.contentHash))
    }
}
