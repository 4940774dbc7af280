import Core

/// C = X · Y for the dense products inside InfoNCE (similarities, and the gradients through them):
/// Y and C row-major, X addressed as X[i, p] = x[i·xRow + p·xColumn] (so Xᵀ of a row-major matrix
/// is the same call with the strides swapped), M a multiple of 4, N a multiple of 16 (callers pad
/// with zeros).
///
/// Why a kernel of its own: InfoNCE over a batch's distinct rows is three (m × m × d) products per
/// view pair per step, and computing them as per-pair dot products (a horizontal sum each) or as
/// row axpys (a load and store of the output row per term) ran 4–8× slower than this
/// register-blocked outer-product form, where each Y row chunk is loaded once for six rows of X
/// and the accumulators stay in registers over the whole K loop. Rows of C are split over
/// threads by a fixed partition, so the bytes do not depend on scheduling. Keep X's rows
/// and Y's leading dimensions off powers of two: at a 4·2ᵏ-byte stride every k step maps to
/// the same few cache sets, and the product runs from L3 at half speed (InfoNCE pads).
enum SmallGEMM {
    static func multiply(m: Int, n: Int, k: Int, x: UnsafePointer<Float>, xRow: Int, xColumn: Int,
                         y: UnsafePointer<Float>, ldy: Int, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        precondition(m % 4 == 0 && n % 16 == 0, "SmallGEMM needs M % 4 == 0 and N % 16 == 0")
        let X = SharedConstFloats(base: x), Y = SharedConstFloats(base: y), C = SharedFloats(base: c)
        let blocks = rowBlocks(m)
        let depth = max(1, min(k, tileDepth))
        Parallel.run(Parallel.evenRanges(count: blocks.count, parts: threads)) { _, range in
            for g0 in stride(from: range.lowerBound, to: range.upperBound, by: groupBlocks) {
                let group = g0..<min(range.upperBound, g0 + groupBlocks)
                for c0 in stride(from: 0, to: n, by: 16) {
                    for k0 in stride(from: 0, to: max(k, 1), by: depth) {  // k = 0 still stores zeros
                        let tile = Tile(columns: c0..<c0 + 16, depth: k0..<min(k, k0 + depth))
                        for block in group {
                            kernel(row: blocks[block].start, height: blocks[block].height, tile: tile, x: X.base, xRow: xRow,
                                   xColumn: xColumn, y: Y.base, ldy: ldy, c: C.base, ldc: ldc)
                        }
                    }
                }
            }
        }
    }

    /// The part of Y one pass over a thread's row blocks reads: `columns` of C, `depth` of K.
    struct Tile {
        let columns: Range<Int>
        let depth: Range<Int>
    }

    /// Loop blocking: groups of `groupBlocks` row blocks (48 rows) each pass over Y in tiles of
    /// 16 columns × `tileDepth` rows, so a tile of Y stays in L1 while every row block of the group
    /// reuses it, and the group's X rows stay in L2. Why: row block after row block streamed all
    /// of Y (InfoNCE's bᵀ or b: 0.5 MB at |B| ≈ 2,000) from L3. Splitting K continues each
    /// element's multiply-add chain from C in the same k order, so the bytes do not change.
    /// Measured on yelp2018-sized InfoNCE (m 1,900, d 64, `accf bench infonce`, AMD Zen 3 with
    /// 512 KB L2): 26.6 ms at 1 thread and 12.8 ms at 2 against 28.2 and 13.4 unblocked.
    static let groupBlocks = 8, tileDepth = 256

    /// M (a multiple of 4) as blocks of 6 rows, with one or two blocks of 4 where 6 does not divide it.
    static func rowBlocks(_ m: Int) -> [(start: Int, height: Int)] {
        let fours = [0, 0, 2, 0, 1, 0][m % 6]
        let sixes = (m - 4 * fours) / 6
        return (0..<(sixes + fours)).map { b in b < sixes ? (b * 6, 6) : (sixes * 6 + (b - sixes) * 4, 4) }
    }

    /// One block of 4 or 6 rows of C, 16 columns at a time: twelve accumulators, two loads of Y
    /// and six broadcasts of X per k (a 4-row block repeats its last row and stores four). Why 6:
    /// with 4 rows the eight FMAs per k could not hide the loads and the FMA latency (~67% of peak
    /// on AVX2); 6 × 16 is the largest tile whose accumulators fit the sixteen vector registers.
    /// The K loop walks pointers (no index multiplies or overflow checks in it). Every element of C
    /// is one fused multiply-add chain in k order, whatever the block shape, panel or thread split.
    @inline(__always)
    static func kernel(row: Int, height: Int, tile: Tile, x: UnsafePointer<Float>, xRow: Int, xColumn: Int,
                       y: UnsafePointer<Float>, ldy: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let x0 = x + (row &* xRow &+ tile.depth.lowerBound &* xColumn), x1 = x0 + xRow, x2 = x1 + xRow, x3 = x2 + xRow
        let x4 = height > 4 ? x3 + xRow : x3, x5 = height > 4 ? x4 + xRow : x3
        let yStride = ldy &* 4
        let k = tile.depth.count, stride = ldc &* 4, continues = tile.depth.lowerBound > 0
        var col = tile.columns.lowerBound
        while col < tile.columns.upperBound {
            let out = UnsafeMutableRawPointer(c + (row &* ldc &+ col))
            var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a10 = SIMD8<Float>(), a11 = SIMD8<Float>()
            var a20 = SIMD8<Float>(), a21 = SIMD8<Float>(), a30 = SIMD8<Float>(), a31 = SIMD8<Float>()
            var a40 = SIMD8<Float>(), a41 = SIMD8<Float>(), a50 = SIMD8<Float>(), a51 = SIMD8<Float>()
            if continues {
                (a00, a01) = load(out); (a10, a11) = load(out + stride)
                (a20, a21) = load(out + 2 * stride); (a30, a31) = load(out + 3 * stride)
                if height > 4 { (a40, a41) = load(out + 4 * stride); (a50, a51) = load(out + 5 * stride) }
            }
            var py = UnsafeRawPointer(y + (tile.depth.lowerBound &* ldy &+ col))
            var q = 0
            var p = 0
            while p < k {
                let y0 = py.loadUnaligned(as: SIMD8<Float>.self)
                let y1 = py.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                let b0 = SIMD8<Float>(repeating: x0[q]), b1 = SIMD8<Float>(repeating: x1[q])
                a00.addProduct(b0, y0); a01.addProduct(b0, y1)
                a10.addProduct(b1, y0); a11.addProduct(b1, y1)
                let b2 = SIMD8<Float>(repeating: x2[q]), b3 = SIMD8<Float>(repeating: x3[q])
                a20.addProduct(b2, y0); a21.addProduct(b2, y1)
                a30.addProduct(b3, y0); a31.addProduct(b3, y1)
                let b4 = SIMD8<Float>(repeating: x4[q]), b5 = SIMD8<Float>(repeating: x5[q])
                a40.addProduct(b4, y0); a41.addProduct(b4, y1)
                a50.addProduct(b5, y0); a51.addProduct(b5, y1)
                py += yStride
                q &+= xColumn
                p &+= 1
            }
            store(a00, a01, out)
            store(a10, a11, out + stride)
            store(a20, a21, out + 2 * stride)
            store(a30, a31, out + 3 * stride)
            if height > 4 {
                store(a40, a41, out + 4 * stride)
                store(a50, a51, out + 5 * stride)
            }
            col += 16
        }
    }

    @inline(__always)
    private static func load(_ from: UnsafeMutableRawPointer) -> (SIMD8<Float>, SIMD8<Float>) {
        (from.loadUnaligned(as: SIMD8<Float>.self), from.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
    }

    @inline(__always)
    private static func store(_ low: SIMD8<Float>, _ high: SIMD8<Float>, _ to: UnsafeMutableRawPointer) {
        to.storeBytes(of: low, as: SIMD8<Float>.self)
        to.storeBytes(of: high, toByteOffset: 32, as: SIMD8<Float>.self)
    }
}
