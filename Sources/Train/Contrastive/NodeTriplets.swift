/// A batch of BPR triplets (u, i, j) as rows of the node embedding table.
///
/// Why node rows and not (user, item) indices: every contrastive loss term works on the stacked
/// node table E (users 0..<U, then items U..<U+I) that the propagation produces, so storing the
/// item rows already offset by U keeps the kernels free of that bookkeeping.
public struct NodeTriplets: Sendable, Equatable {
    /// Node row of the user, per triplet.
    public var users: [Int]
    /// Node row of the positive item (U + item index), per triplet.
    public var positives: [Int]
    /// Node row of the sampled negative item (U + item index), per triplet.
    public var negatives: [Int]

    public init(users: [Int], positives: [Int], negatives: [Int]) {
        precondition(users.count == positives.count && users.count == negatives.count,
                     "triplet columns must have equal length")
        self.users = users
        self.positives = positives
        self.negatives = negatives
    }

    /// Builds node rows from dense user and item indices (items offset by `userCount`).
    public init(userCount: Int, users: [UInt32], positiveItems: [UInt32], negativeItems: [UInt32]) {
        self.init(users: users.map { Int($0) },
                  positives: positiveItems.map { userCount + Int($0) },
                  negatives: negativeItems.map { userCount + Int($0) })
    }

    /// Number of triplets.
    public var count: Int { users.count }

    /// The distinct user rows of the batch, ascending (the InfoNCE anchor set for users).
    public var distinctUsers: [Int] { Self.distinct(users) }

    /// The distinct positive-item rows of the batch, ascending (the InfoNCE anchor set for items).
    public var distinctPositives: [Int] { Self.distinct(positives) }

    /// Sorted unique values: deterministic, independent of hashing seeds.
    ///
    /// Why a bitmap and not a sort: every training step asks for its batch's node rows (6,144 on
    /// a 2,048 batch), serially, and the comparison sort was ~5% of an ml-100k LightGCN epoch's
    /// CPU time. Rows are node indices below a few million, so one bit per node up to the largest
    /// and a scan of the words give the same ascending list in O(count + max/64). Negative or very
    /// large values fall back to the sort.
    public static func distinct(_ rows: [Int]) -> [Int] {
        guard let largest = rows.max(), let smallest = rows.min() else { return [] }
        guard smallest >= 0, largest < 1 << 26 else { return sortedDistinct(rows) }
        var words = [UInt64](repeating: 0, count: largest / 64 + 1)
        for r in rows { words[r >> 6] |= 1 << UInt64(r & 63) }
        var out = [Int]()
        out.reserveCapacity(rows.count)
        for (w, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                out.append(w << 6 | bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
        return out
    }

    static func sortedDistinct(_ rows: [Int]) -> [Int] {
        var sorted = rows.sorted()
        var write = 0
        for read in sorted.indices where read == 0 || sorted[read] != sorted[read - 1] {
            sorted[write] = sorted[read]
            write += 1
        }
        sorted.removeLast(sorted.count - write)
        return sorted
    }
}
