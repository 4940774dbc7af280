import ArgumentParser
import Core
import Logging

/// `accf status MANIFEST`: each stage as up to date, stale (and why), failed or running.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each stage of a pipeline as up to date, stale (and why), failed or running.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The pipeline manifest.")
    var manifest: String

    func run() throws {
        global.bootstrap()
        try runReportingErrors {
            let definition = try PipelineDefinition.load(path: manifest)
            let workdir = definition.settings.workdir
            let plan = try definition.runner(logger: Logger(label: "accf.status")).plan(RunOptions())
            let state = PipelineState.load(workdir: workdir)
            print("pipeline \(definition.settings.name) (workdir \(workdir))")
            for line in Self.render(plan: plan, state: state, running: WorkdirLock.isHeld(workdir: workdir), dryRun: false) {
                print(line)
            }
            if let last = state.lastRun {
                let outcome = last.exitStatus == 0 ? "ok" : "failed at \(last.failedStage ?? "?") (exit \(last.exitStatus))"
                print("last run: \(outcome), ended \(last.finishedAt), \(PipelineRunner.seconds(last.durationSeconds)) s")
            }
        }
    }

    /// One line per stage: "  train    stale: parameters changed: lr".
    static func render(plan: [PlannedStage], state: PipelineState, running: Bool, dryRun: Bool) -> [String] {
        let width = (plan.map(\.name.count).max() ?? 0) + 2
        return plan.map { entry in
            let name = entry.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let record = state.stages[entry.name]
            if dryRun {
                return entry.willRun ? "  \(name)would run: \(entry.reasons.joined(separator: "; "))" : "  \(name)up to date"
            }
            if running, record?.status == .running {
                return "  \(name)running (since \(record?.startedAt ?? "?"))"
            }
            if record?.status == .failed {
                return "  \(name)failed: \(record?.error ?? "unknown error")"
            }
            return entry.willRun ? "  \(name)stale: \(entry.reasons.joined(separator: "; "))" : "  \(name)up to date"
        }
    }
}
