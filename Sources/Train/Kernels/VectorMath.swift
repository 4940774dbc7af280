/// Vectorized exp over `SIMD16<Float>` for the softmax rows of InfoNCE.
///
/// Why not `expf` per element: InfoNCE takes |B|² exponentials per view pair (≈ 7M per yelp2018
/// step); the libm call is scalar (≈ 4 ns each) and dominated the loss. This is Cephes' `expf`
/// (range reduction by ln 2 in two parts, degree-5 polynomial, exponent bits built directly),
/// ≤ 2 ulp on the range used, 16 lanes at a time; inputs are clamped to [−87.3, 88.3] (results
/// below ~1e-38 and infinities are not needed by a max-shifted softmax).
enum VectorMath {
    @inline(__always)
    static func exp(_ input: SIMD16<Float>) -> SIMD16<Float> {
        // Comparisons and blends, not `clamped`/`pointwiseMin`: those compile to per-lane loops.
        let lo = SIMD16<Float>(repeating: -87.3), hi = SIMD16<Float>(repeating: 88.3)
        let x = input.replacing(with: lo, where: input .< lo).replacing(with: hi, where: input .> hi)
        // n = round(x / ln 2) by the 1.5·2²³ trick: adding it rounds to an integer in the low mantissa bits.
        let magic = SIMD16<Float>(repeating: 12_582_912)
        let t = x * SIMD16(repeating: 1.442_695_04) + magic
        let n = t - magic
        var r = x - n * SIMD16(repeating: 0.693_359_375)
        r = r - n * SIMD16(repeating: -2.121_944_4e-4)
        var p = SIMD16<Float>(repeating: 1.987_569_15e-4)
        p = p * r + SIMD16(repeating: 1.398_199_950_7e-3)
        p = p * r + SIMD16(repeating: 8.333_451_907_3e-3)
        p = p * r + SIMD16(repeating: 4.166_579_589_4e-2)
        p = p * r + SIMD16(repeating: 1.666_666_545_9e-1)
        p = p * r + SIMD16(repeating: 5.000_000_120_1e-1)
        let e = p * (r * r) + r + SIMD16(repeating: 1)
        // 2ⁿ: the integer n sits in t's low mantissa bits (t = 1.5·2²³ + n).
        let bits = unsafeBitCast(t, to: SIMD16<Int32>.self) &- unsafeBitCast(magic, to: SIMD16<Int32>.self)
        let scale = unsafeBitCast((bits &+ 127) &<< 23, to: SIMD16<Float>.self)
        return e * scale
    }
}
