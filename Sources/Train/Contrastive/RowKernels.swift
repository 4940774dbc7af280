/// Dot products and fused updates over short contiguous Float rows (embedding rows of width d).
///
/// Why a kernel file: the loss terms of the contrastive models are all sums of row dot products and
/// row updates; a scalar `for` loop over a reduction cannot be vectorized by the compiler (Float
/// addition is not associative), so these spell out the 8-wide accumulation once, behind a safe API
/// that takes array slices by offset.
enum RowKernels {
    /// Σ a[aOffset + c] · b[bOffset + c] for c in 0..<count.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var c = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while c + 8 <= count {
            let x = ra.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self)
            let y = rb.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self)
            acc.addProduct(x, y)
            c += 8
        }
        var sum = acc.sum()
        while c < count { sum += a[c] * b[c]; c += 1 }
        return sum
    }

    /// y[c] += alpha · x[c].
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        var c = 0
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        let a8 = SIMD8<Float>(repeating: alpha)
        while c + 8 <= count {
            let xv = rx.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self)
            var yv = ry.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self)
            yv.addProduct(a8, xv)
            ry.storeBytes(of: yv, toByteOffset: c * 4, as: SIMD8<Float>.self)
            c += 8
        }
        while c < count { y[c] += alpha * x[c]; c += 1 }
    }

    /// Array-level dot of row `r` of `a` with row `s` of `b`, both row-major with width `dim`.
    static func rowDot(_ a: [Float], _ r: Int, _ b: [Float], _ s: Int, dim: Int) -> Float {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in dot(pa.baseAddress! + r * dim, pb.baseAddress! + s * dim, dim) }
        }
    }
}

/// A raw base pointer that a `@Sendable` worker closure may capture (Swift 6 rejects capturing raw
/// pointers directly). Each worker writes a disjoint range, decided by `Core.Parallel`'s fixed
/// partition, so the unchecked sendability is sound.
struct SharedFloats: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
}

/// Read-only counterpart of `SharedFloats`.
struct SharedConstFloats: @unchecked Sendable {
    let base: UnsafePointer<Float>
}

/// Numerically stable scalar helpers shared by the loss terms.
enum StableMath {
    /// log(1 + eˣ) without overflow.
    @inline(__always)
    static func softplus(_ x: Float) -> Float {
        max(x, 0) + log1pf(expf(-abs(x)))
    }

    /// 1 / (1 + e⁻ˣ) without overflow.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + expf(-x)) }
        let e = expf(x)
        return e / (1 + e)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
