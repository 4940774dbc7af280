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

    /// Moves the columns out of `log` (leaving its dictionaries), so they are not held twice.
    init(taking log: inout RawInteractionLog) {
        swap(&users, &log.userColumn)
        swap(&items, &log.itemColumn)
        swap(&ratings, &log.ratings)
        swap(&timestamps, &log.timestamps)
        swap(&splits, &log.givenSplit)
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
        var rows: [UInt32] = []
        rows.reserveCapacity(count)
        for k in 0..<count where keep[k] { rows.append(UInt32(k)) }
        return permuted(rows)
    }

    /// The rows in the order of `order`.
    func permuted(_ order: [UInt32]) -> InteractionTable {
        var out = InteractionTable()
        out.users = order.map { users[Int($0)] }
        out.items = order.map { items[Int($0)] }
        out.ratings = order.map { ratings[Int($0)] }
        out.timestamps = order.map { timestamps[Int($0)] }
        out.splits = order.map { splits[Int($0)] }
        return out
    }

    /// Row order by user, then time, then item (then input order), for per-user splitting.
    func orderByUserTime() -> [UInt32] {
        var order = RadixSort.order(users.map { UInt64($0) })
        var start = 0
        while start < count {
            let u = users[Int(order[start])]
            var end = start + 1
            while end < count && users[Int(order[end])] == u { end += 1 }
            if end - start > 1 {
                order[start..<end].sort { a, b in
                    let x = Int(a), y = Int(b)
                    if timestamps[x] != timestamps[y] { return timestamps[x] < timestamps[y] }
                    if items[x] != items[y] { return items[x] < items[y] }
                    return a < b
                }
            }
            start = end
        }
        return order
    }
}
