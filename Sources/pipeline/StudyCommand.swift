import ArgumentParser
import Core
import Logging

/// `accf study MANIFEST`: trains a grid of models × settings × seeds over shared data variants and
/// writes a report folder (Markdown tables, SVG charts, CSV and JSON).
///
/// A thin wrapper: `StudyDefinition` expands the manifest into pipeline stages, the ordinary
/// `PipelineRunner` runs the stale ones (so a killed study continues where it stopped, a
/// half-trained cell from its checkpoint), and `StudyReport` is written from the cells' files —
/// also after a failure, so whatever finished is reported.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Run a study (models × settings × seeds) and write its report.",
        discussion: """
        The manifest has [study], [ingest], [graph] and [train] sections (docs/study.md). Cells \
        that finished are not trained again; an interrupted study resumes. Exit codes as for \
        `accf run` (75: another run holds the workdir).
        """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The study manifest, e.g. pipelines/study-ml-100k.toml.")
    var manifest: String

    @Flag(name: .long, help: "List the cells and which would run; train nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Only rebuild the report from the cells finished so far.")
    var reportOnly = false

    @Flag(name: .long, help: "Wait for another run of the same workdir to end instead of exiting 75.")
    var wait = false

    func run() throws {
        try runReportingErrors {
            let definition = try StudyDefinition.load(path: manifest)
            let workdir = definition.settings.workdir
            if dryRun {
                global.bootstrap()
                let plan = try definition.runner(logger: Logger(label: "accf.study")).plan(RunOptions())
                let running = plan.filter(\.willRun).count
                print("study \(definition.settings.name): \(definition.grid.cells.count) cells over \(definition.grid.dataVariants.count) data variants; \(running) of \(plan.count) stages would run")
                for stage in plan { print("  \(stage.willRun ? "run " : "ok  ") \(stage.name)\(stage.willRun ? " (\(stage.reasons.joined(separator: "; ")))" : "")") }
                return
            }
            if reportOnly {
                global.bootstrap()
                try StudyReport.write(definition: definition, results: try StudyResults.load(grid: definition.grid, workdir: workdir))
                print(FilePath.join(definition.settings.reportDir, "report.md"))
                return
            }
            try FilePath.createDirectories(workdir)
            let logFile = try RunLogFile(path: FilePath.join(workdir, "accf-study.log"))
            let format = global.logFormat?.format ?? .automatic
            let level: Logger.Level = global.quiet ? .warning : (global.verbose ? .debug : .info)
            LoggingSystem.bootstrap { label in
                MultiplexLogHandler([AccfLogHandler(label: label, format: format, level: level),
                                     RunLogFileHandler(label: label, file: logFile, level: .info)])
            }
            var logger = Logger(label: "accf.study")
            logger[metadataKey: "study"] = "\(definition.settings.name)"
            let clock = Stopwatch()
            let (summary, results) = try definition.run(logger: logger, wait: wait)
            let finished = results.cells.count
            let line = "study \(definition.settings.name): \(summary.ran.count) stages ran, \(summary.skipped.count) up to date, "
                + "\(finished) of \(definition.grid.cells.count) cells finished in \(PipelineRunner.seconds(clock.seconds)) s; "
                + "report: \(FilePath.join(definition.settings.reportDir, "report.md"))"
            logger.info("\(line)", metadata: ["event": "summary"])
            if let error = summary.error {
                StandardError.writeLine("accf: error: study stopped at \(summary.failedStage ?? "?"): \(error.description)")
                throw ExitCode(error.status.rawValue)
            }
        }
    }
}
