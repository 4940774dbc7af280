/// The BPR loss and its hand-written gradient, plus LightGCN's L2 term on the initial embeddings.
///
/// Embeddings are one row-major node table (users 0..<U, then items at U + i), the layout of the
/// propagation, so gradients land where `Propagation` expects them.
/// For x = ŷᵤᵢ − ŷᵤⱼ: l = softplus(−x) and dl/dx = −σ(−x); the batch loss is the mean.
public enum BPRLoss {
    /// Mean BPR loss of the batch on embeddings `e`; adds `scale · ∂loss/∂e` into `gradient`.
    /// With `weights` (one per triplet) the gradient is that of Σ wₖ·lₖ·scale/batch while the
    /// returned loss stays the plain mean (instance-weighted BPR normalizes by its own Σw).
    /// Each row's gradient receives its additions in batch order on any number of `threads`, so
    /// the bytes do not depend on it (`TripletKernel`).
    @discardableResult
    public static func lossAndGradient(embeddings e: [Float], dim: Int, userCount: Int, batch: TripletBatch,
                                       gradient: inout [Float], scale: Float = 1, weights: [Float]? = nil,
                                       threads: Int = 1) -> Double {
        let n = batch.count
        guard n > 0 else { return 0 }
        precondition(e.count == gradient.count && weights.map { $0.count == n } ?? true)
        let total = e.withUnsafeBufferPointer { ep in
            gradient.withUnsafeMutableBufferPointer { gp in
                batch.users.withUnsafeBufferPointer { us in
                    batch.positives.withUnsafeBufferPointer { ps in
                        batch.negatives.withUnsafeBufferPointer { ns in
                            if let weights {
                                return weights.withUnsafeBufferPointer { wp in
                                    TripletKernel.bpr(e: ep.baseAddress!, g: gp.baseAddress!, dim: dim, userCount: userCount,
                                                      users: us.baseAddress!, positives: ps.baseAddress!, negatives: ns.baseAddress!,
                                                      count: n, scale: scale / Float(n), weights: wp.baseAddress!, rowCount: e.count / dim, threads: threads)
                                }
                            }
                            return TripletKernel.bpr(e: ep.baseAddress!, g: gp.baseAddress!, dim: dim, userCount: userCount,
                                                     users: us.baseAddress!, positives: ps.baseAddress!, negatives: ns.baseAddress!,
                                                     count: n, scale: scale / Float(n), weights: nil, rowCount: e.count / dim, threads: threads)
                        }
                    }
                }
            }
        }
        return total / Double(n)
    }

    /// LightGCN's L2 term λ · ½(‖e⁰ᵤ‖² + ‖e⁰ᵢ‖² + ‖e⁰ⱼ‖²)/batch over the batch's rows of the *initial*
    /// embeddings (a row counts once per occurrence); adds its gradient into `gradient`.
    /// The ½ matches LightGCN-PyTorch, whose published `reg 1e-4` results we compare against
    /// (DESIGN.md writes the term without the ½: the same model at twice the λ).
    @discardableResult
    public static func l2(initial e: [Float], dim: Int, userCount: Int, batch: TripletBatch, lambda: Float,
                          gradient: inout [Float], threads: Int = 1) -> Double {
        let n = batch.count
        guard n > 0, lambda != 0 else { return 0 }
        precondition(e.count == gradient.count)
        let total = e.withUnsafeBufferPointer { ep in
            gradient.withUnsafeMutableBufferPointer { gp in
                batch.users.withUnsafeBufferPointer { us in
                    batch.positives.withUnsafeBufferPointer { ps in
                        batch.negatives.withUnsafeBufferPointer { ns in
                            TripletKernel.l2(e: ep.baseAddress!, g: gp.baseAddress!, dim: dim, userCount: userCount,
                                             users: us.baseAddress!, positives: ps.baseAddress!, negatives: ns.baseAddress!,
                                             count: n, w: lambda / Float(n), rowCount: e.count / dim, threads: threads)
                        }
                    }
                }
            }
        }
        return 0.5 * Double(lambda) * total / Double(n)
    }

    @inline(__always) public static func softplus(_ x: Float) -> Float {
        x > 0 ? x + log1pf(expf(-x)) : log1pf(expf(x))
    }

    @inline(__always) public static func sigmoid(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + expf(-x)) : expf(x) / (1 + expf(x))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
