import Core

/// y = Â x for an x that is zero outside a short list of rows (a batch's gradient), costing the
/// nonzeros of those rows instead of all of Â (internal; callers use `Propagation`).
///
/// Why it gives the full kernel's bytes: row r of the full product is the FMA chain
/// acc ← v·x[c] + acc over r's columns c ascending, starting from +0. A term with x[c] = 0 leaves
/// acc unchanged (v·0 = ±0 and acc + ±0 = acc; acc never becomes −0 from +0), so the chain over
/// only the listed columns, still ascending, ends on the same value. Here each worker owns a
/// contiguous range of destination rows, zeroes them, and walks the sources in ascending order,
/// adding v·x[b] into each neighbour r of b inside its range (Â is symmetric: Â[r][b] = Â[b][r]
/// bit for bit, `GraphBuilder` computes both from the same integer degree product). So every
/// row sees its terms in ascending column order whatever the thread count.
struct SparseInputKernel: @unchecked Sendable {
    let rowPointers: UnsafePointer<Int>
    let columns: UnsafePointer<UInt32>
    let values: UnsafePointer<Float>
    let sources: UnsafePointer<Int>
    let sourceCount: Int
    let x: UnsafePointer<Float>
    /// Receives the product rows (all rows of the worker's range are written).
    let y: UnsafeMutablePointer<Float>
    let dim: Int
    let epilogue: SpMMKernel.Epilogue

    /// Runs over all rows of `graph`: y = Â x, then `epilogue` applied to every row of y
    /// (`epilogue.y` is ignored: the product itself lands in `y`).
    static func run(_ graph: NormalizedGraph, sources: UnsafeBufferPointer<Int>, dim: Int, threads: Int,
                    x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, epilogue: SpMMKernel.Epilogue) {
        graph.rowPointers.withUnsafeBufferPointer { rp in
            graph.columns.withUnsafeBufferPointer { cols in
                graph.values.withUnsafeBufferPointer { vals in
                    let rows = rp.count - 1
                    let work = rows * dim
                    let parts = work < SpMMKernel.parallelThreshold ? 1 : max(1, threads)
                    let ranges = Parallel.balancedRanges(prefix: rp, parts: parts)
                    let kernel = SparseInputKernel(rowPointers: rp.baseAddress.unsafelyUnwrapped,
                                                   columns: cols.baseAddress.unsafelyUnwrapped,
                                                   values: vals.baseAddress.unsafelyUnwrapped,
                                                   sources: sources.baseAddress ?? UnsafePointer(bitPattern: 8).unsafelyUnwrapped,
                                                   sourceCount: sources.count, x: x, y: y, dim: dim, epilogue: epilogue)
                    Parallel.run(ranges) { _, range in kernel.compute(range) }
                }
            }
        }
    }

    func compute(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        (y + range.lowerBound * dim).update(repeating: 0, count: range.count * dim)
        let lo = UInt32(range.lowerBound), hi = UInt32(range.upperBound)
        for s in 0..<sourceCount {
            let b = sources[s]
            var k = lowerBound(lo, rowPointers[b], rowPointers[b + 1])
            let end = rowPointers[b + 1]
            let xb = x + b &* dim
            while k < end {
                let r = columns[k]
                if r >= hi { break }
                axpy(values[k], xb, y + Int(r) &* dim)
                k += 1
            }
        }
        guard epilogue.out != nil || epilogue.y != nil else { return }
        var o = range.lowerBound * dim
        let stop = range.upperBound * dim
        while o + 16 <= stop {
            epilogue.apply(UnsafeRawPointer(y + o).loadUnaligned(as: SIMD16<Float>.self), at: o)
            o += 16
        }
        while o < stop { epilogue.apply(y[o], at: o); o += 1 }
    }

    /// First k in start..<end with columns[k] ≥ target (columns of a row are ascending).
    @inline(__always) private func lowerBound(_ target: UInt32, _ start: Int, _ end: Int) -> Int {
        var lo = start, hi = end
        while lo < hi {
            let mid = (lo + hi) >> 1
            if columns[mid] < target { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// y ← v·x + y, one FMA per element as in `SpMMKernel`.
    @inline(__always) private func axpy(_ v: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        var c = 0
        while c + 16 <= dim {
            let xv = UnsafeRawPointer(x + c).loadUnaligned(as: SIMD16<Float>.self)
            let yv = UnsafeRawPointer(y + c).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(y + c).storeBytes(of: yv.addingProduct(v, xv), as: SIMD16<Float>.self)
            c += 16
        }
        while c + 8 <= dim {
            let xv = UnsafeRawPointer(x + c).loadUnaligned(as: SIMD8<Float>.self)
            let yv = UnsafeRawPointer(y + c).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + c).storeBytes(of: yv.addingProduct(v, xv), as: SIMD8<Float>.self)
            c += 8
        }
        while c < dim { y[c] = y[c].addingProduct(v, x[c]); c += 1 }
    }
}
