import Core

/// Top-K items per user by dot product over all items: the ranking step of evaluation and export.
///
/// Why one shared entry point: evaluation (valid/test metrics) and export (recommendations table)
/// must rank identically, ties included. Scoring is a blocked SIMD GEMM (user blocks of 4 × all
/// items, item blocks of 16) followed by a heap selection per user; users are split into fixed
/// contiguous parts per thread, and every user's result is computed by one worker alone, so the
/// output does not depend on the thread count at all.
public enum TopKRetrieval {
    /// Top-`k` items for each user in `users`.
    ///
    /// - Parameters:
    ///   - userEmbeddings: row-major userCount × dim (only rows in `users` are read).
    ///   - itemEmbeddings: row-major itemCount × dim.
    ///   - exclusions: items never returned for a user (e.g. their train interactions).
    /// - Returns: `users.count * k` entries, row-major, best first; ties go to the lower item
    ///   index; slots beyond the number of candidates are `UInt32.max` with score `-inf`.
    public static func topK(userEmbeddings: [Float], itemEmbeddings: [Float], dim: Int,
                            users: Range<Int>, k: Int, exclusions: ItemExclusions, threads: Int)
        -> (items: [UInt32], scores: [Float]) {
        precondition(dim > 0 && k >= 0, "dim must be positive and k non-negative")
        precondition(itemEmbeddings.count % dim == 0, "item embeddings are not a multiple of dim")
        precondition(users.lowerBound >= 0 && users.upperBound * dim <= userEmbeddings.count, "users out of range")
        let itemCount = itemEmbeddings.count / dim
        let n = users.count
        var outItems = [UInt32](repeating: UInt32.max, count: n * k)
        var outScores = [Float](repeating: -.infinity, count: n * k)
        guard n > 0, k > 0 else { return (outItems, outScores) }
        let packed = ScoringKernel.pack(items: itemEmbeddings, itemCount: itemCount, dim: dim)
        let blocks = (itemCount + ScoringKernel.itemBlock - 1) / ScoringKernel.itemBlock
        let stride = blocks * ScoringKernel.itemBlock
        let ranges = Parallel.evenRanges(count: n, parts: max(1, threads))
        userEmbeddings.withUnsafeBufferPointer { ue in
        packed.withUnsafeBufferPointer { pk in
        exclusions.rowPointers.withUnsafeBufferPointer { rp in
        exclusions.items.withUnsafeBufferPointer { ex in
        outItems.withUnsafeMutableBufferPointer { oi in
        outScores.withUnsafeMutableBufferPointer { os in
            let uPtr = SendableConstPointer(base: ue.baseAddress!)
            let pPtr = SendableConstPointer(base: pk.baseAddress!)
            let rpPtr = SendableConstPointer(base: rp.baseAddress!)
            let exPtr = SendableConstPointer(base: ex.baseAddress ?? UnsafePointer(bitPattern: 8)!)
            let oiPtr = SendablePointer(base: oi.baseAddress!)
            let osPtr = SendablePointer(base: os.baseAddress!)
            let exclusionUsers = exclusions.userCount
            let first = users.lowerBound
            Parallel.run(ranges) { _, range in
                let rows = ScoringKernel.userBlock
                let scores = UnsafeMutablePointer<Float>.allocate(capacity: rows * stride)
                let heapScores = UnsafeMutablePointer<Float>.allocate(capacity: k)
                let heapItems = UnsafeMutablePointer<UInt32>.allocate(capacity: k)
                defer { scores.deallocate(); heapScores.deallocate(); heapItems.deallocate() }
                var r = range.lowerBound
                while r < range.upperBound {
                    let count = min(rows, range.upperBound - r)
                    ScoringKernel.scoreBlock(users: uPtr.base + (first + r) * dim, rows: count, dim: dim,
                                             packed: pPtr.base, blocks: blocks, out: scores)
                    for j in 0..<count {
                        let user = first + r + j
                        let excluded: UnsafeBufferPointer<UInt32>
                        if user < exclusionUsers {
                            let lo = rpPtr.base[user], hi = rpPtr.base[user + 1]
                            excluded = UnsafeBufferPointer(start: exPtr.base + lo, count: hi - lo)
                        } else {
                            excluded = UnsafeBufferPointer(start: exPtr.base, count: 0)
                        }
                        ScoringKernel.selectTopK(scores: scores + j * stride, itemCount: itemCount, k: k,
                                                 excluded: excluded, heapScores: heapScores, heapItems: heapItems,
                                                 outItems: oiPtr.base + (r + j) * k, outScores: osPtr.base + (r + j) * k)
                    }
                    r += count
                }
            }
        }}}}}}
        return (outItems, outScores)
    }
}
