import Core
import Logging

/// How a train run treats existing state.
public struct TrainOptions: Sendable {
    /// Discard existing checkpoints and start over (otherwise resume from the latest valid one;
    /// a checkpoint of another config, graph or dataset is refused).
    public var restart: Bool
    /// Draw the progress bar when stderr is a terminal.
    public var showProgress: Bool

    public init(restart: Bool = false, showProgress: Bool = true) {
        self.restart = restart
        self.showProgress = showProgress
    }
}

/// What a train run did.
public struct TrainReport: Sendable {
    public var modelName: String
    public var epochs: Int
    public var bestEpoch: Int
    public var bestValidMetric: Double
    public var testMetrics: [String: Double]
    /// The global step of the checkpoint this run resumed from (nil: fresh start).
    public var resumedFromStep: Int?
    /// Mean wall seconds per epoch run in this process (training steps only).
    public var secondsPerEpoch: Double
    /// Peak resident set of this process when the run finished (training and the test
    /// evaluation; in a pipeline process also the stages before it).
    public var peakResidentBytes: Int
    public var modelPath: String
    public var modelHash: UInt64
}

/// The train stage: trains `config.model` on `data`, early-stops on the validation split,
/// evaluates the best checkpoint on the test split, and writes into `outputDirectory`:
/// `checkpoints/`, `best.ckpt`, `model.accfmodel` (FinalModel), `results.json`, `metrics.jsonl`.
/// Killed at any moment and re-run, it resumes and produces the same model bytes.
public enum TrainStage {
    public static func run(config: TrainConfig, data: TrainingData, outputDirectory: String,
                           options: TrainOptions = TrainOptions(), logger: Logger) throws -> TrainReport {
        let trainer = try Trainer(config: config, data: data, outputDirectory: outputDirectory, options: options, logger: logger)
        return try trainer.run()
    }
}
