import Core
import Ingest

/// Timing of the engine's hot paths for `accf bench train`: training epochs (no checkpoint or
/// evaluation) and one full-ranking evaluation of every validation user.
public enum TrainBenchmark {
    public struct Timing: Sendable {
        /// Wall seconds of each timed epoch.
        public var epochSeconds: [Double]
        /// Wall seconds of one all-user evaluation (clean forward + ranking + metrics).
        public var evaluationSeconds: Double
        public var evaluatedUsers: Int
        public var steps: Int
    }

    public static func run(config: TrainConfig, data: TrainingData, epochs: Int) throws -> Timing {
        try config.validate()
        guard let type = ModelRegistry.model(named: config.model) else { throw AccfError.usage("unknown model \(config.model)") }
        let sampler = TripletSampler(interactions: data.train, userCount: data.userCount, itemCount: data.itemCount)
        let context = StepContext(config: config, graph: data.graph,
                                  validation: TripletSampler(interactions: data.valid, userCount: data.userCount, itemCount: data.itemCount))
        let model = try type.init(context: ModelContext(config: config, userCount: data.userCount, itemCount: data.itemCount,
                                                        graph: data.graph, train: data.train, initRNG: SeededGenerator(seed: config.seed)))
        var rng = SeededGenerator(seed: config.seed)
        var seconds: [Double] = []
        let batches = sampler.batchCount(batchSize: config.batchSize)
        for epoch in 0..<epochs {
            let watch = Stopwatch()
            try model.beginEpoch(epoch, context: context)
            let order = sampler.epochOrder(seed: config.seed, epoch: epoch)
            for b in 0..<batches {
                context.globalStep = epoch * batches + b
                _ = try model.trainStep(sampler.batch(order: order, index: b, batchSize: config.batchSize, rng: &rng), context: context)
            }
            seconds.append(watch.seconds)
        }
        let evaluator = Evaluator(userCount: data.userCount, heldOut: data.valid.count > 0 ? data.valid : data.test,
                                  masked: [data.train], ks: config.ks)
        let watch = Stopwatch()
        let emb = model.finalEmbeddings(threads: config.resolvedThreads)
        _ = evaluator.evaluate(userEmbeddings: emb.users, itemEmbeddings: emb.items, dim: config.dim, threads: config.resolvedThreads)
        return Timing(epochSeconds: seconds, evaluationSeconds: watch.seconds, evaluatedUsers: evaluator.userCount, steps: batches)
    }
}
