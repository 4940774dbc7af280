import ArgumentParser

/// `accf bench`: one benchmark per stage, each printing a table (no timed unit tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks of the pipeline's stages and kernels (use a release build).",
        subcommands: [BenchGraphCommand.self])
}
