import Core
import Logging

/// One step of a pipeline as the runner sees it: what it reads, how it is configured, what it
/// writes, and how to run it.
///
/// Why a protocol of the runner's own rather than the stage libraries' types: up-to-date
/// detection needs only these four facts, so the runner, the state file and their tests work
/// with any stage — the real ones (`StageBindings.swift`) and the fakes in the tests.
protocol PipelineStage: Sendable {
    /// The stage's name ("ingest"), also its section in the manifest and its key in the state file.
    var name: String { get }
    /// Absolute paths (files or directories) whose content the outputs depend on: raw logs and
    /// the outputs of earlier stages.
    var inputs: [String] { get }
    /// The stage's configuration as canonical text (sorted-key JSON): any change re-runs it.
    var parameters: String { get }
    /// Absolute paths the stage publishes (atomically) when it succeeds.
    var outputs: [String] { get }
    /// Does the work. Must publish every output atomically before returning.
    func run(_ context: StageContext) throws -> StageOutcome
    /// Whether the leftovers of `previous`, an attempt recorded with *other* parameters, may be
    /// continued rather than discarded. Only where continuing gives the bytes a fresh start with
    /// the new parameters would (train: `max_epochs` raised, `threads` changed); the runner has
    /// already checked that the inputs and the accf version are the same.
    func continues(_ previous: StageRecord) -> Bool
}

extension PipelineStage {
    /// Most stages are cheap to redo: any change of parameters starts them over.
    func continues(_ previous: StageRecord) -> Bool { false }
}

/// What a stage gets from the runner.
struct StageContext: Sendable {
    /// The pipeline's work directory (holds the state, lock, log and metrics files).
    var workdir: String
    /// Where the stage logs its own progress.
    var logger: Logger
    /// True when the last attempt of this stage, with the same parameters, inputs and accf
    /// version, was interrupted or failed, or when the stage `continues` its last attempt: its
    /// leftovers (training checkpoints) may be resumed.
    /// False for a fresh start (never run, or something changed): leftovers must be discarded,
    /// or train would refuse checkpoints of another config.
    var resumable: Bool = false
}

/// What a stage reports back: counts for the logs, metrics for the Prometheus file.
struct StageOutcome: Sendable, Equatable {
    /// Sizes worth logging ("users", "interactions", "epochs").
    var counts: [String: Double] = [:]
    /// Quality metrics ("test_ndcg@20"); the train stage's end up in the `.prom` file.
    var metrics: [String: Double] = [:]
    /// Lines to print after a successful run (the export stage: where the file is, a sample query).
    var notes: [String] = []
}
