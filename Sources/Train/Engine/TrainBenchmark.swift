import Core
import Ingest

/// Timing of the engine's hot paths for `accf bench train`: training epochs (no checkpoint or
/// evaluation) and one full-ranking evaluation of every validation user.
public enum TrainBenchmark {
    public struct Timing: Sendable {
        /// Wall seconds of each timed epoch (extrapolated to a whole epoch when `steps` < `epochSteps`).
        public var epochSeconds: [Double]
        /// Wall seconds of one all-user evaluation (clean forward + ranking + metrics).
        public var evaluationSeconds: Double
        public var evaluatedUsers: Int
        /// Steps timed per epoch, and the steps of a whole epoch.
        public var steps: Int
        public var epochSteps: Int
        /// Process CPU seconds per (extrapolated) epoch, all threads, averaged over the timed epochs.
        public var cpuSecondsPerEpoch: Double
        /// With `profile`: seconds per epoch of each phase the model reports, in first-seen order.
        public var phases: [(name: String, secondsPerEpoch: Double)]
    }

    /// Times `epochs` epochs of `config.model`. `maxSteps` times only the first steps of each
    /// epoch and scales to a whole epoch (heavy models on large data); `profile` collects phases.
    public static func run(config: TrainConfig, data: TrainingData, epochs: Int, maxSteps: Int? = nil,
                           profile: Bool = false) throws -> Timing {
        try config.validate()
        guard let type = ModelRegistry.model(named: config.model) else { throw AccfError.usage("unknown model \(config.model)") }
        let sampler = TripletSampler(interactions: data.train, userCount: data.userCount, itemCount: data.itemCount)
        let context = StepContext(config: config, graph: data.graph,
                                  validation: TripletSampler(interactions: data.valid, userCount: data.userCount, itemCount: data.itemCount))
        let phases = profile ? PhaseProfile() : nil
        context.profile = phases
        let model = try type.init(context: ModelContext(config: config, userCount: data.userCount, itemCount: data.itemCount,
                                                        graph: data.graph, train: data.train, initRNG: SeededGenerator(seed: config.seed)))
        var rng = SeededGenerator(seed: config.seed)
        var seconds: [Double] = []
        let batches = sampler.batchCount(batchSize: config.batchSize)
        let steps = min(batches, max(1, maxSteps ?? batches))
        let scale = Double(batches) / Double(steps)
        let cpuStart = cpuSeconds()
        var unscaledCPU = 0.0
        for epoch in 0..<epochs {
            // Per-epoch work (SGL's dropout views) is timed apart: only the steps are extrapolated.
            let beginWatch = Stopwatch(), beginCPU = cpuSeconds()
            try context.phase("begin epoch") { try model.beginEpoch(epoch, context: context) }
            let beginSeconds = beginWatch.seconds
            unscaledCPU += cpuSeconds() - beginCPU
            let watch = Stopwatch()
            let order = sampler.epochOrder(seed: config.seed, epoch: epoch)
            for b in 0..<steps {
                context.globalStep = epoch * batches + b
                context.epoch = epoch
                let batch = sampler.batch(order: order, index: b, batchSize: config.batchSize, rng: &rng)
                _ = try context.phase("step") { try model.trainStep(batch, context: context) }
            }
            seconds.append(watch.seconds * scale + beginSeconds)
        }
        let cpu = ((cpuSeconds() - cpuStart - unscaledCPU) * scale + unscaledCPU) / Double(max(epochs, 1))
        let evaluator = Evaluator(userCount: data.userCount, heldOut: data.valid.count > 0 ? data.valid : data.test,
                                  masked: [data.train], ks: config.ks)
        context.profile = nil
        let watch = Stopwatch()
        let emb = model.finalEmbeddings(threads: config.resolvedThreads)
        _ = evaluator.evaluate(userEmbeddings: emb.users, itemEmbeddings: emb.items, dim: config.dim, threads: config.resolvedThreads)
        let perEpoch = scale / Double(max(epochs, 1))
        return Timing(epochSeconds: seconds, evaluationSeconds: watch.seconds, evaluatedUsers: evaluator.userCount,
                      steps: steps, epochSteps: batches, cpuSecondsPerEpoch: cpu,
                      phases: (phases?.order ?? []).map { ($0, phases!.seconds[$0]! * ($0 == "begin epoch" ? 1 / Double(max(epochs, 1)) : perEpoch)) })
    }

    /// User + system CPU seconds of this process.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
