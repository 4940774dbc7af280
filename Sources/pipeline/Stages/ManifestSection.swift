import Core
import Foundation
import Logging

/// What a stage command (`accf ingest|graph|train|export --manifest M`) needs from the manifest
/// layer, so that the CLI and `accf run` cannot drift apart.
///
/// A stage command collects the flags the user gave into `ManifestOverrides` (a flag overrides
/// one key of its section) and calls `runStage`: the manifest is decoded and validated exactly as
/// `accf run` does it, the workdir lock is taken (exit 75 if a run holds it, or wait), the one
/// stage runs, and its record in the state file is updated — so a workflow runner calling the
/// stages as separate steps and a cron `accf run` see the same state. `load` is for a command that
/// only needs its decoded config.
enum ManifestSection {
    /// The `[section]` config of `manifest` with `overrides` applied; errors name file, line and key.
    static func load<Config: Decodable>(_ type: Config.Type, manifest path: String, section: String,
                                        overrides: ManifestOverrides = ManifestOverrides()) throws -> Config {
        let manifest = try Manifest.load(path: path).overriding(overrides.entries(section: section))
        return try manifest.decode(type, section: section)
    }

    /// Runs one stage of the manifest's pipeline (always: the user asked for it), holding the
    /// workdir lock, and records it in the state file. Throws the stage's error (its exit status).
    static func runStage(_ name: String, manifest path: String, overrides: ManifestOverrides = ManifestOverrides(),
                         wait: Bool = false, restart: Bool = false, logger: Logger) throws {
        let manifest = try Manifest.load(path: path).overriding(overrides.entries(section: name))
        let definition = try PipelineDefinition(manifest: manifest)
        guard let stage = definition.stages.first(where: { $0.name == name }) else {
            throw AccfError.usage("\(path): the pipeline has no \(name) stage",
                                  hint: "stages are \(definition.stages.map(\.name).joined(separator: ", "))")
        }
        let runner = PipelineRunner(pipelineName: definition.settings.name, workdir: definition.settings.workdir,
                                    stages: [stage], logger: logger, prometheusPath: nil)
        let summary = try runner.run(RunOptions(force: [name], wait: wait, restart: restart))
        for note in summary.notes { logger.info("\(note)", metadata: ["event": "note"]) }
        if let error = summary.error { throw error }
    }

    /// For a stage command run without a manifest: the lock on the workdir its output lives in.
    /// Keep the returned lock alive until the output is published.
    ///
    /// `workdir` is a guess from the pipeline layout (`<workdir>/graph/graph.accfgraph`). When the
    /// output is not in that layout the guess can be `/` or a folder the user cannot write
    /// (`-o /tmp/g.accfgraph` guesses `/`, `-o ~/rec.sqlite` guesses `/home`): then the lock goes
    /// in `outputDirectory`, the folder the output is written to anyway, instead of failing with
    /// exit 73 (or, as root, leaving `/accf.lock`).
    static func lockWorkdir(_ workdir: String, outputDirectory: String? = nil, wait: Bool = false) throws -> WorkdirLock {
        guard let outputDirectory, outputDirectory != workdir else { return try WorkdirLock.acquire(workdir: workdir, wait: wait) }
        if lockDirectoryIsOutsideAnyWorkdir(workdir) { return try WorkdirLock.acquire(workdir: outputDirectory, wait: wait) }
        do {
            return try WorkdirLock.acquire(workdir: workdir, wait: wait)
        } catch let error as AccfError where error.status == .cannotCreate {
            return try WorkdirLock.acquire(workdir: outputDirectory, wait: wait)
        }
    }

    /// Whether a guessed workdir cannot be one: the filesystem root.
    static func lockDirectoryIsOutsideAnyWorkdir(_ guess: String) -> Bool {
        guess == "/" || guess.isEmpty
    }
}

/// Flag values that override single keys of a stage's manifest section. Nil values are skipped,
/// so a command can pass every optional flag as it is.
struct ManifestOverrides {
    private var values: [(key: String, value: TOMLNode)] = []

    init() {}

    mutating func set(_ key: String, _ value: Int?) { if let value { values.append((key, .int(value))) } }
    mutating func set(_ key: String, _ value: UInt64?) { if let value { values.append((key, .int(Int(clamping: value)))) } }
    mutating func set(_ key: String, _ value: Double?) { if let value { values.append((key, .double(value))) } }
    mutating func set(_ key: String, _ value: Float?) { if let value { values.append((key, .double(Double(value)))) } }
    mutating func set(_ key: String, _ value: Bool?) { if let value { values.append((key, .bool(value))) } }
    mutating func set(_ key: String, _ value: String?) { if let value { values.append((key, .string(value))) } }
    mutating func set(_ key: String, _ value: [Double]?) { if let value { values.append((key, .array(value.map { .double($0) }))) } }
    mutating func set(_ key: String, _ value: [Int]?) { if let value { values.append((key, .array(value.map { .int($0) }))) } }
    mutating func set(_ key: String, _ value: [String]?) { if let value { values.append((key, .array(value.map { .string($0) }))) } }

    /// A path flag: resolved against the current directory (where the user typed it), not the manifest's folder.
    mutating func setPath(_ key: String, _ value: String?) {
        guard let value else { return }
        values.append((key, .string(Manifest.absolute(value, relativeTo: FileManager.default.currentDirectoryPath))))
    }

    /// Several path flags (an array key).
    mutating func setPaths(_ key: String, _ paths: [String]) {
        let cwd = FileManager.default.currentDirectoryPath
        values.append((key, .array(paths.map { .string(Manifest.absolute($0, relativeTo: cwd)) })))
    }

    var isEmpty: Bool { values.isEmpty }

    /// The overrides with their section prefix ("dim" → "train.dim").
    func entries(section: String) -> [(key: String, value: TOMLNode)] {
        values.map { ("\(section).\($0.key)", $0.value) }
    }
}
