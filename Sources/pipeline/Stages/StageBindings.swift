import Core
import Ingest

/// Builds the pipeline's stages from the manifest's sections, in pipeline order.
///
/// One place decides how a section becomes a stage: which config type decodes it, which keys are
/// paths (resolved against the manifest's folder), what the stage reads and writes. The real
/// stage libraries' configs plug in here as their branches land (see `docs/manifest.md`).
enum StageBindings {
    static func stages(manifest: Manifest, settings: PipelineSettings) throws -> [PipelineStage] {
        var stages: [PipelineStage] = []
        if manifest.has("synth") {
            let section = try manifest.decode(SynthSection.self, section: "synth")
            try validated(manifest, "synth") { try section.config.validate() }
            let output = section.output.isEmpty
                ? FilePath.join(settings.workdir, "synth/" + SynthSection.defaultFileName(section.config.format))
                : manifest.resolve(section.output)
            stages.append(SynthStage(config: section.config, output: output))
        }
        let synthOutput = stages.last?.outputs.first
        if manifest.has("ingest") {
            stages.append(try IngestPipelineStage.make(manifest: manifest, workdir: settings.workdir, synthOutput: synthOutput))
        }
        let hasGraphStage = manifest.has("graph")
        if hasGraphStage { stages.append(try GraphPipelineStage.make(manifest: manifest, workdir: settings.workdir)) }
        if manifest.has("train") {
            stages.append(try TrainPipelineStage.make(manifest: manifest, workdir: settings.workdir, hasGraphStage: hasGraphStage))
        }
        if manifest.has("export") {
            stages.append(try ExportPipelineStage.make(manifest: manifest, workdir: settings.workdir))
        }
        try requireUpstream(stages, manifest: manifest)
        return stages
    }

    /// A stage needs the stages before it (export without train has no model to read).
    private static func requireUpstream(_ stages: [PipelineStage], manifest: Manifest) throws {
        let names = stages.map(\.name)
        let needs = ["graph": ["ingest"], "train": ["ingest"], "export": ["ingest", "train"]]
        for name in names {
            for required in needs[name] ?? [] where !names.contains(required) {
                throw manifest.error(at: [name], "[\(name)] needs a [\(required)] section",
                                     hint: "a pipeline is synth (optional) → ingest → graph → train → export")
            }
        }
    }

    /// Runs a config's `validate()`, adding the manifest file (and the key's line, when the
    /// message starts with a key the section has) to its usage error.
    static func validated(_ manifest: Manifest, _ section: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as AccfError {
            let words = error.message.split(whereSeparator: { " :/,`=.()".contains($0) })
            let key = words.first { manifest.line(of: "\(section).\($0)") != manifest.line(of: section) }
            let location = key.map { manifest.location(of: "\(section).\($0)") } ?? manifest.location(of: section)
            throw AccfError(error.status, "\(location): \(error.message)", hint: error.hint)
        }
    }
}
