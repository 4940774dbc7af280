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
            // Cache blocking: a chunk of users shares each tile of packed items (tileBlocks × 16
            // items × dim floats, L2-sized), and every user's heap is fed tile by tile, so the
            // item matrix streams from memory once per chunk instead of once per 4 users.
            Parallel.run(ranges) { _, range in
                let chunkUsers = 64
                let tileBlocks = max(1, min(blocks, 16384 / (dim * ScoringKernel.itemBlock)))
                let tileWidth = tileBlocks * ScoringKernel.itemBlock
                let tile = UnsafeMutablePointer<Float>.allocate(capacity: ScoringKernel.userBlock * tileWidth)
                let heapScores = UnsafeMutablePointer<Float>.allocate(capacity: chunkUsers * k)
                let heapItems = UnsafeMutablePointer<UInt32>.allocate(capacity: chunkUsers * k)
                defer { tile.deallocate(); heapScores.deallocate(); heapItems.deallocate() }
                var chunkStart = range.lowerBound
                while chunkStart < range.upperBound {
                    let chunkEnd = min(range.upperBound, chunkStart + chunkUsers)
                    var selectors: [ScoringKernel.Selector] = []
                    selectors.reserveCapacity(chunkEnd - chunkStart)
                    for r in chunkStart..<chunkEnd {
                        let user = first + r
                        var excluded = UnsafeBufferPointer(start: exPtr.base, count: 0)
                        if user < exclusionUsers {
                            let lo = rpPtr.base[user], hi = rpPtr.base[user + 1]
                            excluded = UnsafeBufferPointer(start: exPtr.base + lo, count: hi - lo)
                        }
                        let slot = r - chunkStart
                        selectors.append(ScoringKernel.Selector(k: k, heapScores: heapScores + slot * k, heapItems: heapItems + slot * k,
                                                                excluded: excluded))
                    }
                    var b0 = 0
                    while b0 < blocks {
                        let b1 = min(blocks, b0 + tileBlocks)
                        let firstItem = b0 * ScoringKernel.itemBlock
                        let width = min(itemCount, b1 * ScoringKernel.itemBlock) - firstItem
                        var r = chunkStart
                        while r < chunkEnd {
                            let rows = min(ScoringKernel.userBlock, chunkEnd - r)
                            ScoringKernel.scoreBlock(users: uPtr.base + (first + r) * dim, rows: rows, dim: dim,
                                                     packed: pPtr.base, blocks: b0..<b1, stride: tileWidth, out: tile)
                            for j in 0..<rows {
                                selectors[r + j - chunkStart].feed(scores: tile + j * tileWidth, first: firstItem, count: width)
                            }
                            r += rows
                        }
                        b0 = b1
                    }
                    for r in chunkStart..<chunkEnd {
                        selectors[r - chunkStart].finish(items: oiPtr.base + r * k, scores: osPtr.base + r * k)
                    }
                    chunkStart = chunkEnd
                }
            }
        }}}}}}
        return (outItems, outScores)
    }
}
