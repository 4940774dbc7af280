/// Interactions as parsed, before filtering: interned ids and compact columns.
///
/// This is all the memory ingest holds about the input: two dictionaries of distinct ids and
/// ~21 bytes per interaction, however large the (compressed) input is.
struct RawInteractionLog {
    var users = ByteInterner()
    var items = ByteInterner()
    var userColumn: [UInt32] = []
    var itemColumn: [UInt32] = []
    /// NaN where the source has no rating.
    var ratings: [Float] = []
    /// Int64.min where the source has no timestamp.
    var timestamps: [Int64] = []
    /// The given split (0 train, 2 test) of each interaction, for inputs that carry one.
    var givenSplit: [UInt8] = []
    /// The split tag added to interactions of the file being read.
    var currentSplit: UInt8 = 0

    var count: Int { userColumn.count }

    /// Adds one interaction; returns the reason when an id is refused (nothing is added then;
    /// a refused item may leave its new user interned but unused, which dense ids ignore).
    @inline(__always)
    mutating func add(user: UnsafeBufferPointer<UInt8>, item: UnsafeBufferPointer<UInt8>, rating: Float, timestamp: Int64) -> String? {
        let u = users.intern(user)
        if u == ByteInterner.rejected { return Self.badUser }
        let i = items.intern(item)
        if i == ByteInterner.rejected { return Self.badItem }
        userColumn.append(u)
        itemColumn.append(i)
        ratings.append(rating)
        timestamps.append(timestamp)
        givenSplit.append(currentSplit)
        return nil
    }

    static let badUser = "user id is not valid UTF-8 or contains a control character"
    static let badItem = "item id is not valid UTF-8 or contains a control character"
}

/// What a parser made of one line.
enum LineOutcome {
    /// The line held this many interactions.
    case parsed(Int)
    /// Blank line, header or comment: not data, not an error.
    case skipped
    /// Not a valid record; the reason goes into the report.
    case malformed(String)
}

/// One input format's line parser. Parsers keep per-file state (a header), so a fresh one is
/// made for every input file.
protocol LineParser {
    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into log: inout RawInteractionLog) -> LineOutcome
}
