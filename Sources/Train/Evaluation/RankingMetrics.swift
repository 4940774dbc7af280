/// The ranking metrics of the evaluation protocol (DESIGN.md), for one user at one cutoff.
///
/// Why one small pure function: every metric is defined once, tested against hand-computed
/// cases, and reused by evaluation, breakdowns and export reports alike.
public enum RankingMetric: String, CaseIterable, Sendable, Codable {
    case precision, recall, ndcg, map
    case hitRate = "hit_rate"

    /// The key used in logs and results files, e.g. "ndcg@20".
    public func key(at k: Int) -> String { "\(rawValue)@\(k)" }

    /// Parses "ndcg@20" into (metric, cutoff).
    public static func parse(_ key: String) -> (RankingMetric, Int)? {
        let parts = key.split(separator: "@")
        guard parts.count == 2, let m = RankingMetric(rawValue: String(parts[0])), let k = Int(parts[1]), k > 0 else { return nil }
        return (m, k)
    }
}

/// Per-user metric arithmetic, separate from ranking so it can be checked against hand-computed
/// cases without embeddings.
public enum RankingMetrics {
    /// Metrics of one ranked list against the user's held-out items.
    ///
    /// - Parameters:
    ///   - ranked: the top items, best first (at least `k` entries or padded with UInt32.max).
    ///   - relevant: the held-out items, sorted ascending (non-empty).
    /// - Returns: values in `RankingMetric.allCases` order.
    public static func compute(ranked: ArraySlice<UInt32>, relevant: ArraySlice<UInt32>, k: Int) -> [Double] {
        precondition(!relevant.isEmpty && k > 0)
        var hits = 0
        var dcg = 0.0
        var apSum = 0.0
        var rank = 0
        for item in ranked.prefix(k) {
            rank += 1
            if item != UInt32.max && contains(relevant, item) {
                hits += 1
                dcg += 1 / log2(Double(rank) + 1)
                apSum += Double(hits) / Double(rank)
            }
        }
        let ideal = min(relevant.count, k)
        var idcg = 0.0
        for r in 1...ideal { idcg += 1 / log2(Double(r) + 1) }
        return [
            Double(hits) / Double(k),
            Double(hits) / Double(relevant.count),
            dcg / idcg,
            apSum / Double(ideal),
            hits > 0 ? 1 : 0,
        ]
    }

    @inline(__always)
    static func contains(_ sorted: ArraySlice<UInt32>, _ item: UInt32) -> Bool {
        var lo = sorted.startIndex, hi = sorted.endIndex
        while lo < hi {
            let mid = (lo + hi) >> 1
            if sorted[mid] == item { return true }
            if sorted[mid] < item { lo = mid + 1 } else { hi = mid }
        }
        return false
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
