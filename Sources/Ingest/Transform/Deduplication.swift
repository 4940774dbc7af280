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
        let order = RadixSort.order((0..<n).map { UInt64(t.users[$0]) << 32 | UInt64(t.items[$0]) })
        var keep = [Bool](repeating: false, count: n)
        var removed = 0
        var start = 0
        while start < n {
            let a = Int(order[start])
            var best = a
            var end = start + 1
            // Rows of one pair are in input order, so ">=" on time picks the later row on ties.
            while end < n, case let b = Int(order[end]), t.users[b] == t.users[a] && t.items[b] == t.items[a] {
                if t.timestamps[b] >= t.timestamps[best] { best = b }
                end += 1
            }
            keep[best] = true
            removed += end - start - 1
            start = end
        }
        return (t.filtered(keep), removed)
    }
}
