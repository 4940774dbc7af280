import Core

/// InfoNCE with cosine similarity, temperature τ and in-batch negatives between two views.
///
/// L = −(1/|B|) Σᵤ∈B log( exp(s(aᵤ, bᵤ)/τ) / Σᵥ∈B exp(s(aᵤ, bᵥ)/τ) ), with aᵤ a row of view 1,
/// bᵥ a row of view 2 and s the cosine similarity. B is a set of *distinct* node rows (the batch's
/// distinct users, or its distinct positive items), as the reference implementations use it: a
/// repeated row would be its own negative. Why it matters for ACCF: the findings note that most of
/// the gain comes from this term acting as a uniformity penalty over the batch.
///
/// Cost O(|B|² d), split over threads by fixed row partitions (deterministic bytes).
public enum InfoNCE {
    /// Returns the loss and adds `scale · ∂L/∂view1` into `gradient1` and `scale · ∂L/∂view2` into
    /// `gradient2` (both node-table shaped). `gradient1` and `gradient2` may not alias; when the two
    /// views share parameters the caller adds the two gradients.
    /// Rows with a norm below 1e-12 are normalized as x / 1e-12 (PyTorch's `F.normalize`).
    @discardableResult
    public static func lossAndGradient(view1: [Float], view2: [Float], dim: Int, rows: [Int],
                                       temperature: Float, scale: Float,
                                       gradient1: inout [Float], gradient2: inout [Float],
                                       threads: Int = 1) -> Float {
        let m = rows.count
        guard m > 0 else { return 0 }
        precondition(view1.count == view2.count && gradient1.count == view1.count && gradient2.count == view2.count)
        let invTau = 1 / temperature
        // Padded shapes for SmallGEMM: rows and columns of S to a multiple of 16, d likewise.
        let mp = (m + 15) / 16 * 16, dp = (dim + 15) / 16 * 16
        var a = [Float](repeating: 0, count: mp * dp), b = a
        var normA = [Float](repeating: 0, count: m), normB = normA
        gather(view1, rows: rows, dim: dim, stride: dp, into: &a, norms: &normA)
        gather(view2, rows: rows, dim: dim, stride: dp, into: &b, norms: &normB)
        var bt = [Float](repeating: 0, count: dp * mp)
        for v in 0..<m { for c in 0..<dim { bt[c * mp + v] = b[v * dp + c] } }

        // S = a bᵀ; then in place G[u][v] = (softmax_v(S[u][·]/τ) − [u == v]) / m; per-row losses.
        var g = [Float](repeating: 0, count: mp * mp)
        var rowLoss = [Double](repeating: 0, count: m)
        let parts = Parallel.evenRanges(count: m, parts: threads)
        a.withUnsafeBufferPointer { pa in bt.withUnsafeBufferPointer { pbt in g.withUnsafeMutableBufferPointer { pg in
            SmallGEMM.multiply(m: mp, n: mp, k: dp, x: pa.baseAddress!, xRow: dp, xColumn: 1,
                               y: pbt.baseAddress!, ldy: mp, c: pg.baseAddress!, ldc: mp, threads: threads)
        }}}
        g.withUnsafeMutableBufferPointer { pg in rowLoss.withUnsafeMutableBufferPointer { pl in
            let G = SharedFloats(base: pg.baseAddress!)
            let L = SharedDoubles(base: pl.baseAddress!)
            Parallel.run(parts) { _, range in
                for u in range {
                    let row = G.base + u * mp
                    var maxS = -Float.infinity
                    for v in 0..<m { row[v] *= invTau; maxS = max(maxS, row[v]) }
                    var sum: Float = 0
                    for v in 0..<m { let e = expf(row[v] - maxS); row[v] = e; sum += e }
                    L.base[u] = -Double(logf(row[u] / sum))
                    let inv = 1 / (sum * Float(m))
                    for v in 0..<m { row[v] *= inv }
                    row[u] -= 1 / Float(m)
                    for v in m..<mp { row[v] = 0 }
                }
            }
        }}
        for i in (m * mp)..<(mp * mp) { g[i] = 0 }

        // ∂L/∂a = G b / τ (rows u); ∂L/∂b = Gᵀ a / τ (rows v); then back through the normalization.
        var ga = [Float](repeating: 0, count: mp * dp), gb = ga
        g.withUnsafeBufferPointer { pg in b.withUnsafeBufferPointer { pb in
            ga.withUnsafeMutableBufferPointer { pga in
                SmallGEMM.multiply(m: mp, n: dp, k: mp, x: pg.baseAddress!, xRow: mp, xColumn: 1,
                                   y: pb.baseAddress!, ldy: dp, c: pga.baseAddress!, ldc: dp, threads: threads)
            }
        }}
        // Gᵀ materialized (16 × 16 tiles): the strided X of SmallGEMM would walk G's columns
        // across cache lines for every output block.
        var gt = [Float](repeating: 0, count: mp * mp)
        g.withUnsafeBufferPointer { pg in gt.withUnsafeMutableBufferPointer { pt in
            let G = SharedConstFloats(base: pg.baseAddress!), T = SharedFloats(base: pt.baseAddress!)
            Parallel.run(Parallel.evenRanges(count: mp / 16, parts: threads)) { _, tiles in
                for ti in tiles { for tj in 0..<(mp / 16) {
                    for i in (ti * 16)..<(ti * 16 + 16) { for j in (tj * 16)..<(tj * 16 + 16) { T.base[i * mp + j] = G.base[j * mp + i] } }
                }}
            }
        }}
        gt.withUnsafeBufferPointer { pt in a.withUnsafeBufferPointer { pa in gb.withUnsafeMutableBufferPointer { pgb in
            SmallGEMM.multiply(m: mp, n: dp, k: mp, x: pt.baseAddress!, xRow: mp, xColumn: 1,
                               y: pa.baseAddress!, ldy: dp, c: pgb.baseAddress!, ldc: dp, threads: threads)
        }}}
        scatterThroughNormalization(ga, normalized: a, norms: normA, rows: rows, dim: dim, stride: dp,
                                    scale: scale * invTau, into: &gradient1)
        scatterThroughNormalization(gb, normalized: b, norms: normB, rows: rows, dim: dim, stride: dp,
                                    scale: scale * invTau, into: &gradient2)
        return Float(rowLoss.reduce(0, +) / Double(m))
    }

    /// The smallest norm divided by, as in `F.normalize(eps: 1e-12)`.
    static let normFloor: Float = 1e-12

    static func gather(_ view: [Float], rows: [Int], dim: Int, stride: Int, into out: inout [Float], norms: inout [Float]) {
        for (r, node) in rows.enumerated() {
            var sq: Float = 0
            for c in 0..<dim { let x = view[node * dim + c]; sq += x * x }
            let n = sq.squareRoot()
            norms[r] = n
            let inv = 1 / max(n, normFloor)
            for c in 0..<dim { out[r * stride + c] = view[node * dim + c] * inv }
        }
    }

    /// x ↦ x/‖x‖ has Jacobian (I − x̂x̂ᵀ)/‖x‖; below the floor it is x/floor (identity/floor).
    static func scatterThroughNormalization(_ gradNormalized: [Float], normalized: [Float], norms: [Float],
                                            rows: [Int], dim: Int, stride: Int, scale: Float, into gradient: inout [Float]) {
        for (r, node) in rows.enumerated() {
            let base = r * stride
            if norms[r] > normFloor {
                var proj: Float = 0
                for c in 0..<dim { proj += gradNormalized[base + c] * normalized[base + c] }
                let inv = scale / norms[r]
                for c in 0..<dim {
                    gradient[node * dim + c] += (gradNormalized[base + c] - proj * normalized[base + c]) * inv
                }
            } else {
                let inv = scale / normFloor
                for c in 0..<dim { gradient[node * dim + c] += gradNormalized[base + c] * inv }
            }
        }
    }
}

/// `SharedFloats` for Double accumulators.
struct SharedDoubles: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
