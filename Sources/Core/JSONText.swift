import Logging

/// Minimal JSON text encoding for log lines and reports, where Foundation's encoder is overkill.
public enum JSONText {
    /// A JSON string literal with the required escapes.
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
        return out
    }

    /// A log metadata value as JSON: numbers and booleans stay bare, the rest are strings.
    public static func value(_ v: Logger.MetadataValue) -> String {
        switch v {
        case .string(let s):
            if let d = Double(s), d.isFinite, !s.isEmpty, s.first != "+", !s.hasPrefix("0") || s == "0" || s.hasPrefix("0.") { return s }
            if s == "true" || s == "false" { return s }
            return quote(s)
        case .stringConvertible(let c):
            let s = c.description
            if c is any BinaryInteger || c is Bool { return s }
            if let d = c as? Double { return d.isFinite ? s : quote(s) }
            if let f = c as? Float { return f.isFinite ? s : quote(s) }
            return quote(s)
        case .array(let a): return "[" + a.map(value).joined(separator: ",") + "]"
        case .dictionary(let d):
            return "{" + d.sorted { $0.key < $1.key }.map { "\(quote($0.key)):\(value($0.value))" }.joined(separator: ",") + "}"
        }
    }
}
