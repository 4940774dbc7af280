import ArgumentParser
import Core
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `accf` command: one subcommand per pipeline stage.
@main
struct AccfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accf",
        abstract: "Turn raw review and purchase logs into recommendations with ACCF.",
        discussion: """
        Stages: ingest → graph → train → export (synth makes demo data). Each stage is a command
        of its own; `accf run pipelines/NAME.toml` runs the stale ones in order (docs/manifest.md,
        docs/operations.md), `accf status` says which are stale and why.

        Exit codes: 0 ok, 64 usage, 65 bad data, 66 missing input, 70 internal error,
        73 cannot create output, 74 I/O error, 75 temporary failure (retry later).
        """,
        version: AccfVersion.string,
        subcommands: [SynthCommand.self, RunCommand.self, StatusCommand.self, IngestCommand.self, GraphCommand.self,
                      TrainCommand.self, ExportCommand.self, StudyCommand.self, BenchCommand.self]
    )

    /// Ignores SIGXFSZ, then parses and runs. Why: under a file-size limit (`ulimit -f`,
    /// RLIMIT_FSIZE) the default action of SIGXFSZ kills the process with a core dump, no message
    /// and exit 153; ignored, the write fails with EFBIG and every writer reports it as exit 74
    /// naming the file, like a full disk, with the previous outputs intact.
    static func main() {
        signal(SIGXFSZ, SIG_IGN)
        main(nil)
    }
}
