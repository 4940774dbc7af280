import Core

/// C = X · Y for the dense products inside InfoNCE (similarities, and the gradients through them):
/// Y and C row-major, X addressed as X[i, p] = x[i·xRow + p·xColumn] (so Xᵀ of a row-major matrix
/// is the same call with the strides swapped), M a multiple of 4, N a multiple of 16 (callers pad
/// with zeros).
///
/// Why a kernel of its own: InfoNCE over a batch's distinct rows is three (m × m × d) products per
/// view pair per step, and computing them as per-pair dot products (a horizontal sum each) or as
/// row axpys (a load and store of the output row per term) ran 4–8× slower than this 4 × 16
/// register-blocked outer-product form, where each Y row chunk is loaded once for four rows of X
/// and the eight accumulators stay in registers over the whole K loop. Rows of C are split over
/// threads by a fixed partition, so the bytes do not depend on scheduling.
enum SmallGEMM {
    static func multiply(m: Int, n: Int, k: Int, x: UnsafePointer<Float>, xRow: Int, xColumn: Int,
                         y: UnsafePointer<Float>, ldy: Int, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        precondition(m % 4 == 0 && n % 16 == 0, "SmallGEMM needs M % 4 == 0 and N % 16 == 0")
        let X = SharedConstFloats(base: x), Y = SharedConstFloats(base: y), C = SharedFloats(base: c)
        let blocks = m / 4
        Parallel.run(Parallel.evenRanges(count: blocks, parts: threads)) { _, range in
            for block in range {
                kernel(row: block * 4, n: n, k: k, x: X.base, xRow: xRow, xColumn: xColumn, y: Y.base, ldy: ldy,
                       c: C.base, ldc: ldc)
            }
        }
    }

    /// One 4-row block of C. The K loop walks pointers (no index multiplies or overflow checks
    /// in it): with those, integer bookkeeping, not the 8 FMAs, bounded each step (perf: ~30% of
    /// peak); the arithmetic and its order are unchanged.
    @inline(__always)
    static func kernel(row: Int, n: Int, k: Int, x: UnsafePointer<Float>, xRow: Int, xColumn: Int,
                       y: UnsafePointer<Float>, ldy: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let x0 = x + row &* xRow, x1 = x0 + xRow, x2 = x1 + xRow, x3 = x2 + xRow
        let yStride = ldy &* 4
        var col = 0
        while col < n {
            var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a10 = SIMD8<Float>(), a11 = SIMD8<Float>()
            var a20 = SIMD8<Float>(), a21 = SIMD8<Float>(), a30 = SIMD8<Float>(), a31 = SIMD8<Float>()
            var py = UnsafeRawPointer(y + col)
            var q = 0
            var p = 0
            while p < k {
                let y0 = py.loadUnaligned(as: SIMD8<Float>.self)
                let y1 = py.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                let b0 = SIMD8<Float>(repeating: x0[q]), b1 = SIMD8<Float>(repeating: x1[q])
                let b2 = SIMD8<Float>(repeating: x2[q]), b3 = SIMD8<Float>(repeating: x3[q])
                a00.addProduct(b0, y0); a01.addProduct(b0, y1)
                a10.addProduct(b1, y0); a11.addProduct(b1, y1)
                a20.addProduct(b2, y0); a21.addProduct(b2, y1)
                a30.addProduct(b3, y0); a31.addProduct(b3, y1)
                py += yStride
                q &+= xColumn
                p &+= 1
            }
            let rc = UnsafeMutableRawPointer(c)
            let base = (row &* ldc &+ col) &* 4, stride = ldc &* 4
            rc.storeBytes(of: a00, toByteOffset: base, as: SIMD8<Float>.self)
            rc.storeBytes(of: a01, toByteOffset: base + 32, as: SIMD8<Float>.self)
            rc.storeBytes(of: a10, toByteOffset: base + stride, as: SIMD8<Float>.self)
            rc.storeBytes(of: a11, toByteOffset: base + stride + 32, as: SIMD8<Float>.self)
            rc.storeBytes(of: a20, toByteOffset: base + 2 * stride, as: SIMD8<Float>.self)
            rc.storeBytes(of: a21, toByteOffset: base + 2 * stride + 32, as: SIMD8<Float>.self)
            rc.storeBytes(of: a30, toByteOffset: base + 3 * stride, as: SIMD8<Float>.self)
            rc.storeBytes(of: a31, toByteOffset: base + 3 * stride + 32, as: SIMD8<Float>.self)
            col += 16
        }
    }
}
