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
    public static func distinct(_ rows: [Int]) -> [Int] {
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
