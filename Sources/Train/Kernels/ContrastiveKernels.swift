import Core

/// Row-level pointer loops of InfoNCE: normalize-and-gather, the softmax rows of the similarity
/// matrix, the cache-resident row blocks, and the scatter back through the normalization (internal; the safe
/// API is `InfoNCE`). All SIMD16; each output row is written by one worker with the same
/// arithmetic whatever the thread count.
enum ContrastiveKernels {
    /// out row r = view row rows[r] / max(‖·‖, floor), norms[r] = ‖·‖; padding columns stay 0.
    static func gather(_ view: UnsafePointer<Float>, rows: UnsafePointer<Int>, count: Int, dim: Int, stride: Int,
                       out: UnsafeMutablePointer<Float>, norms: UnsafeMutablePointer<Float>, floor: Float) {
        for r in 0..<count {
            let src = view + rows[r] * dim
            let n = RowKernels.dot(src, src, dim).squareRoot()
            norms[r] = n
            let inv = 1 / max(n, floor)
            let dst = out + r * stride
            for c in 0..<dim { dst[c] = src[c] * inv }
        }
    }

    /// Row u of S (length `stride`, `m` valid): S ← softmax(S/τ)/m − [v = u]/m over the valid
    /// columns, padding zeroed; returns −log softmax(S/τ)[u].
    static func softmaxRow(_ row: UnsafeMutablePointer<Float>, u: Int, m: Int, stride: Int, invTau: Float) -> Double {
        let raw = UnsafeMutableRawPointer(row)
        let full = m / 16 * 16
        let tail = m - full
        let tau = SIMD16<Float>(repeating: invTau)
        var maxV = SIMD16<Float>(repeating: -.infinity)
        var c = 0
        while c < full {
            let v = raw.loadUnaligned(fromByteOffset: c * 4, as: SIMD16<Float>.self) * tau
            raw.storeBytes(of: v, toByteOffset: c * 4, as: SIMD16<Float>.self)
            maxV.replace(with: v, where: v .> maxV)  // a blend; `pointwiseMax` is a per-lane loop
            c += 16
        }
        var maxS = maxV.max()
        for k in full..<m { row[k] *= invTau; maxS = max(maxS, row[k]) }
        let shift = SIMD16<Float>(repeating: maxS)
        var sumV = SIMD16<Float>()
        c = 0
        while c < full {
            let e = VectorMath.exp(raw.loadUnaligned(fromByteOffset: c * 4, as: SIMD16<Float>.self) - shift)
            raw.storeBytes(of: e, toByteOffset: c * 4, as: SIMD16<Float>.self)
            sumV += e
            c += 16
        }
        var sum = sumV.sum()
        if tail > 0 {
            var v = SIMD16<Float>(repeating: -.infinity)
            for k in 0..<tail { v[k] = row[full + k] }
            let e = VectorMath.exp(v - shift)
            for k in 0..<tail { row[full + k] = e[k]; sum += e[k] }
        }
        let loss = -Double(logf(row[u] / sum))
        let inv = SIMD16<Float>(repeating: 1 / (sum * Float(m)))
        c = 0
        while c < full {
            raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: c * 4, as: SIMD16<Float>.self) * inv, toByteOffset: c * 4, as: SIMD16<Float>.self)
            c += 16
        }
        for k in full..<m { row[k] *= inv[0] }
        row[u] -= 1 / Float(m)
        for k in m..<stride { row[k] = 0 }
        return loss
    }

    /// The sizes `rowBlock` works with: m rows, padded to mp, d padded to dp, leading dimension ld.
    struct RowBlockShapes: Sendable {
        let m: Int, mp: Int, dp: Int, ld: Int, blockRows: Int, invTau: Float
    }

    /// The matrices `rowBlock` reads (a, b: mp × dp; bᵀ: dp × ld) and writes (ga, the losses,
    /// and Gᵀ: mp × ld); each block writes only its own rows of ga and its own columns of Gᵀ.
    struct RowBlockBuffers: @unchecked Sendable {
        let a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>, bt: UnsafeMutablePointer<Float>
        let ga: UnsafeMutablePointer<Float>, gt: UnsafeMutablePointer<Float>
        let losses: UnsafeMutablePointer<Double>
    }

    /// Block `block` of InfoNCE's rows u (`blockRows` of them, fewer at the end) in `scratch`
    /// (blockRows × ld): S rows = a bᵀ, then each row through `softmaxRow` (padding rows zeroed),
    /// then ga rows = G b, then the block's G rows stored as columns of Gᵀ. The same products in
    /// the same order as over the whole matrix, so the bytes do not depend on the blocking.
    static func rowBlock(_ block: Int, shapes s: RowBlockShapes, buffers x: RowBlockBuffers, scratch: UnsafeMutablePointer<Float>) {
        let u0 = block * s.blockRows, height = min(s.blockRows, s.mp - u0)
        SmallGEMM.multiply(m: height, n: s.mp, k: s.dp, x: x.a + u0 * s.dp, xRow: s.dp, xColumn: 1, y: x.bt, ldy: s.ld,
                           c: scratch, ldc: s.ld, threads: 1)
        for r in 0..<height {
            let u = u0 + r
            if u < s.m {
                x.losses[u] = softmaxRow(scratch + r * s.ld, u: u, m: s.m, stride: s.mp, invTau: s.invTau)
            } else {
                (scratch + r * s.ld).update(repeating: 0, count: s.mp)
            }
        }
        SmallGEMM.multiply(m: height, n: s.dp, k: s.mp, x: scratch, xRow: s.ld, xColumn: 1, y: x.b, ldy: s.dp,
                           c: x.ga + u0 * s.dp, ldc: s.dp, threads: 1)
        // Column by column: the stores into Gᵀ are contiguous, the strided loads hit the block
        // that is still in cache. (A 16 × 16 register transpose measured 2× slower here.)
        for v in 0..<s.mp {
            let column = x.gt + v * s.ld + u0, source = scratch + v
            for r in 0..<height { column[r] = source[r * s.ld] }
        }
    }

    /// gradient row rows[r] += scale·(I − x̂x̂ᵀ)/‖x‖ · gradNormalized row r (identity/floor below the floor).
    static func scatter(_ gradNormalized: UnsafePointer<Float>, normalized: UnsafePointer<Float>, norms: UnsafePointer<Float>,
                        rows: UnsafePointer<Int>, count: Int, dim: Int, stride: Int, scale: Float, floor: Float,
                        into gradient: UnsafeMutablePointer<Float>) {
        for r in 0..<count {
            let gn = gradNormalized + r * stride, xn = normalized + r * stride
            let dst = gradient + rows[r] * dim
            if norms[r] > floor {
                let proj = RowKernels.dot(gn, xn, dim)
                let inv = scale / norms[r]
                for c in 0..<dim { dst[c] += (gn[c] - proj * xn[c]) * inv }
            } else {
                let inv = scale / floor
                for c in 0..<dim { dst[c] += gn[c] * inv }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
