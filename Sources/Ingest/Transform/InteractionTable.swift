/// The interactions between parsing and writing: columns that filters shrink and splits tag.
///
/// Ids are whatever index space the current step uses (interned order first, dense sorted ids
/// after `DenseIds`). Every transform is a pure function of a table (and a seeded generator),
/// which is what makes ingest byte-reproducible.
struct InteractionTable {
    var users: [UInt32] = []
    var items: [UInt32] = []
    /// NaN where unknown.
    var ratings: [Float] = []
    /// Int64.min where unknown.
    var timestamps: [Int64] = []
    /// Split per interaction (Split raw index: 0 train, 1 valid, 2 test).
    var splits: [UInt8] = []

    var count: Int { users.count }

    init() {}

    init(_ log: RawInteractionLog) {
        users = log.userColumn
        items = log.itemColumn
        ratings = log.ratings
        timestamps = log.timestamps
        splits = log.givenSplit
    }

    mutating func reserve(_ n: Int) {
        users.reserveCapacity(n); items.reserveCapacity(n); ratings.reserveCapacity(n)
        timestamps.reserveCapacity(n); splits.reserveCapacity(n)
    }

    mutating func append(from t: InteractionTable, _ k: Int) {
        users.append(t.users[k]); items.append(t.items[k]); ratings.append(t.ratings[k])
        timestamps.append(t.timestamps[k]); splits.append(t.splits[k])
    }

    /// The rows where `keep` is true, in order.
    func filtered(_ keep: [Bool]) -> InteractionTable {
        var out = InteractionTable()
        out.reserve(keep.lazy.filter { $0 }.count)
        for k in 0..<count where keep[k] { out.append(from: self, k) }
        return out
    }

    /// The rows in the order of `order`.
    func permuted(_ order: [Int]) -> InteractionTable {
        var out = InteractionTable()
        out.reserve(order.count)
        for k in order { out.append(from: self, k) }
        return out
    }

    /// Row order by user, then time, then item (then input order), for per-user splitting.
    func orderByUserTime() -> [Int] {
        var order = Array(0..<count)
        order.sort { a, b in
            if users[a] != users[b] { return users[a] < users[b] }
            if timestamps[a] != timestamps[b] { return timestamps[a] < timestamps[b] }
            if items[a] != items[b] { return items[a] < items[b] }
            return a < b
        }
        return order
    }
}
