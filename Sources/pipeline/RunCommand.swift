import ArgumentParser
import Core
import Logging

/// `accf run MANIFEST`: runs the stale stages of a pipeline, in order, in this process.
///
/// Made for cron: it does the right thing whatever happened last night (skips what is up to date,
/// re-runs what failed or was interrupted, resumes training from its checkpoint), exits 75 when
/// another run holds the workdir, and ends with a one-line summary.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the stale stages of a pipeline manifest (only what changed).",
        discussion: """
        A stage runs when it never finished, failed, was interrupted, or when its parameters, the \
        content of its inputs, the accf version, or its outputs changed. State, lock, run log and \
        Prometheus textfile live in the workdir. Exit codes: 0 ok; 75 another run holds the \
        workdir (retry later, or --wait); otherwise the failing stage's code (64 usage, 65 bad \
        data, 66 missing input, 70 internal, 73 cannot create, 74 I/O).
        """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The pipeline manifest, e.g. pipelines/demo.toml.")
    var manifest: String

    @Flag(name: .long, help: "Say what would run and why; run nothing.")
    var dryRun = false

    @Option(name: .long, help: "Run this stage even if it is up to date (repeatable).")
    var force: [String] = []

    @Option(name: .long, help: "Run this stage and every later one, up to date or not.")
    var from: String?

    @Flag(name: .long, help: "Wait for another run of the same workdir to end instead of exiting 75.")
    var wait = false

    func run() throws {
        try runReportingErrors {
            let definition = try PipelineDefinition.load(path: manifest)
            let options = RunOptions(dryRun: dryRun, force: Set(force), from: from, wait: wait)
            if dryRun {
                global.bootstrap()
                let plan = try definition.runner(logger: Logger(label: "accf.run")).plan(options)
                for line in StatusCommand.render(plan: plan, state: PipelineState.load(workdir: definition.settings.workdir),
                                                 running: false, dryRun: true) {
                    print(line)
                }
                return
            }
            let logFile = try RunLogFile(path: definition.settings.logFile)
            let format = global.logFormat?.format ?? .automatic
            let level: Logger.Level = global.quiet ? .warning : (global.verbose ? .debug : .info)
            let fileLevel: Logger.Level = global.verbose ? .debug : .info
            LoggingSystem.bootstrap { label in
                MultiplexLogHandler([AccfLogHandler(label: label, format: format, level: level),
                                     RunLogFileHandler(label: label, file: logFile, level: fileLevel)])
            }
            var logger = Logger(label: "accf.run")
            logger[metadataKey: "pipeline"] = "\(definition.settings.name)"
            let summary = try definition.runner(logger: logger).run(options)
            for note in summary.notes { logger.info("\(note)", metadata: ["event": "note"]) }

            // The summary: JSON with every field in the run log and in JSON mode; on a terminal,
            // the bare line (cron mails it as is). Error level when failed, so --quiet shows it.
            let line = Self.summaryLine(name: definition.settings.name, summary: summary)
            var metadata: Logger.Metadata = [
                "event": "summary", "pipeline": "\(definition.settings.name)", "status": "\(summary.status.rawValue)",
                "duration_s": "\(PipelineRunner.seconds(summary.durationSeconds))",
                "ran": .array(summary.ran.map { .string($0) }), "up_to_date": .array(summary.skipped.map { .string($0) }),
            ]
            if let failed = summary.failedStage { metadata["failed_stage"] = "\(failed)" }
            let summaryLevel: Logger.Level = summary.error == nil ? .info : .error
            RunLogFileHandler(label: "accf.run", file: logFile, level: fileLevel)
                .log(event: LogEvent(level: summaryLevel, message: "\(line)", metadata: metadata, source: "pipeline",
                                     file: #fileID, function: #function, line: #line))
            if summaryLevel >= level {
                if format == .text { StandardError.writeLine(line) } else {
                    AccfLogHandler(label: "accf.run", format: .json, level: level)
                        .log(event: LogEvent(level: summaryLevel, message: "\(line)", metadata: metadata, source: "pipeline",
                                             file: #fileID, function: #function, line: #line))
                }
            }
            if let error = summary.error { throw ExitCode(error.status.rawValue) }
        }
    }

    /// "accf run demo: ok in 54.2 s — ran ingest, graph; up to date: synth, train, export".
    static func summaryLine(name: String, summary: RunSummary) -> String {
        let seconds = PipelineRunner.seconds(summary.durationSeconds)
        let ran = summary.ran.isEmpty ? "nothing to do" : "ran \(summary.ran.joined(separator: ", "))"
        let skipped = summary.skipped.isEmpty ? "" : "; up to date: \(summary.skipped.joined(separator: ", "))"
        if let error = summary.error, let failed = summary.failedStage {
            return "accf run \(name): FAILED at \(failed) (exit \(error.status.rawValue)) in \(seconds) s — \(error.description)"
        }
        return "accf run \(name): ok in \(seconds) s — \(ran)\(skipped)"
    }
}
