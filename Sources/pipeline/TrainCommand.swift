import Foundation
import ArgumentParser
import Core
import Train
import Graph
import Logging

/// `accf train`: trains a model on an ingest output, resuming from its checkpoints.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a recommender (\(ModelRegistry.names.joined(separator: ", "))), early-stopped on valid, tested once.",
        discussion: """
        Writes into --output: checkpoints/, best.ckpt, model.accfmodel (the best model's final
        embeddings), results.json (test metrics) and metrics.jsonl (one line per epoch). Re-running
        resumes from the latest valid checkpoint; a checkpoint of another config or dataset is
        refused unless --restart is given. Settings: --config FILE (JSON with the train keys, e.g.
        {"model": "lightgcn", "layers": 3, "model_options": {}}), then the flags below override it.
        """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Run the [train] stage of this pipeline manifest (flags override single keys; resumes an interrupted attempt unless --restart).")
    var manifest: String?
    @Flag(name: .long, help: "Wait for another run of the same workdir instead of exiting 75.") var wait = false
    @Option(name: .long, help: "The ingest output directory.") var data: String?
    @Option(name: .long, help: "The graph file of `accf graph` (default: built from the train split in memory).") var graph: String?
    @Option(name: [.short, .long], help: "Output directory (e.g. <workdir>/train).") var output: String?
    @Option(name: .long, help: "JSON file with train settings (manifest keys).") var config: String?
    @Option(name: .long, help: "Model: \(ModelRegistry.names.joined(separator: ", ")).") var model: String?
    @Option(name: .long, help: "Embedding size.") var dim: Int?
    @Option(name: .long, help: "Propagation layers.") var layers: Int?
    @Option(name: .long, help: "Batch size.") var batchSize: Int?
    @Option(name: .long, help: "Learning rate.") var lr: Double?
    @Option(name: .long, help: "L2 regularization.") var reg: Double?
    @Option(name: .long, help: "Maximum epochs.") var maxEpochs: Int?
    @Option(name: .long, help: "Never stop early before this many epochs.") var minEpochs: Int?
    @Option(name: .long, help: "Evaluations without gain before stopping.") var patience: Int?
    @Option(name: .long, help: "Evaluate on valid every n epochs.") var evalEvery: Int?
    @Option(name: .long, help: "Checkpoint every n steps (0: epoch ends only).") var checkpointEverySteps: Int?
    @Option(name: .long, help: "Early-stopping metric, e.g. ndcg@20.") var metric: String?
    @Option(name: .long, help: "Random seed.") var seed: UInt64?
    @Option(name: .long, help: "Worker threads (0: all cores).") var threads: Int?
    @Flag(name: .long, help: "Discard existing checkpoints and start over.") var restart = false

    func makeConfig() throws -> TrainConfig {
        var c = TrainConfig()
        if let config {
            guard FilePath.exists(config) else { throw AccfError.missingInput(config) }
            do {
                c = try JSONDecoder().decode(TrainConfig.self, from: Data(try FilePath.readAll(config)))
            } catch let error as DecodingError {
                throw AccfError.usage("\(config): not a valid train config: \(error)")
            }
        }
        if let model { c.model = model }
        if let dim { c.dim = dim }
        if let layers { c.layers = layers }
        if let batchSize { c.batchSize = batchSize }
        if let lr { c.lr = lr }
        if let reg { c.reg = reg }
        if let maxEpochs { c.maxEpochs = maxEpochs }
        if let minEpochs { c.minEpochs = minEpochs }
        if let patience { c.patience = patience }
        if let evalEvery { c.evalEvery = evalEvery }
        if let checkpointEverySteps { c.checkpointEverySteps = checkpointEverySteps }
        if let metric { c.metric = metric }
        if let seed { c.seed = seed }
        if let threads { c.threads = threads }
        try c.validate()
        return c
    }

    func run() throws {
        global.bootstrap()
        try runReportingErrors {
            if let manifest {
                guard data == nil, output == nil, config == nil, graph == nil else {
                    throw AccfError.usage("--data/--graph/--output/--config cannot be combined with --manifest", hint: "the manifest decides them")
                }
                var o = ManifestOverrides()
                o.set("model", model)
                o.set("dim", dim)
                o.set("layers", layers)
                o.set("batch_size", batchSize)
                o.set("lr", lr)
                o.set("reg", reg)
                o.set("max_epochs", maxEpochs)
                o.set("min_epochs", minEpochs)
                o.set("patience", patience)
                o.set("eval_every", evalEvery)
                o.set("checkpoint_every_steps", checkpointEverySteps)
                o.set("metric", metric)
                o.set("seed", seed)
                o.set("threads", threads)
                try ManifestSection.runStage("train", manifest: manifest, overrides: o, wait: wait, restart: restart,
                                             logger: Logger(label: "accf.train"))
                return
            }
            guard let dataDirectory = self.data, let output else { throw AccfError.usage("give --data and --output, or --manifest") }
            let config = try makeConfig()
            let logger = Logger(label: "accf.train")
            // In the pipeline layout the output is <workdir>/train: lock the workdir.
            let lock = try ManifestSection.lockWorkdir(FilePath.directory(of: output), wait: wait)
            defer { lock.release() }
            let data = try TrainingData.load(ingestDirectory: dataDirectory, graph: try graph.map { try GraphFile.read(path: $0) })
            let report = try TrainStage.run(config: config, data: data, outputDirectory: output,
                                            options: TrainOptions(restart: restart, showProgress: !global.quiet), logger: logger)
            if !global.quiet {
                let keys = report.testMetrics.keys.sorted()
                let pace = report.secondsPerEpoch > 0 ? String(format: ", %.3f s/epoch", report.secondsPerEpoch) : ""
                let peak = String(format: ", peak resident %.0f MiB", Double(report.peakResidentBytes) / 1_048_576)
                print("model \(report.modelName): \(report.epochs) epochs, best epoch \(report.bestEpoch)\(pace)\(peak)")
                print("test " + keys.map { "\($0) \(String(format: "%.4f", report.testMetrics[$0]!))" }.joined(separator: "  "))
                print("wrote \(report.modelPath)")
            }
        }
    }
}
