import Core

/// Everything one exported file holds, in memory: ids, final embeddings, top-K lists, metadata.
///
/// Why a plain value: the SQLite writer should not know where the numbers came from (a trained
/// `FinalModel`, a merge of parts, a test's hand-made arrays), so it takes this and nothing else,
/// and every check of shape happens once, in `validate()`, before a byte is written.
public struct ExportContent: Sendable, Equatable {
    /// Dense user index → external id, for all users of the dataset.
    public var userIds: [String]
    /// Dense item index → external id.
    public var itemIds: [String]
    /// Embedding width; 0 when embeddings are not exported.
    public var dim: Int
    /// Final (propagated) user embeddings, row-major `userIds.count × dim`; empty to skip them.
    public var userEmbeddings: [Float]
    /// Final item embeddings, row-major `itemIds.count × dim`; empty to skip them.
    public var itemEmbeddings: [Float]
    /// The exported users (dense indices, strictly increasing): all, a range, or a subset.
    public var users: [Int]
    /// Recommendations per exported user, or nil to skip the table.
    public var recommendations: TopKLists?
    /// meta rows (key → value); the writer adds `schema_version`, `embedding_dtype`,
    /// `has_embeddings`, `has_recommendations`, `user_count`, `item_count` itself.
    public var meta: [String: String]

    public init(userIds: [String], itemIds: [String], dim: Int, userEmbeddings: [Float], itemEmbeddings: [Float],
                users: [Int], recommendations: TopKLists?, meta: [String: String]) {
        self.userIds = userIds
        self.itemIds = itemIds
        self.dim = dim
        self.userEmbeddings = userEmbeddings
        self.itemEmbeddings = itemEmbeddings
        self.users = users
        self.recommendations = recommendations
        self.meta = meta
    }

    /// Whether the users and items tables carry embeddings (otherwise zero-length BLOBs).
    public var hasEmbeddings: Bool { !userEmbeddings.isEmpty || !itemEmbeddings.isEmpty }

    /// Checks every shape the writer relies on; a mismatch is a bug in the caller (exit 70).
    public func validate() throws {
        if hasEmbeddings {
            guard dim > 0, userEmbeddings.count == userIds.count * dim, itemEmbeddings.count == itemIds.count * dim else {
                throw AccfError.internalError("export content: embeddings \(userEmbeddings.count)/\(itemEmbeddings.count) floats do not match \(userIds.count)/\(itemIds.count) ids × dim \(dim)")
            }
        }
        var previous = -1
        for u in users {
            guard u > previous, u < userIds.count else {
                throw AccfError.internalError("export content: user list must be strictly increasing dense indices below \(userIds.count)")
            }
            previous = u
        }
        if let r = recommendations {
            guard r.k > 0, r.items.count == users.count * r.k, r.scores.count == r.items.count else {
                throw AccfError.internalError("export content: \(r.items.count) recommendations for \(users.count) users × k \(r.k)")
            }
            for item in r.items where item != TopKLists.missing && Int(item) >= itemIds.count {
                throw AccfError.internalError("export content: recommended item \(item) out of range \(itemIds.count)")
            }
        }
    }
}

/// Top-K lists of a set of users: row r holds the K best items of the r-th user, best first.
///
/// Mirrors `TopKRetrieval.topK`'s output: a row with fewer than K candidates ends with
/// `missing` items (`UInt32.max`, score -inf), which the writer skips.
public struct TopKLists: Sendable, Equatable {
    /// Marks an empty slot.
    public static let missing = UInt32.max
    public var k: Int
    /// Item indices, row-major `rows × k`.
    public var items: [UInt32]
    /// Scores (dot products), row-major `rows × k`.
    public var scores: [Float]

    public init(k: Int, items: [UInt32], scores: [Float]) {
        self.k = k
        self.items = items
        self.scores = scores
    }
}
