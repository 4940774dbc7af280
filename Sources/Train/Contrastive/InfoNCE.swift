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
    /// Pass a `workspace` to reuse the |B|² scratch matrices across calls (a training loop should).
    @discardableResult
    public static func lossAndGradient(view1: [Float], view2: [Float], dim: Int, rows: [Int],
                                       temperature: Float, scale: Float,
                                       gradient1: inout [Float], gradient2: inout [Float],
                                       threads: Int = 1, workspace: InfoNCEWorkspace? = nil, profile: PhaseProfile? = nil) -> Float {
        let m = rows.count
        guard m > 0 else { return 0 }
        precondition(view1.count == view2.count && gradient1.count == view1.count && gradient2.count == view2.count)
        precondition(rows.allSatisfy { $0 >= 0 && ($0 + 1) * dim <= view1.count }, "InfoNCE rows out of range")
        let invTau = 1 / temperature
        // Padded shapes for SmallGEMM: rows and columns of S to a multiple of 16, d likewise; the
        // leading dimension of bᵀ, Gᵀ and the row blocks is moved off the power of two mp often
        // is (2,048 on yelp2018), where strided reads all fell into the same cache sets.
        let mp = (m + 15) / 16 * 16, dp = (dim + 15) / 16 * 16, ld = mp + 16
        let w = workspace ?? InfoNCEWorkspace()
        let a = w.buffer(.a, mp * dp), b = w.buffer(.b, mp * dp), bt = w.buffer(.bt, dp * ld)
        let gt = w.buffer(.gt, mp * ld)
        let ga = w.buffer(.ga, mp * dp), gb = w.buffer(.gb, mp * dp)
        let normA = w.buffer(.normA, m), normB = w.buffer(.normB, m)
        let rowLoss = w.losses(m)
        let blocks = Parallel.evenRanges(count: (mp + blockRows - 1) / blockRows, parts: threads)
        let blockScratch = w.buffer(.rowBlock, blocks.count * blockRows * ld)
        profile.measure("infonce: gather") {
            a.update(repeating: 0, count: mp * dp)
            b.update(repeating: 0, count: mp * dp)
            rows.withUnsafeBufferPointer { rp in
                view1.withUnsafeBufferPointer { v in
                    ContrastiveKernels.gather(v.baseAddress!, rows: rp.baseAddress!, count: m, dim: dim, stride: dp, out: a, norms: normA, floor: normFloor)
                }
                view2.withUnsafeBufferPointer { v in
                    ContrastiveKernels.gather(v.baseAddress!, rows: rp.baseAddress!, count: m, dim: dim, stride: dp, out: b, norms: normB, floor: normFloor)
                }
            }
            for v in 0..<mp { for c in 0..<dp { bt[c * ld + v] = b[v * dp + c] } }
        }
        // Per block of rows u: S = a bᵀ, G[u][v] = (softmax_v(S[u][·]/τ) − [u == v]) / m, the
        // row losses, ∂L/∂a = G b / τ, and G's columns into Gᵀ, all while the block is in cache.
        profile.measure("infonce: row blocks") {
            let shapes = ContrastiveKernels.RowBlockShapes(m: m, mp: mp, dp: dp, ld: ld, blockRows: blockRows, invTau: invTau)
            let buffers = ContrastiveKernels.RowBlockBuffers(a: a, b: b, bt: bt, ga: ga, gt: gt, losses: rowLoss)
            let scratch = SharedFloats(base: blockScratch)
            Parallel.run(blocks) { part, range in
                for block in range {
                    ContrastiveKernels.rowBlock(block, shapes: shapes, buffers: buffers,
                                                scratch: scratch.base + part * blockRows * ld)
                }
            }
        }
        // ∂L/∂b = Gᵀ a / τ (rows v); then both back through the normalization.
        profile.measure("infonce: Gᵀ a") {
            SmallGEMM.multiply(m: mp, n: dp, k: mp, x: gt, xRow: ld, xColumn: 1, y: a, ldy: dp, c: gb, ldc: dp, threads: threads)
        }
        profile.measure("infonce: scatter") {
            rows.withUnsafeBufferPointer { rp in
                gradient1.withUnsafeMutableBufferPointer { gp in
                    ContrastiveKernels.scatter(ga, normalized: a, norms: normA, rows: rp.baseAddress!, count: m, dim: dim, stride: dp,
                                               scale: scale * invTau, floor: normFloor, into: gp.baseAddress!)
                }
                gradient2.withUnsafeMutableBufferPointer { gp in
                    ContrastiveKernels.scatter(gb, normalized: b, norms: normB, rows: rp.baseAddress!, count: m, dim: dim, stride: dp,
                                               scale: scale * invTau, floor: normFloor, into: gp.baseAddress!)
                }
            }
        }
        var total = 0.0
        for u in 0..<m { total += rowLoss[u] }
        return Float(total / Double(m))
    }

    /// The smallest norm divided by, as in `F.normalize(eps: 1e-12)`.
    static let normFloor: Float = 1e-12

    /// Rows of S per cache-resident block (a multiple of 6 and 16: whole GEMM tiles, and blocks
    /// of Gᵀ columns that start on cache lines). Why blocks: materializing the |B|² matrix S and
    /// passing over it three times (softmax, G b, Gᵀ a) was bound by memory, not arithmetic — the
    /// products barely sped up with a second thread on yelp2018 (S: 10.0 s/epoch → 9.0 s).
    static let blockRows = 48
}

/// Scratch matrices of `InfoNCE`, kept between calls: at |B| ≈ 2,000 the |B|² matrix Gᵀ is 16 MB, and fresh ones every call cost page faults and zeroing on every step.
/// Not safe to use from two concurrent calls.
public final class InfoNCEWorkspace: @unchecked Sendable {
    enum Slot: Int, CaseIterable { case a, b, bt, gt, ga, gb, normA, normB, rowBlock }
    private var floats: [UnsafeMutablePointer<Float>?] = Array(repeating: nil, count: Slot.allCases.count)
    private var capacities = [Int](repeating: 0, count: Slot.allCases.count)
    private var doubles: UnsafeMutablePointer<Double>?
    private var doubleCapacity = 0

    public init() {}

    /// At least `count` floats; contents unspecified.
    func buffer(_ slot: Slot, _ count: Int) -> UnsafeMutablePointer<Float> {
        let k = slot.rawValue
        if let p = floats[k], capacities[k] >= count { return p }
        floats[k]?.deallocate()
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 16))
        floats[k] = p
        capacities[k] = max(count, 16)
        return p
    }

    func losses(_ count: Int) -> UnsafeMutablePointer<Double> {
        if let d = doubles, doubleCapacity >= count { return d }
        doubles?.deallocate()
        let d = UnsafeMutablePointer<Double>.allocate(capacity: max(count, 1))
        doubles = d
        doubleCapacity = max(count, 1)
        return d
    }

    deinit {
        for p in floats { p?.deallocate() }
        doubles?.deallocate()
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
