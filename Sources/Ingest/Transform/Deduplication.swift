/// Keeps one interaction per (user, item): the latest.
///
/// Vendors repeat rows (the Amazon 2018 dumps hold a review once per product variant); a
/// recommender treats a pair as one positive. "Latest" is the largest timestamp; among equal
/// timestamps (or none) the one later in the input wins, matching "the last record is current".
/// Pairs in different given splits count as duplicates too: the later one (test) is kept.
enum Deduplication {
    /// The deduplicated table (in input order of the kept rows) and the number of rows removed.
    static func keepLatest(_ t: InteractionTable) -> (InteractionTable, Int) {
        let n = t.count
        if n == 0 { return (t, 0) }
        var order = Array(0..<n)
        t.users.withUnsafeBufferPointer { u in
            t.items.withUnsafeBufferPointer { it in
                t.timestamps.withUnsafeBufferPointer { ts in
                    order.sort { a, b in
                        if u[a] != u[b] { return u[a] < u[b] }
                        if it[a] != it[b] { return it[a] < it[b] }
                        if ts[a] != ts[b] { return ts[a] < ts[b] }
                        return a < b
                    }
                }
            }
        }
        var keep = [Bool](repeating: false, count: n)
        var removed = 0
        for k in 0..<n {
            let a = order[k]
            if k + 1 < n {
                let b = order[k + 1]
                if t.users[a] == t.users[b] && t.items[a] == t.items[b] { removed += 1; continue }
            }
            keep[a] = true
        }
        return (t.filtered(keep), removed)
    }
}
