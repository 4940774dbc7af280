import Core

/// Element-wise passes over node tables restricted to a row list (or all rows, split over threads),
/// for the noisy encoder's layer sums and gradient seeds. Each element is computed the same way
/// whichever rows are selected and whichever worker runs it.
enum RowOps {
    /// Runs `body(row)` for `rows`, or for every row of `nodeCount` split over `threads`.
    static func forEachRow(_ rows: [Int]?, nodeCount: Int, dim: Int, threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
        if let rows {
            for r in rows { body(r) }
            return
        }
        let parts = nodeCount * dim < 1 << 16 ? 1 : max(1, threads)
        Parallel.run(Parallel.evenRanges(count: nodeCount, parts: parts)) { _, range in for r in range { body(r) } }
    }

    /// dst = (first ? src : dst + src) · (scale ?? 1) on the rows; also copies src into `copy` when given.
    static func accumulate(_ src: [Float], into dst: inout [Float], copy: UnsafeMutablePointer<Float>?, rows: [Int]?, dim: Int,
                           first: Bool, scale: Float?, threads: Int) {
        precondition(src.count == dst.count)
        src.withUnsafeBufferPointer { sp in dst.withUnsafeMutableBufferPointer { dp in
            let s = SharedConstFloats(base: sp.baseAddress!), d = SharedFloats(base: dp.baseAddress!)
            let c = copy.map { SharedFloats(base: $0) }
            forEachRow(rows, nodeCount: sp.count / dim, dim: dim, threads: threads) { r in
                let o = r * dim
                for k in o..<(o + dim) {
                    var v = first ? s.base[k] : d.base[k] + s.base[k]
                    if let scale { v *= scale }
                    d.base[k] = v
                }
                if let c { (c.base + o).update(from: s.base + o, count: dim) }
            }
        }}
    }

    /// dst = (overwrite ? 0 : dst) + a·scale + (addB ? b : 0) on the rows (a or b empty: zero).
    static func combine(_ a: [Float], scale: Float, _ b: [Float], addB: Bool, into dst: inout [Float], rows: [Int]?, dim: Int,
                        overwrite: Bool, threads: Int) {
        let useA = !a.isEmpty, useB = addB && !b.isEmpty
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in dst.withUnsafeMutableBufferPointer { dp in
            let pa = ap.baseAddress.map { SharedConstFloats(base: $0) }, pb = bp.baseAddress.map { SharedConstFloats(base: $0) }
            let d = SharedFloats(base: dp.baseAddress!)
            forEachRow(rows, nodeCount: dp.count / dim, dim: dim, threads: threads) { r in
                for k in (r * dim)..<(r * dim + dim) {
                    var v: Float = overwrite ? 0 : d.base[k]
                    if useA { v += pa.unsafelyUnwrapped.base[k] * scale }
                    if useB { v += pb.unsafelyUnwrapped.base[k] }
                    d.base[k] = v
                }
            }
        }}}
    }

    /// dst rows = src rows.
    static func copyRows(_ src: [Float], into dst: inout [Float], rows: [Int], dim: Int) {
        precondition(src.count == dst.count)
        src.withUnsafeBufferPointer { sp in dst.withUnsafeMutableBufferPointer { dp in
            for r in rows { (dp.baseAddress! + r * dim).update(from: sp.baseAddress! + r * dim, count: dim) }
        }}
    }
}
