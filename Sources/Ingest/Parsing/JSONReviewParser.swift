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
    private var itemScratch: [UInt8] = []
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
        if NumberParsing.trimmed(line).isEmpty { return .skipped }
        if let reason = scanner.scan(line, into: &values) { return .malformed("invalid JSON: \(reason)") }
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
            return .malformed("missing field reviewerID / user_id")
        }
        guard values[u].kind == .string else { return .malformed(fieldProblem(names.0, values[u])) }
        guard values[i].kind == .string else { return .malformed(fieldProblem(names.1, values[i])) }
        guard let rating = number(values[r], line) else { return .malformed(fieldProblem(names.2, values[r])) }
        let timestamp: Int64
        if flavor == .yelp {
            guard values[t].kind == .string, let ts = date(values[t], line) else { return .malformed(fieldProblem(names.3, values[t])) }
            timestamp = ts
        } else {
            guard let v = number(values[t], line), v.isFinite, abs(v) < 9e18 else { return .malformed(fieldProblem(names.3, values[t])) }
            timestamp = millis ? Int64((v / 1000).rounded(.down)) : Int64(v)
        }
        let ok: Bool = Self.withString(values[u], line, &userScratch) { user in
            Self.withString(values[i], line, &itemScratch) { item in
                log.add(user: user, item: item, rating: Float(rating), timestamp: timestamp)
                return true
            }
        }
        if !ok { return .malformed("empty or invalid \(names.0) or \(names.1)") }
        return .parsed(1)
    }

    private func fieldProblem(_ name: String, _ v: JSONValueRef) -> String {
        v.kind == .missing ? "missing field \(name)" : "field \(name) has an invalid value"
    }

    /// Calls `body` with the bytes of a non-empty string value (escapes decoded into `scratch`);
    /// false when the string is empty or has an invalid escape.
    private static func withString(_ v: JSONValueRef, _ line: UnsafeBufferPointer<UInt8>, _ scratch: inout [UInt8],
                                   _ body: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        let raw = UnsafeBufferPointer(rebasing: line[v.start..<v.end])
        if !v.hasEscapes { return !raw.isEmpty && body(raw) }
        guard JSONFieldScanner.decodeString(raw, into: &scratch), !scratch.isEmpty else { return false }
        return scratch.withUnsafeBufferPointer { body($0) }
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
