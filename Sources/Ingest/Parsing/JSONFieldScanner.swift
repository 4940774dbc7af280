/// Where one wanted field's value sits inside a JSON line.
struct JSONValueRef {
    enum Kind: UInt8 { case missing, string, number, literal, nested }
    var kind: Kind = .missing
    /// Byte range of the value; for strings, the content between the quotes.
    var start = 0
    var end = 0
    /// A string value contains backslash escapes and must be decoded before use.
    var hasEscapes = false
}

/// Pulls a few top-level fields out of one JSON object line without building objects.
///
/// Review dumps are mostly review text the pipeline never needs, so decoding every line into a
/// dictionary (Foundation, or Python's `json.loads`) spends nearly all its time on bytes that are
/// thrown away. This scanner walks the object once: wanted keys are matched by bytes, every other
/// value is skipped structurally — strings to their closing quote (honouring backslash escapes),
/// nested objects and arrays by bracket matching with a type stack — so a `"}"` inside review
/// text or a `{"a":[1,{"b":"]"}]}` in a skipped field cannot confuse it. Keys may come in any order
/// and may themselves be escaped (`"user\u005fid"`). Duplicate keys: the last wins, as in most
/// decoders. The line must be one complete object; anything else is reported as malformed.
struct JSONFieldScanner {
    let keys: [[UInt8]]
    private var scratch: [UInt8] = []

    init(keys: [String]) {
        self.keys = keys.map { Array($0.utf8) }
    }

    /// Scans `line`; on success `values[k]` describes the value of `keys[k]` (`.missing` if absent).
    /// Returns a reason when the line is not one well-formed JSON object.
    mutating func scan(_ line: UnsafeBufferPointer<UInt8>, into values: inout [JSONValueRef]) -> String? {
        for k in values.indices { values[k] = JSONValueRef() }
        let n = line.count
        var i = 0
        @inline(__always) func skipSpace() {
            while i < n, line[i] == 0x20 || line[i] == 0x09 || line[i] == 0x0A || line[i] == 0x0D { i += 1 }
        }
        skipSpace()
        guard i < n, line[i] == UInt8(ascii: "{") else { return "not a JSON object" }
        i += 1
        skipSpace()
        if i < n, line[i] == UInt8(ascii: "}") {
            i += 1
            skipSpace()
            return i == n ? nil : "text after the closing brace"
        }
        while true {
            skipSpace()
            guard i < n, line[i] == UInt8(ascii: "\"") else { return "expected a quoted key" }
            let keyStart = i + 1
            guard let keyEnd = Self.stringEnd(line, from: keyStart) else { return "unterminated string" }
            i = keyEnd + 1
            skipSpace()
            guard i < n, line[i] == UInt8(ascii: ":") else { return "expected ':' after a key" }
            i += 1
            skipSpace()
            guard i < n else { return "missing value" }
            var value = JSONValueRef()
            let c = line[i]
            switch c {
            case UInt8(ascii: "\""):
                guard let e = Self.stringEnd(line, from: i + 1) else { return "unterminated string" }
                value = JSONValueRef(kind: .string, start: i + 1, end: e)
                i = e + 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard let e = Self.nestedEnd(line, from: i) else { return "unbalanced brackets in a nested value" }
                value = JSONValueRef(kind: .nested, start: i, end: e)
                i = e
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                let s = i
                while i < n, line[i] >= UInt8(ascii: "a"), line[i] <= UInt8(ascii: "z") { i += 1 }
                let word = UnsafeBufferPointer(rebasing: line[s..<i])
                guard word.elementsEqual("true".utf8) || word.elementsEqual("false".utf8) || word.elementsEqual("null".utf8)
                else { return "invalid literal" }
                value = JSONValueRef(kind: .literal, start: s, end: i)
            default:
                guard c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else { return "invalid value" }
                let s = i
                while i < n, Self.isNumberByte(line[i]) { i += 1 }
                value = JSONValueRef(kind: .number, start: s, end: i)
            }
            let keyEscaped = Self.hasBackslash(line.baseAddress!, keyStart, keyEnd)
            if let k = matchKey(line, keyStart, keyEnd, escaped: keyEscaped) {
                if value.kind == .string { value.hasEscapes = Self.hasBackslash(line.baseAddress!, value.start, value.end) }
                values[k] = value
            }
            skipSpace()
            guard i < n else { return "truncated object (no closing brace)" }
            if line[i] == UInt8(ascii: ",") { i += 1; continue }
            if line[i] == UInt8(ascii: "}") {
                i += 1
                skipSpace()
                return i == n ? nil : "text after the closing brace"
            }
            return "expected ',' or '}'"
        }
    }

    @inline(__always) private static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
    }

    private mutating func matchKey(_ line: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, escaped: Bool) -> Int? {
        if !escaped {
            let len = e - s
            for k in keys.indices where keys[k].count == len {
                if keys[k].withUnsafeBufferPointer({ memcmp($0.baseAddress!, line.baseAddress! + s, len) == 0 }) { return k }
            }
            return nil
        }
        guard Self.decodeString(UnsafeBufferPointer(rebasing: line[s..<e]), into: &scratch) else { return nil }
        return keys.firstIndex(of: scratch)
    }

    /// Index of the closing quote of a string whose content starts at `from`, and whether it has escapes.
    @inline(__always)
    static func stringEnd(_ line: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        let base = line.baseAddress!
        var i = from
        while i < line.count {
            // memchr is vectorized: review text is skipped at memory speed.
            guard let hit = memchr(base + i, 0x22, line.count - i) else { return nil }
            let q = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            var backslashes = 0
            while q - backslashes - 1 >= from && base[q - backslashes - 1] == 0x5C { backslashes += 1 }
            if backslashes & 1 == 0 { return q }
            i = q + 1
        }
        return nil
    }

    @inline(__always)
    static func hasBackslash(_ base: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        e > s && memchr(base + s, 0x5C, e - s) != nil
    }

    /// The index just after the bracket closing the object or array that opens at `from`.
    static func nestedEnd(_ line: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var stack: UInt64 = 0   // bit per level: 1 = object, 0 = array
        var depth = 0
        var i = from
        while i < line.count {
            let c = line[i]
            switch c {
            case UInt8(ascii: "\""):
                guard let e = stringEnd(line, from: i + 1) else { return nil }
                i = e
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if depth == 64 { return nil }
                stack = (stack << 1) | (c == UInt8(ascii: "{") ? 1 : 0)
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard depth > 0, (stack & 1 == 1) == (c == UInt8(ascii: "}")) else { return nil }
                stack >>= 1
                depth -= 1
                if depth == 0 { return i + 1 }
            default: break
            }
            i += 1
        }
        return nil
    }

    /// Decodes a JSON string's content (without quotes) to UTF-8; false when an escape is invalid.
    static func decodeString(_ s: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        var i = 0
        let n = s.count
        while i < n {
            let c = s[i]
            if c != 0x5C {
                if c < 0x20 { return false }
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < n else { return false }
            let e = s[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(s, i) else { return false }
                i += 4
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard i + 6 <= n, s[i] == 0x5C, s[i + 1] == UInt8(ascii: "u"), let low = hex4(s, i + 2),
                          low >= 0xDC00 && low < 0xE000 else { return false }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    return false
                }
                appendUTF8(scalar, to: &out)
            default: return false
            }
        }
        return true
    }

    private static func hex4(_ s: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32? {
        guard at + 4 <= s.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = s[at + k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }

    private static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18))); out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
