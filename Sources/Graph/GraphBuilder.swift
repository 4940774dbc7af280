import Core
import Ingest

/// Builds Â = D^-1/2 A D^-1/2 from the train interactions in O(nnz) time and memory.
///
/// Why two passes instead of sorting a coordinate list: counting degrees gives the row pointers
/// directly, and a second pass drops every edge into both of its rows (user→item, item→user).
/// Ingest's order (user, then item) makes every row come out sorted; any other order is still
/// correct — rows found unsorted are sorted in place (O(deg log deg) each, never a global sort).
/// Duplicate edges would double-count degrees; ingest removes them, but the builder checks
/// (adjacent equal columns in a sorted row) and refuses rather than trusting that silently.
public enum GraphBuilder {
    /// Builds the normalized graph of `train` over `userCount` users and `itemCount` items.
    ///
    /// - Throws: `AccfError` (exit 65) naming `source` for an index out of range or a duplicate
    ///   (user, item) pair; exit 64 when the node count does not fit the 32-bit column indices.
    public static func build(userCount: Int, itemCount: Int, train: InteractionColumns,
                             datasetHash: UInt64 = 0, source: String = "train split") throws -> NormalizedGraph {
        guard userCount >= 0, itemCount >= 0 else {
            throw AccfError.usage("graph: negative user or item count (\(userCount), \(itemCount))")
        }
        let nodeCount = userCount + itemCount
        guard nodeCount < Int(UInt32.max) else {
            throw AccfError.usage("graph: \(nodeCount) nodes exceed the 32-bit column index limit")
        }
        guard train.items.count == train.users.count else {
            throw AccfError.badData(source, "\(train.users.count) users but \(train.items.count) items in the interaction columns")
        }
        let edges = train.count
        let nnz = edges * 2
        let storage = try GraphStorage(rowPointerCount: nodeCount + 1, nonzeroCount: nnz) { rp, cols, vals in
            try train.users.withUnsafeBufferPointer { users in
                try train.items.withUnsafeBufferPointer { items in
                    try fill(users: users, items: items, userCount: userCount, itemCount: itemCount,
                             rowPointers: rp, columns: cols, values: vals, source: source)
                }
            }
        }
        return try NormalizedGraph(userCount: userCount, itemCount: itemCount, storage: storage, contentHash: nil,
                                   datasetHash: datasetHash, file: source)
    }

    private static func fill(users: UnsafeBufferPointer<UInt32>, items: UnsafeBufferPointer<UInt32>,
                             userCount: Int, itemCount: Int, rowPointers rp: UnsafeMutableBufferPointer<Int>,
                             columns cols: UnsafeMutableBufferPointer<UInt32>, values vals: UnsafeMutableBufferPointer<Float>,
                             source: String) throws {
        let nodeCount = userCount + itemCount
        // Pass 1: degrees, counted into rp[r + 1], then prefix-summed into row starts.
        for e in 0..<users.count {
            let u = Int(users[e]), i = Int(items[e])
            if u >= userCount || i >= itemCount {
                throw AccfError.badData(source, "interaction \(e): user \(u) / item \(i) out of range (\(userCount) users, \(itemCount) items)",
                                        hint: "the interactions do not match the dataset's dictionaries; re-run ingest")
            }
            rp[u + 1] += 1
            rp[userCount + i + 1] += 1
        }
        for r in 0..<nodeCount { rp[r + 1] += rp[r] }

        // Pass 2: drop each edge into both rows; `next[r]` is row r's write cursor.
        var next = Array(rp[0..<nodeCount])
        try next.withUnsafeMutableBufferPointer { next in
            for e in 0..<users.count {
                let u = Int(users[e]), i = Int(items[e])
                cols[next[u]] = UInt32(userCount + i)
                next[u] += 1
                cols[next[userCount + i]] = UInt32(u)
                next[userCount + i] += 1
            }
            // Sort rows that came out unsorted (never, for ingest's order); find duplicates.
            for r in 0..<nodeCount {
                var row = UnsafeMutableBufferPointer(rebasing: cols[rp[r]..<rp[r + 1]])
                var sorted = true
                for k in row.indices.dropFirst() where row[k - 1] >= row[k] {
                    sorted = false
                    break
                }
                if sorted { continue }
                row.sort()
                for k in row.indices.dropFirst() where row[k - 1] == row[k] {
                    let (user, item) = r < userCount ? (r, Int(row[k]) - userCount) : (Int(row[k]), r - userCount)
                    throw AccfError.badData(source, "duplicate interaction (user \(user), item \(item)) in the train split",
                                            hint: "each (user, item) pair must appear once; re-run ingest, which removes duplicates")
                }
            }
        }

        // Values: 1/sqrt(deg(r)·deg(c)) with the integer product, so Â[r][c] and Â[c][r] are the
        // same float bit for bit (symmetry is exact, not approximate).
        for r in 0..<nodeCount {
            let dr = rp[r + 1] - rp[r]
            for k in rp[r]..<rp[r + 1] {
                let c = Int(cols[k])
                let dc = rp[c + 1] - rp[c]
                vals[k] = Float(1 / (Double(dr * dc)).squareRoot())
            }
        }
    }
}
