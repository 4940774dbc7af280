import Core

/// Adds false-positive train interactions for robustness studies (the ACCF article's 5–20%).
///
/// Each user gets round(fraction × their train count) items they never touched in any split,
/// drawn uniformly with a seeded generator; a user who touched (almost) every item gets what
/// remains. A noisy row takes the user's mean train rating (when ratings exist) and a time drawn
/// inside the user's train time range (when times exist), so it is indistinguishable by its columns.
enum NoiseInjection {
    /// The table with noise rows appended (grouped after each user's rows) and how many were added.
    static func inject(_ t: InteractionTable, itemCount: Int, fraction: Double, rng: inout SeededGenerator) -> (InteractionTable, Int) {
        if fraction <= 0 || itemCount == 0 { return (t, 0) }
        var out = InteractionTable()
        out.reserve(t.count + Int(Double(t.count) * fraction) + 16)
        var added = 0
        var start = 0
        while start < t.count {
            var end = start + 1
            while end < t.count && t.users[end] == t.users[start] { end += 1 }
            for k in start..<end { out.append(from: t, k) }
            let rows = start..<end
            var touched = Set(rows.map { t.items[$0] })
            let trainRows = rows.filter { t.splits[$0] == 0 }
            let want = min(Int((fraction * Double(trainRows.count)).rounded()), itemCount - touched.count)
            if want > 0 {
                let ratings = trainRows.map { t.ratings[$0] }.filter { !$0.isNaN }
                let meanRating = ratings.isEmpty ? Float.nan : ratings.reduce(0, +) / Float(ratings.count)
                let times = trainRows.map { t.timestamps[$0] }.filter { $0 != .min }
                let lo = times.min() ?? .min, hi = times.max() ?? .min
                var made = 0
                while made < want {
                    let item = UInt32(rng.nextInt(below: itemCount))
                    if touched.contains(item) { continue }
                    touched.insert(item)
                    var ts = Int64.min
                    if lo != .min { ts = lo + Int64(rng.nextInt(below: Int(min(hi - lo, Int64(Int.max - 1))) + 1)) }
                    out.users.append(t.users[start]); out.items.append(item); out.ratings.append(meanRating)
                    out.timestamps.append(ts); out.splits.append(0)
                    made += 1
                }
                added += made
            }
            start = end
        }
        return (out, added)
    }
}
