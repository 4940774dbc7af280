#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Number parsing straight from input bytes, without building a `String` per field.
///
/// Ratings and timestamps are parsed millions of times per run; the common shapes (`5`, `4.0`,
/// `881250949`) take a fast exact path, anything unusual (exponents, long mantissas) goes to
/// `strtod` so the result is always the correctly rounded value.
enum NumberParsing {
    /// A decimal number (optional sign, digits, fraction, exponent); nil when the bytes are not one.
    static func double(_ s: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = s.count
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        if s[0] == UInt8(ascii: "-") { negative = true; i = 1 } else if s[0] == UInt8(ascii: "+") { i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        while i < n, s[i] >= 0x30, s[i] <= 0x39 { mantissa = mantissa &* 10 &+ UInt64(s[i] - 0x30); digits += 1; i += 1 }
        if i < n, s[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, s[i] >= 0x30, s[i] <= 0x39 {
                mantissa = mantissa &* 10 &+ UInt64(s[i] - 0x30); digits += 1; fractionDigits += 1; i += 1
            }
        }
        guard digits > 0 else { return nil }
        if i == n && digits <= 15 && fractionDigits <= 22 {
            // Both operands are exact doubles, so one division is correctly rounded.
            let v = fractionDigits == 0 ? Double(mantissa) : Double(mantissa) / pow10[fractionDigits]
            return negative ? -v : v
        }
        return slowDouble(s)
    }

    private static let pow10: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { v, _ in v * 10 } }

    private static func slowDouble(_ s: UnsafeBufferPointer<UInt8>) -> Double? {
        guard s.count < 64 else { return nil }
        var buf = [CChar](repeating: 0, count: s.count + 1)
        for k in 0..<s.count {
            let c = s[k]
            // strtod also accepts hex, "inf", "nan" and spaces: the input must be a plain decimal.
            guard (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x2D || c == 0x2B || c == 0x65 || c == 0x45 else { return nil }
            buf[k] = CChar(bitPattern: c)
        }
        return buf.withUnsafeMutableBufferPointer { p -> Double? in
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(p.baseAddress!, &end)
            guard let end, p.baseAddress!.distance(to: end) == s.count, v.isFinite else { return nil }
            return v
        }
    }

    /// An integer; a decimal with a fraction (`881250949.0`, RecBole's `timestamp:float`) is truncated.
    static func int64(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        let n = s.count
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        if s[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        var v: Int64 = 0
        let digitsStart = i
        while i < n, s[i] >= 0x30, s[i] <= 0x39 {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(s[i] - 0x30))
            if o1 || o2 { return nil }
            v = a
            i += 1
        }
        if i == n && i > digitsStart { return negative ? -v : v }
        guard let d = double(s), d.isFinite, abs(d) < 9.2e18 else { return nil }
        return Int64(d)
    }

    /// Trims ASCII spaces and tabs at both ends.
    @inline(__always)
    static func trimmed(_ s: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var a = 0, b = s.count
        while a < b, s[a] == 0x20 || s[a] == 0x09 { a += 1 }
        while b > a, s[b - 1] == 0x20 || s[b - 1] == 0x09 { b -= 1 }
        return UnsafeBufferPointer(rebasing: s[a..<b])
    }
}
