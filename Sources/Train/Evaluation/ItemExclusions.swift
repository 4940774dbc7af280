import Ingest

/// Items a user must not be recommended (or ranked against): a CSR of sorted, distinct item
/// indices per user, built from one or more splits.
///
/// Why a CSR and not a `Set` per user: one allocation for all users, cache-friendly scans while
/// scoring (the scorer walks a user's sorted list alongside the item index), and a binary search
/// is a fast enough membership test for negative sampling.
public struct ItemExclusions: Sendable {
    /// Number of users covered (users past the end have no exclusions).
    public let userCount: Int
    /// `userCount + 1` offsets into `items`.
    public let rowPointers: [Int]
    /// Sorted, distinct item indices per user.
    public let items: [UInt32]

    /// Builds the CSR from the union of `splits` (interactions of users ≥ `userCount` are ignored).
    public init(userCount: Int, splits: [InteractionColumns]) {
        self.userCount = userCount
        var counts = [Int](repeating: 0, count: userCount + 1)
        for split in splits {
            for u in split.users where Int(u) < userCount { counts[Int(u) + 1] += 1 }
        }
        for u in 0..<userCount { counts[u + 1] += counts[u] }
        var fill = counts
        var raw = [UInt32](repeating: 0, count: counts[userCount])
        for split in splits {
            for k in 0..<split.count {
                let u = Int(split.users[k])
                guard u < userCount else { continue }
                raw[fill[u]] = split.items[k]
                fill[u] += 1
            }
        }
        // Sort and deduplicate each row (splits may overlap, or be unsorted after merging).
        var pointers = [Int](repeating: 0, count: userCount + 1)
        var out = [UInt32]()
        out.reserveCapacity(raw.count)
        for u in 0..<userCount {
            var row = Array(raw[counts[u]..<counts[u + 1]])
            row.sort()
            var last: UInt32? = nil
            for item in row where item != last {
                out.append(item)
                last = item
            }
            pointers[u + 1] = out.count
        }
        rowPointers = pointers
        items = out
    }

    /// The sorted excluded items of `user` (empty for users past the end).
    public func items(of user: Int) -> ArraySlice<UInt32> {
        guard user >= 0 && user < userCount else { return [] }
        return items[rowPointers[user]..<rowPointers[user + 1]]
    }

    /// Number of excluded items of `user`.
    public func count(of user: Int) -> Int {
        guard user >= 0 && user < userCount else { return 0 }
        return rowPointers[user + 1] - rowPointers[user]
    }

    /// Whether `item` is excluded for `user` (binary search in the user's sorted row).
    @inlinable
    public func contains(user: Int, item: UInt32) -> Bool {
        guard user >= 0 && user < userCount else { return false }
        var lo = rowPointers[user], hi = rowPointers[user + 1]
        while lo < hi {
            let mid = (lo + hi) >> 1
            let v = items[mid]
            if v == item { return true }
            if v < item { lo = mid + 1 } else { hi = mid }
        }
        return false
    }
}
