/// Degree distribution of a set of nodes: what a reader of the stage report needs to judge a graph.
///
/// Why stored in the graph file header too: a tool can describe a graph without touching its arrays.
public struct DegreeSummary: Sendable, Equatable, Codable {
    /// Number of nodes summarized.
    public var nodes: Int
    /// Smallest degree (0 when there are no nodes).
    public var min: Int
    /// Median degree (lower median for an even count).
    public var median: Int
    /// Largest degree.
    public var max: Int
    /// Nodes with degree 0 (no train interaction): their rows are empty.
    public var isolated: Int

    public init(nodes: Int, min: Int, median: Int, max: Int, isolated: Int) {
        self.nodes = nodes
        self.min = min
        self.median = median
        self.max = max
        self.isolated = isolated
    }

    /// Summarizes the degrees of `rows` from CSR row pointers, in O(rows) with a counting pass.
    init<C: RandomAccessCollection>(rowPointers: C, rows: Range<Int>) where C.Element == Int, C.Index == Int {
        guard !rows.isEmpty else {
            self.init(nodes: 0, min: 0, median: 0, max: 0, isolated: 0)
            return
        }
        var lo = Int.max, hi = 0, isolated = 0
        for r in rows {
            let d = rowPointers[r + 1] - rowPointers[r]
            lo = Swift.min(lo, d)
            hi = Swift.max(hi, d)
            if d == 0 { isolated += 1 }
        }
        // Counting selection of the lower median: degrees are bounded by the node count.
        var histogram = [Int](repeating: 0, count: hi - lo + 1)
        for r in rows { histogram[rowPointers[r + 1] - rowPointers[r] - lo] += 1 }
        let rank = (rows.count - 1) / 2
        var seen = 0, median = lo
        for (offset, n) in histogram.enumerated() {
            seen += n
            if seen > rank { median = lo + offset; break }
        }
        self.init(nodes: rows.count, min: lo, median: median, max: hi, isolated: isolated)
    }
}
