import Foundation
import ArgumentParser
import Core
import Train

/// `accf bench train`: seconds per epoch per model and thread count, and all-user evaluation time.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Time training epochs and full-ranking evaluation on ingest outputs.",
        discussion: """
            Example: accf bench train --data ml-100k=work/ml100k/ingest --data yelp2018=work/yelp/ingest
            --steps N times only the first N steps of each epoch and scales to a whole epoch (marked ~);
            --profile adds seconds per epoch of each phase of the step (forward, backward, adam, ...).
            A model may carry options after colons, to time variants side by side:
            --models accf,accf:delta_gradient=previous
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "NAME=DIR of an ingest output (repeatable).") var data: [String] = []
    @Option(name: .long, help: "Models, comma-separated; MODEL:KEY=VALUE:... sets model options.") var models = "bprmf,lightgcn"
    @Option(name: .long, help: "Thread counts, comma-separated.") var threads = "1,2"
    @Option(name: .long, help: "Timed epochs per configuration (the best is reported).") var epochs = 2
    @Option(name: .long, help: "Time only this many steps per epoch and extrapolate to the epoch.") var steps: Int?
    @Option(name: .long, help: "Propagation layers.") var layers = 3
    @Option(name: .long, help: "MODEL=L: layers for one model (repeatable), e.g. xsimgcl=2.") var modelLayers: [String] = []
    @Option(name: .long, help: "Embedding size.") var dim = 64
    @Option(name: .long, help: "Batch size.") var batchSize = 2048
    @Flag(name: .long, help: "Print seconds per epoch of each phase of the training step.") var profile = false

    func run() throws {
        global.bootstrap()
        try runReportingErrors {
            guard !data.isEmpty else { throw AccfError.usage("give at least one --data NAME=DIR (an accf ingest output)") }
            if let steps, steps <= 0 { throw AccfError.usage("--steps must be positive, got \(steps)") }
            var layersFor: [String: Int] = [:]
            for spec in modelLayers {
                let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let l = Int(parts[1]) else { throw AccfError.usage("--model-layers wants MODEL=L, got \(spec)") }
                layersFor[parts[0].lowercased()] = l
            }
            let threadCounts = threads.split(separator: ",").compactMap { Int($0) }
            print("dataset      model      L threads  steps  s/epoch(best)  s/epoch(all)        cpu s/ep  eval s  users")
            for spec in data {
                let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw AccfError.usage("--data wants NAME=DIR, got \(spec)") }
                let dataset = try TrainingData.load(ingestDirectory: parts[1])
                for entry in models.split(separator: ",").map(String.init) {
                    let (model, options) = try Self.modelSpec(entry)
                    for t in threadCounts {
                        var c = TrainConfig()
                        c.model = model; c.modelOptions = options; c.threads = t; c.layers = layersFor[model.lowercased()] ?? layers
                        c.dim = dim; c.batchSize = batchSize
                        let timing = try TrainBenchmark.run(config: c, data: dataset, epochs: epochs, maxSteps: steps, profile: profile)
                        let all = timing.epochSeconds.map { String(format: "%.3f", $0) }.joined(separator: ",")
                        let stepsText = timing.steps < timing.epochSteps ? "~\(timing.steps)/\(timing.epochSteps)" : "\(timing.steps)"
                        print(String(format: "%-12@ %-10@ %1d %7d %6@ %14.3f  %-20@ %7.2f %7.3f %6d", parts[0] as NSString, entry as NSString,
                                     c.layers, t, stepsText as NSString, timing.epochSeconds.min() ?? 0, all as NSString,
                                     timing.cpuSecondsPerEpoch, timing.evaluationSeconds, timing.evaluatedUsers))
                        for phase in timing.phases {
                            let name = phase.name.padding(toLength: max(24, phase.name.count), withPad: " ", startingAt: 0)
                            print("    " + name + String(format: " %9.3f s/epoch", phase.secondsPerEpoch))
                        }
                    }
                }
            }
        }
    }

    /// "accf:delta_gradient=previous:epsilon=0.2" → the model and its options (true/false are
    /// flags, numbers are numbers, anything else a string); unknown keys fail in the model.
    static func modelSpec(_ spec: String) throws -> (String, ModelOptions) {
        let parts = spec.split(separator: ":").map(String.init)
        guard let model = parts.first else { throw AccfError.usage("--models has an empty entry") }
        var options: [String: ModelOptionValue] = [:]
        for option in parts.dropFirst() {
            let kv = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw AccfError.usage("--models wants MODEL:KEY=VALUE, got \(spec)") }
            switch kv[1] {
            case "true": options[kv[0]] = .bool(true)
            case "false": options[kv[0]] = .bool(false)
            default: options[kv[0]] = Double(kv[1]).map { .number($0) } ?? .string(kv[1])
            }
        }
        return (model, ModelOptions(options))
    }
}
