import Core

/// One part of a user-range split of an export: part `index` of `count`, numbered from 1.
///
/// Why ranges and not hashes: parts are contiguous blocks of dense user indices, so a part's
/// rows are a B-tree append in the merged file, and "overlap" and "gap" have an exact meaning
/// that `ExportMerge` can check from each part's `user_range` meta alone.
public struct ExportShard: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Which part, 1...count.
    public var index: Int
    /// How many parts.
    public var count: Int

    /// A shard, checked: 1 ≤ index ≤ count.
    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 1, index <= count else {
            throw AccfError.usage("shard \(index)/\(count): expected i/n with 1 ≤ i ≤ n", hint: "e.g. --shard 1/4 … --shard 4/4")
        }
        self.index = index
        self.count = count
    }

    /// Parses "i/n".
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0].trimmingSpaces), let n = Int(parts[1].trimmingSpaces) else {
            throw AccfError.usage("shard \"\(text)\": expected i/n with 1 ≤ i ≤ n", hint: "e.g. --shard 1/4 … --shard 4/4")
        }
        try self.init(index: i, count: n)
    }

    /// The dense user indices of this part: the `index`-th of `count` near-equal contiguous ranges.
    public func userRange(userCount: Int) -> Range<Int> {
        (userCount * (index - 1) / count)..<(userCount * index / count)
    }

    public var description: String { "\(index)/\(count)" }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
