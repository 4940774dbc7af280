/// Parses the LightGCN/NGCF adjacency files: one line per user, `user item item …`.
///
/// The file's role (train or test) is set by the caller through `RawInteractionLog.currentSplit`,
/// so the published split is kept exactly. Ids must be decimal integers; anything else means the
/// file is not in this format and the line is reported.
struct LightGCNParser: LineParser {
    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into log: inout RawInteractionLog) -> LineOutcome {
        let n = line.count
        // Validate first so a bad line adds nothing.
        for k in 0..<n {
            let c = line[k]
            guard (c >= 0x30 && c <= 0x39) || c == 0x20 || c == 0x09 else { return .malformed("id is not a non-negative integer") }
        }
        var i = 0
        var user: UnsafeBufferPointer<UInt8>?
        var added = 0
        while i < n {
            while i < n && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
            if i == n { break }
            let s = i
            while i < n && line[i] != 0x20 && line[i] != 0x09 { i += 1 }
            let token = UnsafeBufferPointer(rebasing: line[s..<i])
            if let u = user {
                // Digits only (checked above) are always accepted ids, so nothing is refused
                // half-way through a line.
                if let refused = log.add(user: u, item: token, rating: .nan, timestamp: .min) { return .malformed(refused) }
                added += 1
            } else {
                user = token
            }
        }
        if user == nil { return .skipped }
        return .parsed(added)
    }
}
