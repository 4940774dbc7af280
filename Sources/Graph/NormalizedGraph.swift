/// The normalized bipartite adjacency Â = D^-1/2 A D^-1/2 in CSR form, A = [[0, R], [Rᵀ, 0]].
///
/// Nodes 0..<userCount are users, userCount..<nodeCount are items. Â is symmetric, so the same
/// matrix serves LightGCN's forward and backward propagation.
///
/// CONTRACT STUB: the graph stage (issue 4) owns this type and may change its storage (e.g. a
/// memory-mapped file) but keeps these members.
public final class NormalizedGraph: @unchecked Sendable {
    public let userCount: Int
    public let itemCount: Int
    /// Row pointers, nodeCount + 1 entries.
    public let rowPointers: [Int]
    /// Column index per nonzero.
    public let columns: [UInt32]
    /// Value per nonzero.
    public let values: [Float]

    public var nodeCount: Int { userCount + itemCount }
    public var nonzeroCount: Int { columns.count }

    public init(userCount: Int, itemCount: Int, rowPointers: [Int], columns: [UInt32], values: [Float]) {
        self.userCount = userCount
        self.itemCount = itemCount
        self.rowPointers = rowPointers
        self.columns = columns
        self.values = values
    }
}

/// Sparse × dense products with Â. CONTRACT STUB (naive reference; issue 4 makes it fast).
public enum Propagation {
    /// y = Â x, x and y row-major nodeCount × dim.
    public static func multiply(_ graph: NormalizedGraph, _ x: [Float], dim: Int, into y: inout [Float], threads: Int = 1) {
        precondition(x.count == graph.nodeCount * dim && y.count == x.count)
        for r in 0..<graph.nodeCount {
            for c in 0..<dim { y[r * dim + c] = 0 }
            for k in graph.rowPointers[r]..<graph.rowPointers[r + 1] {
                let col = Int(graph.columns[k]), v = graph.values[k]
                for c in 0..<dim { y[r * dim + c] += v * x[col * dim + c] }
            }
        }
    }

    /// out = (1/(L+1)) Σ_{l=0..L} Âˡ x — the LightGCN layer mean; also its own adjoint (backward).
    public static func layerMean(_ graph: NormalizedGraph, _ x: [Float], dim: Int, layers: Int, into out: inout [Float], threads: Int = 1) {
        var current = x
        var next = [Float](repeating: 0, count: x.count)
        out = x
        for _ in 0..<layers {
            multiply(graph, current, dim: dim, into: &next, threads: threads)
            for i in out.indices { out[i] += next[i] }
            swap(&current, &next)
        }
        let scale = 1 / Float(layers + 1)
        for i in out.indices { out[i] *= scale }
    }
}
