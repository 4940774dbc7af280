import Core
import Logging

/// Options of one `accf run`.
struct RunOptions: Sendable {
    /// Only say what would run.
    var dryRun = false
    /// Stages to run even when up to date (their downstream re-runs if their outputs change).
    var force: Set<String> = []
    /// Run this stage and every stage after it, up to date or not.
    var from: String?
    /// Wait for another run's lock instead of exiting 75.
    var wait = false
    /// Never resume an interrupted attempt (train: discard checkpoints).
    var restart = false
}

/// One line of a plan: a stage and why it runs (no reasons: it is up to date).
struct PlannedStage: Sendable, Equatable {
    var name: String
    var reasons: [String]
    var willRun: Bool { !reasons.isEmpty }
}

/// What a run did, for the summary line, the exit status and the Prometheus file.
struct RunSummary: Sendable {
    var ran: [String] = []
    var skipped: [String] = []
    var failedStage: String?
    var error: AccfError?
    var durationSeconds: Double = 0
    var notes: [String] = []
    var status: ExitStatus { error?.status ?? .ok }
}

/// Runs a pipeline's stages in order, each only when it is stale, and records what it did.
///
/// In-process, not child processes: the stages are library calls with typed configs
/// (`XStage.run(config:…)`), so running them in this process passes the decoded, validated
/// configs as they are (no flag re-serialization that could drift from the manifest), keeps one
/// `flock` held by one descriptor for the whole run (a child `accf train` would have to take it
/// again), and keeps every error's exit status and one-line message intact. What child processes
/// would buy — isolation from a stage that crashes — the state file already gives: a crash leaves
/// the stage marked `running`, and the next run re-runs it (training from its checkpoint). Memory
/// is not a reason either: each stage's arrays are released when its `run` returns.
final class PipelineRunner: Sendable {
    let pipelineName: String
    let workdir: String
    let stages: [PipelineStage]
    let logger: Logger
    /// Where the Prometheus textfile goes (nil: none).
    let prometheusPath: String?

    init(pipelineName: String, workdir: String, stages: [PipelineStage], logger: Logger, prometheusPath: String? = nil) {
        self.pipelineName = pipelineName
        self.workdir = workdir
        self.stages = stages
        self.logger = logger
        self.prometheusPath = prometheusPath
    }

    /// Rejects `--force`/`--from` names that are not stages of this pipeline (exit 64).
    func validate(_ options: RunOptions) throws {
        let names = stages.map(\.name)
        for name in options.force.sorted() + (options.from.map { [$0] } ?? []) where !names.contains(name) {
            throw AccfError.usage("no stage named \"\(name)\" in pipeline \(pipelineName)",
                                  hint: "stages are \(names.joined(separator: ", "))")
        }
    }

    private func forcedReason(_ stage: PipelineStage, _ options: RunOptions) -> String? {
        if options.force.contains(stage.name) { return "forced (--force \(stage.name))" }
        if let from = options.from, let start = stages.firstIndex(where: { $0.name == from }),
           let index = stages.firstIndex(where: { $0.name == stage.name }), index >= start {
            return "forced (--from \(from))"
        }
        return nil
    }

    /// What a run would do now, without running anything (`--dry-run`). A stage reading the
    /// outputs of a stage that will run is listed as running too (it will, if those outputs change).
    func plan(_ options: RunOptions) throws -> [PlannedStage] {
        try validate(options)
        let state = PipelineState.load(workdir: workdir)
        let hashes = HashCache()
        var plan: [PlannedStage] = []
        var changing: [String: String] = [:]   // output path → stage that rewrites it
        for stage in stages {
            var reasons = forcedReason(stage, options).map { [$0] } ?? []
            reasons += try Staleness.reasons(for: stage, record: state.stages[stage.name], hashes: hashes)
            for input in stage.inputs {
                for (output, writer) in changing.sorted(by: { $0.key < $1.key }) where input == output || input.hasPrefix(output + "/") {
                    let reason = "upstream \(writer) runs"
                    if !reasons.contains(reason) { reasons.append(reason) }
                }
            }
            if !reasons.isEmpty { for output in stage.outputs { changing[output] = stage.name } }
            plan.append(PlannedStage(name: stage.name, reasons: reasons))
        }
        return plan
    }

    /// Runs what is stale, holding the workdir lock; stops at the first failing stage.
    /// Never throws for a stage failure (the summary carries it); throws for a held lock (75).
    func run(_ options: RunOptions) throws -> RunSummary {
        try validate(options)
        let lock = try WorkdirLock.acquire(workdir: workdir, wait: options.wait)
        defer { lock.release() }
        let started = Stopwatch()
        let startedAt = Timestamp.iso8601Now()
        var state = PipelineState.load(workdir: workdir)
        let hashes = HashCache()
        var summary = RunSummary()
        logger.info("run started", metadata: ["event": "run_started", "pipeline": "\(pipelineName)", "workdir": "\(workdir)"])
        // Temporary files of writers an earlier run's kill interrupted: garbage nothing will reuse.
        let leftovers = LeftoverSweep.sweep(workdir)
        if !leftovers.isEmpty {
            logger.info("removed \(leftovers.count) temporary file(s) of interrupted writers",
                        metadata: ["event": "leftovers_removed", "paths": .array(leftovers.map { .string($0) })])
        }
        for stage in stages {
            do {
                var reasons = forcedReason(stage, options).map { [$0] } ?? []
                reasons += try Staleness.reasons(for: stage, record: state.stages[stage.name], hashes: hashes)
                if reasons.isEmpty {
                    summary.skipped.append(stage.name)
                    logger.info("\(stage.name): up to date", metadata: ["event": "stage_skipped", "stage": "\(stage.name)"])
                    continue
                }
                let outcome = try execute(stage, reasons: reasons, state: &state, hashes: hashes, restart: options.restart)
                summary.ran.append(stage.name)
                summary.notes += outcome.notes
            } catch {
                let failure = (error as? AccfError) ?? AccfError.internalError("\(stage.name): \(error)")
                summary.failedStage = stage.name
                summary.error = failure
                break
            }
        }
        summary.durationSeconds = started.seconds
        state.lastRun = RunRecord(startedAt: startedAt, finishedAt: Timestamp.iso8601Now(),
                                  durationSeconds: summary.durationSeconds, exitStatus: summary.status.rawValue,
                                  ran: summary.ran, skipped: summary.skipped, failedStage: summary.failedStage)
        do {
            try state.save(workdir: workdir)
        } catch {
            logger.warning("could not save the state file: \(error)")
        }
        if let prometheusPath {
            do {
                try PrometheusTextfile.write(pipeline: pipelineName, state: state, stageNames: stages.map(\.name),
                                             summary: summary, to: prometheusPath)
            } catch {
                logger.warning("could not write the Prometheus textfile: \(error)")
            }
        }
        return summary
    }

    /// Runs one stale stage: marks it running, runs it, hashes its published outputs, marks it finished.
    private func execute(_ stage: PipelineStage, reasons: [String], state: inout PipelineState,
                         hashes: HashCache, restart: Bool) throws -> StageOutcome {
        var inputHashes: [String: String] = [:]
        for input in stage.inputs {
            guard let hash = try hashes.hash(input) else {
                let failure = AccfError.missingInput(input, hint: "stage \(stage.name) reads it; check the manifest or run the stage that writes it")
                // Recorded so `accf status` says why the stage did not run.
                state.stages[stage.name] = StageRecord(
                    status: .failed, toolVersion: AccfVersion.string, parameters: stage.parameters, inputs: [:], outputs: [:],
                    startedAt: Timestamp.iso8601Now(), finishedAt: Timestamp.iso8601Now(), durationSeconds: 0,
                    counts: [:], metrics: [:], error: failure.description)
                try? state.save(workdir: workdir)
                logger.error("\(stage.name): cannot start: \(failure.description)",
                             metadata: ["event": "stage_failed", "stage": "\(stage.name)", "exit_status": "\(failure.status.rawValue)"])
                throw failure
            }
            inputHashes[input] = ContentHash.hex(hash)
        }
        let previous = state.stages[stage.name]
        let sameSources = previous.map { $0.inputs == inputHashes && $0.toolVersion == AccfVersion.string } ?? false
        let interrupted = previous.map {
            ($0.status == .running || $0.status == .failed) && $0.parameters == stage.parameters
        } ?? false
        let continued = !interrupted && previous.map { $0.parameters != stage.parameters && stage.continues($0) } ?? false
        let resumable = !restart && sameSources && (interrupted || continued)
        var record = StageRecord(status: .running, toolVersion: AccfVersion.string, parameters: stage.parameters,
                                 inputs: inputHashes, outputs: [:], startedAt: Timestamp.iso8601Now(),
                                 finishedAt: nil, durationSeconds: nil, counts: [:], metrics: [:], error: nil)
        state.stages[stage.name] = record
        try state.save(workdir: workdir)
        logger.info("\(stage.name): running (\(reasons.joined(separator: "; ")))",
                    metadata: ["event": "stage_started", "stage": "\(stage.name)", "reasons": .array(reasons.map { .string($0) })])
        if resumable {
            let what = continued ? "continuing the earlier attempt (the new parameters extend it)" : "resuming the interrupted attempt"
            logger.info("\(stage.name): \(what)", metadata: ["event": "stage_resuming", "stage": "\(stage.name)"])
        }
        let clock = Stopwatch()
        let outcome: StageOutcome
        do {
            outcome = try stage.run(StageContext(workdir: workdir, logger: logger, resumable: resumable))
            hashes.forget(stage.outputs)
            for output in stage.outputs {
                guard let hash = try hashes.hash(output) else {
                    throw AccfError.internalError("stage \(stage.name) finished without writing \(output)")
                }
                record.outputs[output] = ContentHash.hex(hash)
            }
        } catch {
            let failure = (error as? AccfError) ?? AccfError.internalError("\(stage.name): \(error)")
            record.status = .failed
            record.error = failure.description
            record.finishedAt = Timestamp.iso8601Now()
            record.durationSeconds = clock.seconds
            state.stages[stage.name] = record
            try? state.save(workdir: workdir)
            logger.error("\(stage.name): failed after \(Self.seconds(clock.seconds)) s: \(failure.description)",
                         metadata: ["event": "stage_failed", "stage": "\(stage.name)", "duration_s": "\(Self.seconds(clock.seconds))",
                                    "exit_status": "\(failure.status.rawValue)"])
            throw failure
        }
        record.status = .finished
        record.finishedAt = Timestamp.iso8601Now()
        record.durationSeconds = clock.seconds
        record.counts = outcome.counts
        record.metrics = outcome.metrics
        state.stages[stage.name] = record
        try state.save(workdir: workdir)
        var metadata: Logger.Metadata = ["event": "stage_finished", "stage": "\(stage.name)", "duration_s": "\(Self.seconds(clock.seconds))"]
        for (key, value) in outcome.counts { metadata[key] = "\(Self.number(value))" }
        for (key, value) in outcome.metrics { metadata[key] = "\(value)" }
        logger.info("\(stage.name): finished in \(Self.seconds(clock.seconds)) s", metadata: metadata)
        return outcome
    }

    /// Seconds with millisecond precision, for logs.
    static func seconds(_ value: Double) -> String {
        String(Double((value * 1000).rounded()) / 1000)
    }

    /// An integral count without ".0".
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
