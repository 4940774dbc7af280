import Core
import Foundation

/// The pipeline's memory between runs: `<workdir>/accf.state.json`, one record per stage.
///
/// Like DVC's lock file, a record holds what a stage's last successful run depended on (content
/// hashes of its inputs, its parameters, the accf version) and what it produced (content hashes of
/// its outputs); a stage is up to date when all of them still match. A record is marked
/// `finished` only after the stage returned, i.e. after its outputs were published, and the file
/// is replaced atomically, so a run killed at any instant leaves either the old record or a
/// `running` one — never a finished record for a half-written output.
struct PipelineState: Codable, Equatable, Sendable {
    /// The state file's name inside the workdir.
    static let fileName = "accf.state.json"
    /// Bumped when the record layout changes; an older file is ignored (everything re-runs once).
    static let formatVersion = 1

    var formatVersion = PipelineState.formatVersion
    var stages: [String: StageRecord] = [:]
    var lastRun: RunRecord?

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", stages, lastRun = "last_run"
    }

    /// The state in `workdir`, or an empty one when there is none (or it is unreadable: then every
    /// stage simply runs again, which is always safe).
    static func load(workdir: String) -> PipelineState {
        let path = FilePath.join(workdir, fileName)
        guard FilePath.exists(path), let bytes = try? FilePath.readAll(path),
              let state = try? JSONDecoder().decode(PipelineState.self, from: Data(bytes)),
              state.formatVersion == formatVersion else { return PipelineState() }
        return state
    }

    /// Replaces the state file atomically (temporary file, fsync, rename).
    func save(workdir: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        try AtomicFileWriter.write(Array(data) + [0x0A], to: FilePath.join(workdir, PipelineState.fileName))
    }
}

/// One stage's last run.
struct StageRecord: Codable, Equatable, Sendable {
    enum Status: String, Codable, Sendable { case running, finished, failed }

    var status: Status
    var toolVersion: String
    /// The canonical parameter text (kept whole so `status` can say *which* key changed).
    var parameters: String
    /// Input path → content hash (hex) as of the start of the run.
    var inputs: [String: String]
    /// Output path → content hash (hex) right after the stage published them.
    var outputs: [String: String]
    var startedAt: String
    var finishedAt: String?
    var durationSeconds: Double?
    var counts: [String: Double]
    var metrics: [String: Double]
    var error: String?

    enum CodingKeys: String, CodingKey {
        case status, toolVersion = "tool_version", parameters, inputs, outputs, startedAt = "started_at",
             finishedAt = "finished_at", durationSeconds = "duration_seconds", counts, metrics, error
    }
}

/// The last `accf run` as a whole (for `status` and the Prometheus file).
struct RunRecord: Codable, Equatable, Sendable {
    var startedAt: String
    var finishedAt: String
    var durationSeconds: Double
    var exitStatus: Int32
    var ran: [String]
    var skipped: [String]
    var failedStage: String?

    enum CodingKeys: String, CodingKey {
        case startedAt = "started_at", finishedAt = "finished_at", durationSeconds = "duration_seconds",
             exitStatus = "exit_status", ran, skipped, failedStage = "failed_stage"
    }
}
