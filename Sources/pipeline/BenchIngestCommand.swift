import ArgumentParser
struct BenchIngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest", abstract: "Ingest throughput.")
    func run() throws {}
}
