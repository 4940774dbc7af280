/// Which part of the data an interaction belongs to.
public enum Split: String, Sendable, CaseIterable, Codable {
    case train, valid, test
}

/// Interactions of one split as parallel columns, indexed by dense user and item indices.
///
/// This is the in-memory form every later stage consumes (graph from `train`, the sampler from
/// `train`, evaluation from `valid`/`test`). Rows are sorted by user, then item, so one user's
/// interactions are contiguous — what shards, CSR building and per-user evaluation all want.
public struct InteractionColumns: Sendable, Equatable {
    /// Dense user index per interaction (0..<userCount).
    public var users: [UInt32]
    /// Dense item index per interaction (0..<itemCount).
    public var items: [UInt32]
    /// Rating per interaction, when the source had ratings.
    public var ratings: [Float]?
    /// Unix seconds per interaction, when the source had timestamps.
    public var timestamps: [Int64]?

    public init(users: [UInt32] = [], items: [UInt32] = [], ratings: [Float]? = nil, timestamps: [Int64]? = nil) {
        self.users = users
        self.items = items
        self.ratings = ratings
        self.timestamps = timestamps
    }

    /// Number of interactions.
    public var count: Int { users.count }
}
