import Core

/// Counter-based uniform noise for `UniformSignNoise`, 16 lanes at a time (internal).
///
/// Why counter-based: the noise of row n is a pure function of (key, n), so a worker can make
/// any row's noise without walking a sequential generator through the rows before it. That
/// allows (1) splitting the rows over threads with the same bytes for every thread count and
/// (2) making noise for a batch's rows only, equal to what the full table would get there.
/// Lane value: murmur3's 32-bit finalizer of (row hash + column · golden ratio) ⊕ key, whose top
/// 23 bits become a float in [0, 1).
enum NoiseKernel {
    @inline(__always)
    static func mix(_ x: SIMD16<UInt32>) -> SIMD16<UInt32> {
        var h = x
        h ^= h &>> 16
        h &*= 0x85EB_CA6B
        h ^= h &>> 13
        h &*= 0xC2B2_AE35
        h ^= h &>> 16
        return h
    }

    @inline(__always)
    static func mix(_ x: UInt32) -> UInt32 {
        var h = x
        h ^= h >> 16
        h &*= 0x85EB_CA6B
        h ^= h >> 13
        h &*= 0xC2B2_AE35
        h ^= h >> 16
        return h
    }

    static let lanes = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)

    /// Uniforms in [0, 1) for columns c..<c+16 of row `row`.
    @inline(__always)
    static func uniforms(key: UInt64, row: Int, column c: Int) -> SIMD16<Float> {
        let rowHash = mix(UInt32(truncatingIfNeeded: row) ^ UInt32(truncatingIfNeeded: key)) &+ UInt32(truncatingIfNeeded: row >> 32)
        let columns = (lanes &+ UInt32(truncatingIfNeeded: c)) &* 0x9E37_79B1
        let h = mix((SIMD16(repeating: rowHash) &+ columns) ^ SIMD16(repeating: UInt32(truncatingIfNeeded: key >> 32)))
        let bits = (h &>> 9) | SIMD16(repeating: 0x3F80_0000)  // a float in [1, 2)
        return unsafeBitCast(bits, to: SIMD16<Float>.self) - 1
    }

    /// h row += ε · sign(h row) ⊙ u/‖u‖, u = the row's uniforms (the first `dim` of ⌈dim/16⌉·16).
    static func addRow(_ h: UnsafeMutablePointer<Float>, row: Int, dim: Int, epsilon: Float, key: UInt64,
                       scratch: UnsafeMutablePointer<Float>) {
        let padded = (dim + 15) / 16 * 16
        var sq = SIMD16<Float>()
        var c = 0
        while c < padded {
            var u = uniforms(key: key, row: row, column: c)
            if c + 16 > dim { for k in (dim - c)..<16 { u[k] = 0 } }
            UnsafeMutableRawPointer(scratch + c).storeBytes(of: u, as: SIMD16<Float>.self)
            sq.addProduct(u, u)
            c += 16
        }
        let s = epsilon / max(sq.sum().squareRoot(), 1e-12)
        let one = SIMD16<Float>(repeating: 1), zero = SIMD16<Float>()
        c = 0
        while c + 16 <= dim {
            let x = UnsafeRawPointer(h + c).loadUnaligned(as: SIMD16<Float>.self)
            let u = UnsafeRawPointer(scratch + c).loadUnaligned(as: SIMD16<Float>.self)
            let sign = zero.replacing(with: one, where: x .> zero).replacing(with: -one, where: x .< zero)
            UnsafeMutableRawPointer(h + c).storeBytes(of: x + sign * u * s, as: SIMD16<Float>.self)
            c += 16
        }
        while c < dim {
            let x = h[c]
            let sign: Float = x > 0 ? 1 : (x < 0 ? -1 : 0)
            h[c] = x + sign * scratch[c] * s
            c += 1
        }
    }

    /// Noise on the rows `rows` (all rows when nil) of an N × dim table, split over threads.
    static func add(_ h: UnsafeMutablePointer<Float>, nodeCount: Int, dim: Int, epsilon: Float, key: UInt64,
                    rows: UnsafeBufferPointer<Int>?, threads: Int) {
        let count = rows?.count ?? nodeCount
        let parts = count * dim < 1 << 15 ? 1 : max(1, threads)
        let table = SharedFloats(base: h)
        let list = rows.map { SharedInts(base: $0.baseAddress ?? UnsafePointer(bitPattern: 8).unsafelyUnwrapped) }
        Parallel.run(Parallel.evenRanges(count: count, parts: parts)) { _, range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: (dim + 15) / 16 * 16)
            defer { scratch.deallocate() }
            for k in range {
                let r = list.map { $0.base[k] } ?? k
                addRow(table.base + r * dim, row: r, dim: dim, epsilon: epsilon, key: key, scratch: scratch)
            }
        }
    }
}

/// A read-only Int list for `@Sendable` workers.
struct SharedInts: @unchecked Sendable {
    let base: UnsafePointer<Int>
}
