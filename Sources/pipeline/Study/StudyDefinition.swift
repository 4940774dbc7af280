import Core
import Graph
import Ingest
import Logging
import Train

/// A study manifest turned into runnable pipeline stages: one ingest and one graph stage per data
/// variant, one train stage per cell, all run by the ordinary `PipelineRunner`.
///
/// Why the pipeline runner and not a loop of our own: it already decides what is up to date from
/// parameters, input and output content hashes and the accf version, records every stage in the
/// state file before and after it runs, takes the workdir lock, and lets an interrupted training
/// resume from its checkpoint. A study is a long pipeline with uniquely named stages
/// ("train:clean/accf/s1"), so killing it and running it again redoes nothing that finished.
struct StudyDefinition {
    /// The sections a study manifest may have.
    static let sections = ["study", "ingest", "graph", "train"]

    let manifest: Manifest
    let settings: StudySettings
    let grid: StudyGrid
    let ingest: IngestConfig
    let graph: GraphConfig
    let train: TrainConfig
    /// `[train]` with each model's `[study.train.<model>]` overrides (e.g. a longer budget for the
    /// models that dip before they learn); models without overrides map to `train`.
    let trainByModel: [String: TrainConfig]
    /// The overrides as written, "key value" per model, for the report.
    let trainOverrides: [String: [String]]
    let stages: [PipelineStage]

    static func load(path: String) throws -> StudyDefinition {
        try StudyDefinition(manifest: Manifest.load(path: path, sections: sections))
    }

    init(manifest: Manifest) throws {
        self.manifest = manifest
        var s = try manifest.decode(StudySettings.self, section: "study")
        try StageBindings.validated(manifest, "study") { try s.validate() }
        if s.name.isEmpty {
            let file = FilePath.lastComponent(of: manifest.path)
            s.name = file.hasSuffix(".toml") ? String(file.dropLast(5)) : file
        }
        s.workdir = manifest.resolve(s.workdir.isEmpty ? "runs/\(s.name)" : s.workdir)
        s.reportDir = s.reportDir.isEmpty ? FilePath.join(s.workdir, "report") : manifest.resolve(s.reportDir)
        settings = s
        grid = StudyGrid(settings: s)

        var ingest = try manifest.decode(IngestConfig.self, section: "ingest")
        ingest.inputs = ingest.inputs.map(manifest.resolve)
        ingest.testInputs = ingest.testInputs.map(manifest.resolve)
        if ingest.inputs.isEmpty {
            throw manifest.error(at: ["ingest"], "ingest.inputs is empty", hint: "list the raw log files")
        }
        if ingest.coldStartTrainFraction != nil || ingest.noiseFraction != 0 {
            throw manifest.error(at: ["ingest"], "a study sets cold_start_train_fraction and noise_fraction per data variant",
                                 hint: "remove them from [ingest]; size [study.cold_start] and [study.noise] instead")
        }
        try StageBindings.validated(manifest, "ingest") { try ingest.validate() }
        for path in ingest.inputs { try manifest.requireExisting(path, key: "ingest.inputs") }
        for path in ingest.testInputs { try manifest.requireExisting(path, key: "ingest.test_inputs") }
        self.ingest = ingest

        graph = try manifest.decode(GraphConfig.self, section: "graph")
        let graphConfig = graph
        try StageBindings.validated(manifest, "graph") { try graphConfig.validate() }

        train = try manifest.decode(TrainConfig.self, section: "train")
        if !train.modelOptions.values.isEmpty {
            throw manifest.error(at: ["train", "model_options"], "a study takes model options per model",
                                 hint: "move them to [study.model_options.<model>]")
        }
        var byModel: [String: TrainConfig] = [:], written: [String: [String]] = [:]
        for model in s.models {
            guard case .table(let entries)? = manifest.root["study"]?["train"]?[model] else { byModel[model] = train; continue }
            var overridden = manifest
            for (key, value) in entries {
                if ["model", "seed", "model_options"].contains(key) {
                    throw manifest.error(at: ["study", "train", model, key], "study.train.\(model).\(key) is set per cell",
                                         hint: "model options go in [study.model_options.\(model)], seeds in study.seeds")
                }
                overridden = overridden.overriding([("train.\(key)", value)])
                written[model, default: []].append("\(key) \(Self.render(value))")
            }
            do {
                byModel[model] = try overridden.decode(TrainConfig.self, section: "train")
            } catch let error as AccfError {
                throw AccfError(error.status, "\(manifest.location(of: "study.train.\(model)")): [study.train.\(model)]: \(error.message)",
                                hint: error.hint)
            }
        }
        trainByModel = byModel
        trainOverrides = written
        // Every cell's config must validate before anything trains (a typo fails now, not in an hour).
        for cell in grid.cells {
            let config = StudyGrid.trainConfig(for: cell, base: byModel[cell.model] ?? train, settings: s)
            do {
                try config.validate()
            } catch let error as AccfError {
                throw AccfError(error.status, "\(manifest.location(of: "study.model_options.\(cell.model)")): cell \(cell.id): \(error.message)",
                                hint: error.hint)
            }
        }
        stages = Self.makeStages(grid: grid, ingest: ingest, graph: graph, train: byModel, settings: s)
    }

    /// Where things live under the study workdir.
    enum Layout {
        static func ingest(_ workdir: String, _ v: StudyDataVariant) -> String { FilePath.join(workdir, "data/\(v.id)/ingest") }
        static func graph(_ workdir: String, _ v: StudyDataVariant) -> String { FilePath.join(workdir, "data/\(v.id)/graph.accfgraph") }
        static func cell(_ workdir: String, _ c: StudyCell) -> String { FilePath.join(workdir, "cells/\(c.id)") }
    }

    /// A TOML value as the report shows it.
    static func render(_ node: TOMLNode) -> String {
        switch node {
        case .string(let v): return v
        case .int(let v): return String(v)
        case .double(let v): return StudyGrid.number(v)
        case .bool(let v): return String(v)
        default: return node.kindName
        }
    }

    private static func makeStages(grid: StudyGrid, ingest: IngestConfig, graph: GraphConfig, train: [String: TrainConfig],
                                   settings: StudySettings) -> [PipelineStage] {
        let w = settings.workdir
        var stages: [PipelineStage] = []
        for v in grid.dataVariants {
            var config = ingest
            switch v.kind {
            case .clean: break
            case .coldStart(let f): config.coldStartTrainFraction = f
            case .noise(let f): config.noiseFraction = f
            }
            stages.append(RenamedStage(name: "ingest:\(v.id)", inner: IngestPipelineStage(config: config, output: Layout.ingest(w, v))))
            stages.append(RenamedStage(name: "graph:\(v.id)", inner: GraphPipelineStage(config: graph, ingestDirectory: Layout.ingest(w, v),
                                                                                         output: Layout.graph(w, v))))
        }
        for cell in grid.cells {
            let config = StudyGrid.trainConfig(for: cell, base: train[cell.model]!, settings: settings)
            let stage = TrainPipelineStage(config: config, ingestDirectory: Layout.ingest(w, cell.data),
                                           graphPath: Layout.graph(w, cell.data), output: Layout.cell(w, cell))
            stages.append(RenamedStage(name: "train:\(cell.id)", inner: stage))
        }
        return stages
    }

    /// Runs the stale stages, then writes the report from every cell finished so far (also after
    /// a failure). Throws only for a held lock (75) or an unwritable report.
    func run(logger: Logger, wait: Bool = false) throws -> (summary: RunSummary, results: StudyResults) {
        let clock = Stopwatch()
        let summary = try runner(logger: logger).run(RunOptions(wait: wait))
        let results = try StudyResults.load(grid: grid, workdir: settings.workdir)
        try StudyReport.write(definition: self, results: results, elapsed: clock.seconds)
        return (summary, results)
    }

    func runner(logger: Logger) -> PipelineRunner {
        PipelineRunner(pipelineName: settings.name, workdir: settings.workdir, stages: stages, logger: logger,
                       prometheusPath: nil)
    }
}

/// A stage under another name: the study runs many ingest, graph and train stages in one
/// pipeline, and the state file keys records by name.
struct RenamedStage: PipelineStage {
    let name: String
    let inner: PipelineStage
    var inputs: [String] { inner.inputs }
    var parameters: String { inner.parameters }
    var outputs: [String] { inner.outputs }
    func run(_ context: StageContext) throws -> StageOutcome {
        try FilePath.createDirectories(FilePath.directory(of: outputs.first ?? context.workdir))
        return try inner.run(context)
    }
}
