import ArgumentParser
import Core

/// Options every subcommand accepts: log format and verbosity.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Log format: text or json (default: text on a terminal, json otherwise).")
    var logFormat: LogFormatArgument?

    @Flag(name: .shortAndLong, help: "Print warnings and errors only.")
    var quiet = false

    @Flag(name: .long, help: "Print debug detail.")
    var verbose = false

    /// Sets up logging; call first in `run()`.
    func bootstrap() {
        AccfLogging.bootstrap(format: logFormat?.format ?? .automatic, quiet: quiet, verbose: verbose)
    }
}

/// `--log-format` values.
enum LogFormatArgument: String, ExpressibleByArgument, CaseIterable {
    case text, json
    var format: LogFormat { self == .text ? .text : .json }
}
