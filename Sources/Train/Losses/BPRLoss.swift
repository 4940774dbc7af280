/// The BPR loss and its hand-written gradient, plus LightGCN's L2 term on the initial embeddings.
///
/// Embeddings are one row-major node table (users 0..<U, then items at U + i), the layout of the
/// propagation, so gradients land where `Propagation` expects them.
/// For x = ŷᵤᵢ − ŷᵤⱼ: l = softplus(−x) and dl/dx = −σ(−x); the batch loss is the mean.
public enum BPRLoss {
    /// Mean BPR loss of the batch on embeddings `e`; adds `scale · ∂loss/∂e` into `gradient`.
    /// Accumulation runs serially in batch order, so the bytes are deterministic.
    @discardableResult
    public static func lossAndGradient(embeddings e: [Float], dim: Int, userCount: Int, batch: TripletBatch,
                                       gradient: inout [Float], scale: Float = 1) -> Double {
        let n = batch.count
        guard n > 0 else { return 0 }
        var total = 0.0
        let w = scale / Float(n)
        e.withUnsafeBufferPointer { ep in
            gradient.withUnsafeMutableBufferPointer { gp in
                for k in 0..<n {
                    let u = Int(batch.users[k]) * dim
                    let i = (userCount + Int(batch.positives[k])) * dim
                    let j = (userCount + Int(batch.negatives[k])) * dim
                    var x: Float = 0
                    for c in 0..<dim { x += ep[u + c] * (ep[i + c] - ep[j + c]) }
                    total += Double(softplus(-x))
                    let d = -sigmoid(-x) * w   // ∂l/∂x, scaled
                    for c in 0..<dim {
                        let eu = ep[u + c], ei = ep[i + c], ej = ep[j + c]
                        gp[u + c] += d * (ei - ej)
                        gp[i + c] += d * eu
                        gp[j + c] -= d * eu
                    }
                }
            }
        }
        return total / Double(n)
    }

    /// LightGCN's L2 term λ · ½(‖e⁰ᵤ‖² + ‖e⁰ᵢ‖² + ‖e⁰ⱼ‖²)/batch over the batch's rows of the *initial*
    /// embeddings (a row counts once per occurrence); adds its gradient into `gradient`.
    /// The ½ matches LightGCN-PyTorch, whose published `reg 1e-4` results we compare against.
    @discardableResult
    public static func l2(initial e: [Float], dim: Int, userCount: Int, batch: TripletBatch, lambda: Float,
                          gradient: inout [Float]) -> Double {
        let n = batch.count
        guard n > 0, lambda != 0 else { return 0 }
        var total = 0.0
        let w = lambda / Float(n)
        for k in 0..<n {
            for row in [Int(batch.users[k]), userCount + Int(batch.positives[k]), userCount + Int(batch.negatives[k])] {
                let o = row * dim
                var s: Float = 0
                for c in 0..<dim {
                    s += e[o + c] * e[o + c]
                    gradient[o + c] += w * e[o + c]
                }
                total += Double(s)
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
