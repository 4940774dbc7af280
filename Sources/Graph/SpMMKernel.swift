import CPrefetch
import Core

/// The pointer-level CSR × dense kernel behind `Propagation` (internal; callers use the safe API).
///
/// Per output row r: acc = Σ_k values[k] · x[columns[k]] with k ascending over the row, in SIMD
/// registers (64 columns at a time as four `SIMD16<Float>`, then 16, 8, then scalar), then one
/// epilogue that stores the row and/or folds it into a layer mean. The order of operations for
/// one row never depends on which thread computes it, which is what makes results identical for
/// every thread count. Wrapped in an `@unchecked Sendable` struct because Swift 6 refuses raw
/// pointers captured in `@Sendable` closures; the pointers are valid for the duration of `run`.
struct SpMMKernel: @unchecked Sendable {
    /// What to do with a finished accumulator block at element offset `o` of row-major storage:
    /// `y[o] = acc` when `y` is set; `out[o] = (base[o] + acc) · scale` when `out` is set
    /// (`scale` nil means no multiply). `base` may equal `out` (read before write, same element).
    struct Epilogue {
        var y: UnsafeMutablePointer<Float>?
        var out: UnsafeMutablePointer<Float>?
        var base: UnsafePointer<Float>?
        var scale: Float?

        @inline(__always) func apply<V: SIMD>(_ acc: V, at offset: Int) where V.Scalar == Float {
            if let y { UnsafeMutableRawPointer(y + offset).storeBytes(of: acc, as: V.self) }
            if let out {
                var v = UnsafeRawPointer(base.unsafelyUnwrapped + offset).loadUnaligned(as: V.self) + acc
                if let scale { v *= scale }
                UnsafeMutableRawPointer(out + offset).storeBytes(of: v, as: V.self)
            }
        }

        @inline(__always) func apply(_ acc: Float, at offset: Int) {
            if let y { y[offset] = acc }
            if let out {
                var v = base.unsafelyUnwrapped[offset] + acc
                if let scale { v *= scale }
                out[offset] = v
            }
        }
    }

    let rowPointers: UnsafePointer<Int>
    let columns: UnsafePointer<UInt32>
    let values: UnsafePointer<Float>
    let x: UnsafePointer<Float>
    let dim: Int
    let epilogue: Epilogue
    /// Nonzeros in the whole matrix: the bound for reading `columns` ahead.
    let nonzeroCount: Int

    /// How many nonzeros ahead the 64-column loop prefetches x's row. The gathers of x rows by
    /// column index miss the private caches; without a prefetch each waits on the last-level cache.
    static let prefetchDistance = 8

    /// Below this much work (nonzeros × dim) one thread beats the cost of waking another.
    static let parallelThreshold = 1 << 16

    /// Runs the kernel over all rows of `graph` on up to `threads` threads.
    static func run(_ graph: NormalizedGraph, dim: Int, threads: Int, x: UnsafePointer<Float>, epilogue: Epilogue) {
        graph.rowPointers.withUnsafeBufferPointer { rp in
            graph.columns.withUnsafeBufferPointer { cols in
                graph.values.withUnsafeBufferPointer { vals in
                    let work = (rp[rp.count - 1] + rp.count) * dim
                    let parts = work < parallelThreshold ? 1 : max(1, threads)
                    let ranges = Parallel.balancedRanges(prefix: rp, parts: parts)
                    let kernel = SpMMKernel(rowPointers: rp.baseAddress.unsafelyUnwrapped,
                                            columns: cols.baseAddress.unsafelyUnwrapped,
                                            values: vals.baseAddress.unsafelyUnwrapped,
                                            x: x, dim: dim, epilogue: epilogue, nonzeroCount: cols.count)
                    Parallel.run(ranges) { _, rows in kernel.rows(rows) }
                }
            }
        }
    }

    /// Runs the kernel over the listed rows only (ascending, distinct) on up to `threads` threads,
    /// split by nonzeros; each listed row gets exactly the bytes the full run gives it.
    static func run(_ graph: NormalizedGraph, rows list: UnsafeBufferPointer<Int>, dim: Int, threads: Int,
                    x: UnsafePointer<Float>, epilogue: Epilogue) {
        guard let listBase = list.baseAddress, !list.isEmpty else { return }
        graph.rowPointers.withUnsafeBufferPointer { rp in
            graph.columns.withUnsafeBufferPointer { cols in
                graph.values.withUnsafeBufferPointer { vals in
                    var prefix = [Int](repeating: 0, count: list.count + 1)
                    for (i, r) in list.enumerated() { prefix[i + 1] = prefix[i] + rp[r + 1] - rp[r] }
                    let parts = (prefix[list.count] + list.count) * dim < parallelThreshold ? 1 : max(1, threads)
                    let ranges = prefix.withUnsafeBufferPointer { Parallel.balancedRanges(prefix: $0, parts: parts) }
                    let kernel = SpMMKernel(rowPointers: rp.baseAddress.unsafelyUnwrapped,
                                            columns: cols.baseAddress.unsafelyUnwrapped,
                                            values: vals.baseAddress.unsafelyUnwrapped,
                                            x: x, dim: dim, epilogue: epilogue, nonzeroCount: cols.count)
                    let rows = RowList(base: listBase)
                    Parallel.run(ranges) { _, range in kernel.rows(range, list: rows) }
                }
            }
        }
    }

    /// out[r] = base[r] + y[r] on the listed rows only, element by element as `Epilogue` does.
    static func addRows(_ rows: UnsafeBufferPointer<Int>, y: UnsafePointer<Float>, base: UnsafePointer<Float>,
                        out: UnsafeMutablePointer<Float>, dim: Int) {
        let epilogue = Epilogue(y: nil, out: out, base: base, scale: nil)
        for r in rows {
            var o = r * dim
            let stop = o + dim
            while o + 16 <= stop {
                epilogue.apply(UnsafeRawPointer(y + o).loadUnaligned(as: SIMD16<Float>.self), at: o)
                o += 16
            }
            while o < stop { epilogue.apply(y[o], at: o); o += 1 }
        }
    }

    /// Computes the rows in `rows`; d = 64 gets a copy with the stride known at compile time.
    func rows(_ rows: Range<Int>) {
        if dim == 64 {
            for r in rows { compute(r, dim: 64) }
        } else {
            for r in rows { compute(r, dim: dim) }
        }
    }

    /// Computes rows `list[i]` for i in `range`.
    func rows(_ range: Range<Int>, list: RowList) {
        if dim == 64 {
            for i in range { compute(list.base[i], dim: 64) }
        } else {
            for i in range { compute(list.base[i], dim: dim) }
        }
    }

    @inline(__always) private static func load<V: SIMD>(_ p: UnsafePointer<Float>, as: V.Type) -> V where V.Scalar == Float {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always) private func compute(_ r: Int, dim: Int) {
        do {
            let start = rowPointers[r], end = rowPointers[r + 1]
            let rowOffset = r &* dim
            var c = 0
            while c + 64 <= dim {
                var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
                for k in start..<end {
                    // Reads ahead through the following rows too: they are next in a range run.
                    let ahead = k &+ Self.prefetchDistance
                    if ahead < nonzeroCount { accf_prefetch_read(x + (Int(columns[ahead]) &* dim &+ c), 256) }
                    let v = values[k]
                    let p = x + (Int(columns[k]) &* dim &+ c)
                    a0 = a0.addingProduct(v, Self.load(p, as: SIMD16<Float>.self))
                    a1 = a1.addingProduct(v, Self.load(p + 16, as: SIMD16<Float>.self))
                    a2 = a2.addingProduct(v, Self.load(p + 32, as: SIMD16<Float>.self))
                    a3 = a3.addingProduct(v, Self.load(p + 48, as: SIMD16<Float>.self))
                }
                epilogue.apply(a0, at: rowOffset + c)
                epilogue.apply(a1, at: rowOffset + c + 16)
                epilogue.apply(a2, at: rowOffset + c + 32)
                epilogue.apply(a3, at: rowOffset + c + 48)
                c += 64
            }
            while c + 16 <= dim {
                var a = SIMD16<Float>()
                for k in start..<end {
                    a = a.addingProduct(values[k], Self.load(x + (Int(columns[k]) &* dim &+ c), as: SIMD16<Float>.self))
                }
                epilogue.apply(a, at: rowOffset + c)
                c += 16
            }
            while c + 8 <= dim {
                var a = SIMD8<Float>()
                for k in start..<end {
                    a = a.addingProduct(values[k], Self.load(x + (Int(columns[k]) &* dim &+ c), as: SIMD8<Float>.self))
                }
                epilogue.apply(a, at: rowOffset + c)
                c += 8
            }
            while c < dim {
                var a: Float = 0
                for k in start..<end {
                    a = a.addingProduct(values[k], x[Int(columns[k]) &* dim &+ c])
                }
                epilogue.apply(a, at: rowOffset + c)
                c += 1
            }
        }
    }
}

/// A row list's base pointer for `@Sendable` workers (valid while the caller's buffer is).
struct RowList: @unchecked Sendable {
    let base: UnsafePointer<Int>
}
