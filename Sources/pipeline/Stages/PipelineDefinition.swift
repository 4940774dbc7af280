import Core
import Ingest

/// A manifest turned into runnable stages: settings resolved, every section decoded and validated
/// once, every path absolute, every external input checked to exist.
///
/// Stage outputs have fixed places under the workdir (the contract every stage reads and writes):
/// `synth/` (when `[synth]` is present), `ingest/`, `graph/graph.accfgraph`, `train/`, and the
/// export file (`[export] path`, default `export/recommendations.sqlite`).
struct PipelineDefinition {
    let manifest: Manifest
    let settings: PipelineSettings
    let stages: [PipelineStage]

    static func load(path: String) throws -> PipelineDefinition {
        let manifest = try Manifest.load(path: path)
        return try PipelineDefinition(manifest: manifest)
    }

    init(manifest: Manifest) throws {
        self.manifest = manifest
        settings = try manifest.decode(PipelineSettings.self, section: "pipeline").resolved(in: manifest)
        stages = try StageBindings.stages(manifest: manifest, settings: settings)
        // Inputs no stage writes must exist before anything runs (a typo fails in a second, not after synth).
        let produced = stages.flatMap(\.outputs)
        for stage in stages {
            for input in stage.inputs where !FilePath.exists(input)
                && !produced.contains(where: { input == $0 || input.hasPrefix($0 + "/") }) {
                throw AccfError.missingInput(input, hint: "stage \(stage.name) reads it (see \(manifest.path)); fix the path in the manifest")
            }
        }
    }

    /// The standard output locations under a workdir.
    enum Layout {
        static func ingest(_ workdir: String) -> String { FilePath.join(workdir, "ingest") }
        static func graph(_ workdir: String) -> String { FilePath.join(workdir, "graph/graph.accfgraph") }
        static func train(_ workdir: String) -> String { FilePath.join(workdir, "train") }
        static func export(_ workdir: String) -> String { FilePath.join(workdir, "export/recommendations.sqlite") }
    }

    func runner(logger: Logging.Logger) -> PipelineRunner {
        PipelineRunner(pipelineName: settings.name, workdir: settings.workdir, stages: stages, logger: logger,
                       prometheusPath: settings.prometheusTextfile)
    }
}

import Logging
