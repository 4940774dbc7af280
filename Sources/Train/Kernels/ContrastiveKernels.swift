import Core

/// Row-level pointer loops of InfoNCE: normalize-and-gather, the softmax rows of the similarity
/// matrix, and the scatter back through the normalization (internal; the safe
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
