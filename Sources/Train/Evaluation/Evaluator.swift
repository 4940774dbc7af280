import Core
import Ingest

/// Per-user ranking metrics of one evaluation, kept so that breakdowns (cold-start users,
/// users hit by injected noise) can be averaged over any subset afterwards.
public struct EvaluationResult: Sendable {
    /// Cutoffs, ascending.
    public let ks: [Int]
    /// Evaluated users (those with ≥ 1 held-out item), ascending.
    public let users: [UInt32]
    /// Held-out item count per evaluated user.
    public let heldOutCounts: [Int]
    /// users.count × ks.count × RankingMetric.allCases.count values.
    public let values: [Double]

    /// One user's value (index into `users`).
    public func value(_ metric: RankingMetric, at k: Int, userIndex: Int) -> Double {
        guard let kIndex = ks.firstIndex(of: k), let mIndex = RankingMetric.allCases.firstIndex(of: metric) else { return .nan }
        return values[(userIndex * ks.count + kIndex) * RankingMetric.allCases.count + mIndex]
    }

    /// Mean over the evaluated users that pass `include` (given the user index); NaN for none.
    public func mean(_ metric: RankingMetric, at k: Int, include: (UInt32) -> Bool = { _ in true }) -> Double {
        var sum = 0.0, n = 0
        for (index, user) in users.enumerated() where include(user) {
            sum += value(metric, at: k, userIndex: index)
            n += 1
        }
        return n > 0 ? sum / Double(n) : .nan
    }

    /// Every metric at every cutoff averaged over the users with fewer than `threshold` held-out
    /// items, and how many they are: the article's "sparse users" breakdown (< 10 test
    /// interactions), which a study compares with the all-user averages. NaN values for none.
    public func averages(heldOutBelow threshold: Int) -> (users: Int, averages: [String: Double]) {
        var sums = [Double](repeating: 0, count: ks.count * RankingMetric.allCases.count)
        var n = 0
        for index in users.indices where heldOutCounts[index] < threshold {
            n += 1
            for kIndex in ks.indices {
                for (mIndex, metric) in RankingMetric.allCases.enumerated() {
                    sums[kIndex * RankingMetric.allCases.count + mIndex] += value(metric, at: ks[kIndex], userIndex: index)
                }
            }
        }
        var out: [String: Double] = [:]
        for (kIndex, k) in ks.enumerated() {
            for (mIndex, metric) in RankingMetric.allCases.enumerated() {
                out[metric.key(at: k)] = n > 0 ? sums[kIndex * RankingMetric.allCases.count + mIndex] / Double(n) : .nan
            }
        }
        return (n, out)
    }

    /// Every metric at every cutoff, averaged over all evaluated users: "ndcg@20" → value.
    public var averages: [String: Double] {
        var out: [String: Double] = [:]
        for k in ks { for m in RankingMetric.allCases { out[m.key(at: k)] = mean(m, at: k) } }
        return out
    }
}

/// Full-ranking evaluation over all items (DESIGN.md, "Evaluation protocol").
///
/// Built once per split: which users are evaluated, their held-out items, and which items are
/// masked (train when validating; train and valid when testing). `evaluate` then ranks with
/// `TopKRetrieval` — the same ranking export uses — and scores every user.
public struct Evaluator: Sendable {
    public let ks: [Int]
    let users: [UInt32]
    let relevantPointers: [Int]
    let relevantItems: [UInt32]
    let exclusions: ItemExclusions   // indexed by position in `users`

    /// - Parameters:
    ///   - heldOut: the split evaluated (valid or test).
    ///   - masked: splits whose items are excluded from a user's ranking.
    public init(userCount: Int, heldOut: InteractionColumns, masked: [InteractionColumns], ks: [Int]) {
        self.ks = Array(Set(ks)).sorted()
        let byUser = ItemExclusions(userCount: userCount, splits: [heldOut])
        var users: [UInt32] = []
        var pointers = [0]
        var items: [UInt32] = []
        var remap = [Int](repeating: -1, count: userCount)
        for u in 0..<userCount where byUser.count(of: u) > 0 {
            remap[u] = users.count
            users.append(UInt32(u))
            items.append(contentsOf: byUser.items(of: u))
            pointers.append(items.count)
        }
        self.users = users
        relevantPointers = pointers
        relevantItems = items
        // Masks re-indexed by evaluated-user position so TopKRetrieval can take a contiguous range.
        let remapped = masked.map { split -> InteractionColumns in
            var c = InteractionColumns()
            for k in 0..<split.count {
                let u = Int(split.users[k])
                guard u < userCount, remap[u] >= 0 else { continue }
                c.users.append(UInt32(remap[u])); c.items.append(split.items[k])
            }
            return c
        }
        exclusions = ItemExclusions(userCount: users.count, splits: remapped)
    }

    /// Number of users with held-out items.
    public var userCount: Int { users.count }

    /// Ranks all items for every evaluated user and computes the metrics.
    public func evaluate(userEmbeddings: [Float], itemEmbeddings: [Float], dim: Int, threads: Int) -> EvaluationResult {
        let maxK = ks.last ?? 0
        var compact = [Float](repeating: 0, count: users.count * dim)
        for (index, u) in users.enumerated() {
            let src = Int(u) * dim
            for c in 0..<dim { compact[index * dim + c] = userEmbeddings[src + c] }
        }
        let top = TopKRetrieval.topK(userEmbeddings: compact, itemEmbeddings: itemEmbeddings, dim: dim,
                                     users: 0..<users.count, k: maxK, exclusions: exclusions, threads: threads)
        let metricCount = RankingMetric.allCases.count
        var values = [Double](repeating: 0, count: users.count * ks.count * metricCount)
        var counts = [Int](repeating: 0, count: users.count)
        for index in 0..<users.count {
            let relevant = relevantItems[relevantPointers[index]..<relevantPointers[index + 1]]
            counts[index] = relevant.count
            let ranked = top.items[(index * maxK)..<((index + 1) * maxK)]
            for (kIndex, k) in ks.enumerated() {
                let v = RankingMetrics.compute(ranked: ranked, relevant: relevant, k: k)
                for m in 0..<metricCount { values[(index * ks.count + kIndex) * metricCount + m] = v[m] }
            }
        }
        return EvaluationResult(ks: ks, users: users, heldOutCounts: counts, values: values)
    }
}
