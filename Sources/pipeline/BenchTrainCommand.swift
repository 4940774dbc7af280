import Foundation
import ArgumentParser
import Core
import Train

/// `accf bench train`: seconds per epoch per model and thread count, and all-user evaluation time.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Time training epochs and full-ranking evaluation on ingest outputs.",
        discussion: "Example: accf bench train --data ml-100k=work/ml100k/ingest --data yelp2018=work/yelp/ingest")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "NAME=DIR of an ingest output (repeatable).") var data: [String] = []
    @Option(name: .long, help: "Models, comma-separated.") var models = "bprmf,lightgcn"
    @Option(name: .long, help: "Thread counts, comma-separated.") var threads = "1,2"
    @Option(name: .long, help: "Timed epochs per configuration (the best is reported).") var epochs = 2
    @Option(name: .long, help: "Propagation layers.") var layers = 3
    @Option(name: .long, help: "Embedding size.") var dim = 64
    @Option(name: .long, help: "Batch size.") var batchSize = 2048

    func run() throws {
        global.bootstrap()
        try runReportingErrors {
            guard !data.isEmpty else { throw AccfError.usage("give at least one --data NAME=DIR (an accf ingest output)") }
            let threadCounts = threads.split(separator: ",").compactMap { Int($0) }
            print("dataset      model      threads  steps  s/epoch(best)  s/epoch(all)          eval s  users")
            for spec in data {
                let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw AccfError.usage("--data wants NAME=DIR, got \(spec)") }
                let dataset = try TrainingData.load(ingestDirectory: parts[1])
                for model in models.split(separator: ",").map(String.init) {
                    for t in threadCounts {
                        var c = TrainConfig()
                        c.model = model; c.threads = t; c.layers = layers; c.dim = dim; c.batchSize = batchSize
                        let timing = try TrainBenchmark.run(config: c, data: dataset, epochs: epochs)
                        let all = timing.epochSeconds.map { String(format: "%.3f", $0) }.joined(separator: ",")
                        print(String(format: "%-12@ %-10@ %7d %6d %14.3f  %-20@ %7.3f %6d", parts[0] as NSString, model as NSString, t,
                                     timing.steps, timing.epochSeconds.min() ?? 0, all as NSString, timing.evaluationSeconds, timing.evaluatedUsers))
                    }
                }
            }
        }
    }
}
