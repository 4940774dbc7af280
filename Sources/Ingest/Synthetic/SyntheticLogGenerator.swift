import Core

/// Streams a synthetic raw interaction log with planted structure (see `SyntheticConfig`).
///
/// Lines are produced in chunks of about 1 MiB and handed to a sink, so sizes from a few hundred
/// lines to tens of millions cost the same memory. Same config (seed included) → same bytes.
public struct SyntheticLogGenerator {
    public let config: SyntheticConfig
    /// The hidden truth, for tests and reports.
    public let population: LatentPopulation

    /// What was written.
    public struct Summary: Sendable, Equatable {
        public var lines = 0
        public var malformedLines = 0
        /// Well-formed interactions whose item shares the user's cluster.
        public var inClusterInteractions = 0
        public var bytes = 0
    }

    public init(config: SyntheticConfig) throws {
        try config.validate()
        self.config = config
        population = LatentPopulation(config: config)
    }

    /// Generates every line and passes chunks to `sink`.
    public func generate(_ sink: ([UInt8]) throws -> Void) throws -> Summary {
        var rng = SeededGenerator(seed: config.seed, stream: 2)
        let formatter = SyntheticLineFormatter(format: config.format, reviewWords: config.reviewWords, seed: config.seed)
        var summary = Summary()
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20 + 4096)
        if let header = formatter.header {
            chunk.append(contentsOf: header.utf8)
            chunk.append(10)
        }
        let n = max(config.interactions, 1)
        for line in 0..<config.interactions {
            let (user, item) = population.drawInteraction(&rng, inCluster: config.inClusterProbability)
            let sameCluster = population.userCluster[user] == population.itemCluster[item]
            // Ratings follow affinity: in-cluster items are mostly liked, others mostly not.
            let affinity = sameCluster ? 1.2 : -0.8
            let rating = min(5, max(1, Int((3 + affinity + 0.9 * rng.nextGaussian()).rounded())))
            let time = config.startTime + Int64(Double(config.spanSeconds) * (Double(line) + rng.nextUnitDouble()) / Double(n))
            if config.malformedFraction > 0 && rng.nextUnitDouble() < config.malformedFraction {
                formatter.appendMalformedLine(user: user, item: item, rating: rating, time: time, line: line, rng: &rng, to: &chunk)
                summary.malformedLines += 1
            } else {
                formatter.appendLine(user: user, item: item, rating: rating, time: time, line: line, rng: &rng, to: &chunk)
                if sameCluster { summary.inClusterInteractions += 1 }
            }
            summary.lines += 1
            if chunk.count >= 1 << 20 {
                summary.bytes += chunk.count
                try sink(chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty {
            summary.bytes += chunk.count
            try sink(chunk)
        }
        return summary
    }

    /// Generates into a file (compressed by its extension), published atomically.
    public func write(to path: String) throws -> Summary {
        let writer = try CompressedFileWriter(path: path)
        let summary = try generate { try writer.write($0) }
        try writer.finish()
        return summary
    }
}
