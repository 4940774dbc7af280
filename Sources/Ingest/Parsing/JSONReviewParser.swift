/// Parses vendor review JSON lines: Yelp reviews and both Amazon review shapes.
///
/// Yelp: `user_id`, `business_id`, `stars`, `date` ("YYYY-MM-DD HH:MM:SS").
/// Amazon 2014/2018: `reviewerID`, `asin`, `overall`, `unixReviewTime` (seconds).
/// Amazon 2023: `user_id`, `parent_asin` (else `asin`), `rating`, `timestamp` (milliseconds).
/// The Amazon shape is decided per line, so a mixed file still reads. A record missing its user,
/// item, rating or time is malformed: every column stays complete.
struct JSONReviewParser: LineParser {
    enum Flavor { case yelp, amazon }
    let flavor: Flavor
    private var scanner: JSONFieldScanner
    private var values: [JSONValueRef]
    private var userScratch: [UInt8] = []
    private var textScratch: [UInt8] = []
    private static let yelpDate = DateFormat.pattern("%Y-%m-%d %H:%M:%S")
    private static let yelpDay = DateFormat.pattern("%Y-%m-%d")

    init(flavor: Flavor) {
        self.flavor = flavor
        let keys = flavor == .yelp
            ? ["user_id", "business_id", "stars", "date"]
            : ["reviewerID", "asin", "overall", "unixReviewTime", "user_id", "parent_asin", "rating", "timestamp"]
        scanner = JSONFieldScanner(keys: keys)
        values = [JSONValueRef](repeating: JSONValueRef(), count: keys.count)
    }

    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into log: inout RawInteractionLog) -> LineOutcome {
        var arena: [UInt8] = []
        let (rec, reason) = extract(line, offset: 0, arena: &arena)
        switch rec.status {
        case ExtractedReview.skipped: return .skipped
        case ExtractedReview.malformed: return .malformed(reason ?? "malformed")
        default:
            let refused = arena.withUnsafeBufferPointer { a in
                log.add(user: rec.user(line, a), item: rec.item(line, a), rating: rec.rating, timestamp: rec.timestamp)
            }
            if let refused { return .malformed(refused) }
            return .parsed(1)
        }
    }

    /// Parses one line without touching shared state, so lines can be scanned on worker threads.
    /// Ids are located in the block (`offset` is the line's start in it) or, when they had escapes,
    /// decoded and appended to `arena`. Returns the reason for a malformed line.
    mutating func extract(_ line: UnsafeBufferPointer<UInt8>, offset: Int, arena: inout [UInt8]) -> (ExtractedReview, String?) {
        var rec = ExtractedReview()
        if NumberParsing.trimmed(line).isEmpty { rec.status = ExtractedReview.skipped; return (rec, nil) }
        rec.status = ExtractedReview.malformed
        if let reason = scanner.scan(line, into: &values) { return (rec, "invalid JSON: \(reason)") }
        let u: Int, i: Int, r: Int, t: Int
        var names: (String, String, String, String)
        var millis = false
        if flavor == .yelp {
            (u, i, r, t) = (0, 1, 2, 3)
            names = ("user_id", "business_id", "stars", "date")
        } else if values[0].kind != .missing {
            (u, i, r, t) = (0, 1, 2, 3)
            names = ("reviewerID", "asin", "overall", "unixReviewTime")
        } else if values[4].kind != .missing {
            (u, i, r, t) = (4, values[5].kind != .missing ? 5 : 1, 6, 7)
            names = ("user_id", values[5].kind != .missing ? "parent_asin" : "asin", "rating", "timestamp")
            millis = true
        } else {
            return (rec, "missing field reviewerID / user_id")
        }
        guard values[u].kind == .string else { return (rec, fieldProblem(names.0, values[u])) }
        guard values[i].kind == .string else { return (rec, fieldProblem(names.1, values[i])) }
        guard let rating = number(values[r], line) else { return (rec, fieldProblem(names.2, values[r])) }
        if flavor == .yelp {
            guard values[t].kind == .string, let ts = date(values[t], line) else { return (rec, fieldProblem(names.3, values[t])) }
            rec.timestamp = ts
        } else {
            guard let v = number(values[t], line), v.isFinite, abs(v) < 9e18 else { return (rec, fieldProblem(names.3, values[t])) }
            rec.timestamp = millis ? Int64((v / 1000).rounded(.down)) : Int64(v)
        }
        // A rating beyond Float's range would silently become infinity.
        guard abs(rating) <= Double(Float.greatestFiniteMagnitude) else { return (rec, "\(names.2) is out of range") }
        rec.rating = Float(rating)
        guard let user = locate(values[u], line, offset, &arena), let item = locate(values[i], line, offset, &arena) else {
            return (rec, "empty or invalid \(names.0) or \(names.1)")
        }
        (rec.userStart, rec.userCount, rec.userInArena) = user
        (rec.itemStart, rec.itemCount, rec.itemInArena) = item
        rec.status = ExtractedReview.parsed
        return (rec, nil)
    }

    /// Where a non-empty string value's bytes are: in the block, or decoded into the arena.
    private mutating func locate(_ v: JSONValueRef, _ line: UnsafeBufferPointer<UInt8>, _ offset: Int, _ arena: inout [UInt8])
        -> (Int32, Int32, Bool)? {
        if !v.hasEscapes { return v.end > v.start ? (Int32(offset + v.start), Int32(v.end - v.start), false) : nil }
        guard JSONFieldScanner.decodeString(UnsafeBufferPointer(rebasing: line[v.start..<v.end]), into: &userScratch),
              !userScratch.isEmpty else { return nil }
        let at = arena.count
        arena.append(contentsOf: userScratch)
        return (Int32(at), Int32(userScratch.count), true)
    }

    private func fieldProblem(_ name: String, _ v: JSONValueRef) -> String {
        v.kind == .missing ? "missing field \(name)" : "field \(name) has an invalid value"
    }

    /// A number written as a JSON number or as a numeric string ("4.0").
    private func number(_ v: JSONValueRef, _ line: UnsafeBufferPointer<UInt8>) -> Double? {
        guard v.kind == .number || (v.kind == .string && !v.hasEscapes) else { return nil }
        return NumberParsing.double(UnsafeBufferPointer(rebasing: line[v.start..<v.end]))
    }

    private mutating func date(_ v: JSONValueRef, _ line: UnsafeBufferPointer<UInt8>) -> Int64? {
        var raw = UnsafeBufferPointer(rebasing: line[v.start..<v.end])
        if v.hasEscapes {
            guard JSONFieldScanner.decodeString(raw, into: &textScratch) else { return nil }
            return textScratch.withUnsafeBufferPointer { p in Self.yelpDate.parse(p) ?? Self.yelpDay.parse(p) ?? DateFormat.iso8601.parse(p) }
        }
        raw = NumberParsing.trimmed(raw)
        return Self.yelpDate.parse(raw) ?? Self.yelpDay.parse(raw) ?? DateFormat.iso8601.parse(raw)
    }
}

/// One parsed JSON line as plain values, for the parallel scanner (see `ParallelJSONReading`).
struct ExtractedReview {
    static let parsed: UInt8 = 0
    static let skipped: UInt8 = 1
    static let malformed: UInt8 = 2
    var status: UInt8 = 0
    var userInArena = false
    var itemInArena = false
    var userStart: Int32 = 0
    var userCount: Int32 = 0
    var itemStart: Int32 = 0
    var itemCount: Int32 = 0
    var rating: Float = .nan
    var timestamp: Int64 = .min

    @inline(__always)
    func user(_ block: UnsafeBufferPointer<UInt8>, _ arena: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: (userInArena ? arena : block)[Int(userStart)..<Int(userStart + userCount)])
    }

    @inline(__always)
    func item(_ block: UnsafeBufferPointer<UInt8>, _ arena: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: (itemInArena ? arena : block)[Int(itemStart)..<Int(itemStart + itemCount)])
    }
}
