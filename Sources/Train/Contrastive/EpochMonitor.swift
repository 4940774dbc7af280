/// Running means and maxima of monitoring values over one epoch (instance-weight statistics,
/// loss terms), handed to the per-epoch log by `RecommenderModel.takeEpochMonitors`.
///
/// Why not part of the checkpointed state: monitors are diagnostics only; they never influence a
/// later step, so a resumed epoch's monitors cover the steps since resuming (stated in the log).
public struct EpochMonitor: Sendable {
    var sums: [String: Double] = [:]
    var counts: [String: Int] = [:]
    var maxima: [String: Double] = [:]

    public init() {}

    /// Adds one observation to the mean of `key`.
    public mutating func mean(_ key: String, _ value: Double) {
        guard value.isFinite else { return }
        sums[key, default: 0] += value
        counts[key, default: 0] += 1
    }

    /// Keeps the largest observation of `key`.
    public mutating func max(_ key: String, _ value: Double) {
        guard value.isFinite else { return }
        maxima[key] = Swift.max(maxima[key] ?? -.infinity, value)
    }

    /// The epoch's values, then resets.
    public mutating func take() -> [String: Double] {
        var out = maxima
        for (k, s) in sums { out[k] = s / Double(counts[k] ?? 1) }
        self = EpochMonitor()
        return out
    }

    /// Pearson correlation of two equally long samples (0 when either is constant).
    public static func correlation(_ x: [Float], _ y: [Float]) -> Double {
        let n = Double(x.count)
        guard x.count == y.count, x.count > 1 else { return 0 }
        let mx = x.reduce(0.0) { $0 + Double($1) } / n, my = y.reduce(0.0) { $0 + Double($1) } / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for k in x.indices {
            let a = Double(x[k]) - mx, b = Double(y[k]) - my
            sxy += a * b; sxx += a * a; syy += b * b
        }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
    }
}
