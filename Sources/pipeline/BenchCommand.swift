import ArgumentParser

/// `accf bench <stage>`: throughput benchmarks that print a table.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmark a stage on synthetic data.",
        subcommands: [BenchIngestCommand.self, BenchGraphCommand.self, BenchTrainCommand.self, BenchInfoNCECommand.self, BenchExportCommand.self])
}
