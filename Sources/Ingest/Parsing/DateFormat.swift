import Core

/// How a timestamp field is written, turned into Unix seconds (UTC).
///
/// Logs come with epoch seconds, epoch milliseconds (Amazon 2023), ISO 8601, or a local
/// convention such as `DD-MM-YYYY` (the groceries log). Rather than a fixed list, a small
/// strptime-style pattern covers them: `%Y` (4 digits), `%m %d %H %M %S` (1–2 digits), any other
/// byte matches itself. Dates without a time are midnight; there are no time zones in these logs.
public enum DateFormat: Sendable, Equatable, Codable, CustomStringConvertible {
    case unixSeconds
    case unixMilliseconds
    case iso8601
    case pattern(String)

    /// Parses `unix`, `unix_ms`, `iso8601` or a pattern containing `%`.
    public init(name: String) throws {
        switch name {
        case "unix", "unix_s", "seconds": self = .unixSeconds
        case "unix_ms", "milliseconds": self = .unixMilliseconds
        case "iso8601": self = .iso8601
        default:
            guard name.contains("%") else {
                throw AccfError.usage("unknown timestamp format \"\(name)\"",
                                      hint: "use unix, unix_ms, iso8601 or a pattern like %d-%m-%Y")
            }
            for (k, c) in name.enumerated() where c == "%" {
                let next = name.dropFirst(k + 1).first
                guard let next, "YmdHMS".contains(next) else {
                    throw AccfError.usage("timestamp format \"\(name)\": only %Y %m %d %H %M %S are supported")
                }
            }
            self = .pattern(name)
        }
    }

    public var description: String {
        switch self {
        case .unixSeconds: return "unix"
        case .unixMilliseconds: return "unix_ms"
        case .iso8601: return "iso8601"
        case .pattern(let p): return p
        }
    }

    public init(from decoder: Decoder) throws {
        try self.init(name: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    /// Unix seconds for the field bytes, or nil when they do not match the format.
    func parse(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        switch self {
        case .unixSeconds: return NumberParsing.int64(s)
        case .unixMilliseconds:
            // Floor division without overflow (`-(-v + 999)` trapped near Int64.min).
            return NumberParsing.int64(s).map { v in v % 1000 < 0 ? v / 1000 - 1 : v / 1000 }
        case .iso8601: return Self.parseISO(s)
        case .pattern(let p): return Self.parsePattern(Array(p.utf8), s)
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int64(era * 146097 + doe - 719468)
    }

    private static func seconds(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Int64? {
        guard mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && s <= 60 else { return nil }
        return days(year: y, month: mo, day: d) * 86400 + Int64(h * 3600 + mi * 60 + s)
    }

    private static func parsePattern(_ p: [UInt8], _ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        var y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0
        var i = 0, k = 0
        while k < p.count {
            if p[k] == UInt8(ascii: "%") && k + 1 < p.count {
                let maxDigits = p[k + 1] == UInt8(ascii: "Y") ? 4 : 2
                var v = 0, taken = 0
                while i < s.count, taken < maxDigits, s[i] >= 0x30, s[i] <= 0x39 { v = v * 10 + Int(s[i] - 0x30); i += 1; taken += 1 }
                if taken == 0 || (maxDigits == 4 && taken != 4) { return nil }
                switch p[k + 1] {
                case UInt8(ascii: "Y"): y = v
                case UInt8(ascii: "m"): mo = v
                case UInt8(ascii: "d"): d = v
                case UInt8(ascii: "H"): h = v
                case UInt8(ascii: "M"): mi = v
                default: sec = v
                }
                k += 2
            } else {
                guard i < s.count, s[i] == p[k] else { return nil }
                i += 1
                k += 1
            }
        }
        guard i == s.count else { return nil }
        return seconds(y, mo, d, h, mi, sec)
    }

    /// `YYYY-MM-DD`, optionally `THH:MM:SS` (or a space), fraction, and `Z` or `±HH:MM`.
    private static func parseISO(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        func num(_ a: Int, _ len: Int) -> Int? {
            guard a + len <= s.count else { return nil }
            var v = 0
            for k in a..<(a + len) {
                guard s[k] >= 0x30 && s[k] <= 0x39 else { return nil }
                v = v * 10 + Int(s[k] - 0x30)
            }
            return v
        }
        guard let y = num(0, 4), s.count >= 10, s[4] == 0x2D, let mo = num(5, 2), s[7] == 0x2D, let d = num(8, 2) else { return nil }
        if s.count == 10 { return seconds(y, mo, d, 0, 0, 0) }
        guard s.count >= 19, s[10] == UInt8(ascii: "T") || s[10] == 0x20, let h = num(11, 2), s[13] == 0x3A,
              let mi = num(14, 2), s[16] == 0x3A, let sec = num(17, 2), let base = seconds(y, mo, d, h, mi, sec) else { return nil }
        var i = 19
        if i < s.count, s[i] == 0x2E {
            i += 1
            while i < s.count, s[i] >= 0x30, s[i] <= 0x39 { i += 1 }
        }
        if i == s.count { return base }
        if s[i] == UInt8(ascii: "Z") { return i + 1 == s.count ? base : nil }
        guard s[i] == 0x2B || s[i] == 0x2D, let oh = num(i + 1, 2) else { return nil }
        var j = i + 3
        if j < s.count, s[j] == 0x3A { j += 1 }
        guard let om = num(j, 2), j + 2 == s.count else { return nil }
        let offset = Int64(oh * 3600 + om * 60)
        return s[i] == 0x2B ? base - offset : base + offset
    }
}
