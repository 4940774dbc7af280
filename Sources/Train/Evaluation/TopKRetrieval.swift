import Core

/// Top-K items per user by dot product over all items: the ranking step of evaluation and export.
///
/// Why one shared entry point: evaluation (valid/test metrics) and export (the recommendations
/// table) must rank identically, ties included, and one kernel is one thing to make fast. It is
/// cache-tiled and fused with selection: a tile of users reuses an L2-resident chunk of items,
/// and selection filters 16 scores per vector compare (see `TiledTopKKernel`). Users are split
/// into fixed contiguous parts per thread and each user is ranked by one worker alone, so the
/// result does not depend on the thread count.
public enum TopKRetrieval {
    /// Raw pointers for the workers (Swift 6 rejects capturing them in `@Sendable` closures).
    private struct Shared: @unchecked Sendable {
        let users: UnsafePointer<Float>
        let packed: UnsafePointer<Float>
        let pointers: UnsafePointer<Int>
        let excluded: UnsafePointer<UInt32>
        let outItems: UnsafeMutablePointer<UInt32>
        let outScores: UnsafeMutablePointer<Float>
    }

    /// Top-`k` items for each user in `users`: `users.count * k` entries, row-major, best first;
    /// ties go to the lower item index; slots beyond the number of candidates are `UInt32.max` / `-inf`.
    public static func topK(userEmbeddings: [Float], itemEmbeddings: [Float], dim: Int, users: Range<Int>, k: Int,
                            exclusions: ItemExclusions, threads: Int) -> (items: [UInt32], scores: [Float]) {
        run(userEmbeddings: userEmbeddings, itemEmbeddings: itemEmbeddings, dim: dim, users: users, k: k,
            exclusions: exclusions, threads: threads, scoreOnly: false)
    }

    /// Only the scoring half of `topK` (every score computed, tile by tile, then dropped): lets the
    /// benchmark split top-K time into scoring and selection with the very same kernel.
    public static func scoreOnly(userEmbeddings: [Float], itemEmbeddings: [Float], dim: Int, users: Range<Int>, threads: Int) {
        _ = run(userEmbeddings: userEmbeddings, itemEmbeddings: itemEmbeddings, dim: dim, users: users, k: 1,
                exclusions: ItemExclusions(userCount: 0, splits: []), threads: threads, scoreOnly: true)
    }

    private static func run(userEmbeddings: [Float], itemEmbeddings: [Float], dim: Int, users: Range<Int>, k: Int,
                            exclusions: ItemExclusions, threads: Int, scoreOnly: Bool) -> (items: [UInt32], scores: [Float]) {
        precondition(dim > 0 && k >= 0, "dim must be positive and k non-negative")
        precondition(itemEmbeddings.count % dim == 0, "item embeddings are not a multiple of dim")
        precondition(users.lowerBound >= 0 && users.upperBound * dim <= userEmbeddings.count, "users out of range")
        let itemCount = itemEmbeddings.count / dim
        let n = users.count
        var outItems = [UInt32](repeating: UInt32.max, count: n * k)
        var outScores = [Float](repeating: -.infinity, count: n * k)
        guard n > 0, k > 0 else { return (outItems, outScores) }
        let blocks = (itemCount + TiledTopKKernel.itemBlock - 1) / TiledTopKKernel.itemBlock
        var packed = [Float](repeating: 0, count: max(1, blocks * dim * TiledTopKKernel.itemBlock))
        itemEmbeddings.withUnsafeBufferPointer { src in
            packed.withUnsafeMutableBufferPointer { TiledTopKKernel.pack(items: src, itemCount: itemCount, dim: dim, into: $0) }
        }
        let ranges = Parallel.evenRanges(count: n, parts: max(1, threads))
        let exclusionRows = exclusions.userCount
        let sentinel: [UInt32] = [0]
        userEmbeddings.withUnsafeBufferPointer { ue in
        packed.withUnsafeBufferPointer { pk in
        exclusions.rowPointers.withUnsafeBufferPointer { rp in
        (exclusions.items.isEmpty ? sentinel : exclusions.items).withUnsafeBufferPointer { ex in
        outItems.withUnsafeMutableBufferPointer { oi in
        outScores.withUnsafeMutableBufferPointer { os in
            let shared = Shared(users: ue.baseAddress! + users.lowerBound * dim, packed: pk.baseAddress!,
                                pointers: rp.baseAddress!, excluded: ex.baseAddress!,
                                outItems: oi.baseAddress!, outScores: os.baseAddress!)
            let first = users.lowerBound
            Parallel.run(ranges) { _, range in
                let scratch = TiledTopKKernel.Scratch(k: k, dim: dim)
                defer { scratch.free() }
                TiledTopKKernel.run(users: shared.users, rows: range, dim: dim, packed: shared.packed, itemCount: itemCount, k: k,
                                    exclusionPointers: shared.pointers, exclusionItems: shared.excluded,
                                    exclusionRows: exclusionRows, exclusionRow0: first,
                                    outItems: shared.outItems + range.lowerBound * k, outScores: shared.outScores + range.lowerBound * k,
                                    scratch: scratch, scoreOnly: scoreOnly)
            }
        }}}}}}
        return (outItems, outScores)
    }
}
