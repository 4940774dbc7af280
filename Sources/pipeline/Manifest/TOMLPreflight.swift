/// Finds the TOML mistakes that crash TOMLKit 0.6.0's parser instead of failing it.
///
/// Why: toml++ (inside TOMLKit) checks a few "cannot happen" states with `assert`, which stays
/// enabled in release builds, so a typo aborted `accf` (signal 6) instead of printing a syntax
/// error. The manifest fuzzers (issue #10) found two: a table header whose key starts with
/// another character than a letter, digit, `_`, `-` or a quote (`[[[train]]]`, `[.a]`, `[[ü]]`),
/// and a `}` where an array expects a value (`x = [}`, `x = [1, }`). This scan runs before TOMLKit
/// and reports them as usage errors naming the line. It follows strings (all four kinds),
/// comments and nested brackets, so a `[` inside a value or a string is never taken for a header.
enum TOMLPreflight {
    /// The 1-based line and a description of the first such mistake, or nil.
    static func problem(in text: String) -> (line: Int, reason: String)? {
        let b = Array(text.utf8)
        let n = b.count
        var i = 0, line = 1
        var stack: [UInt8] = []          // open '[' and '{' of values
        var atLineStart = true
        var arrayWantsValue = false      // just after an array's '[' or ',' (spaces, newlines, comments aside)

        /// Moves `i` past the string starting at `b[i]` (a quote), counting the lines it spans.
        func skipString() {
            let quote = b[i]
            let multi = i + 2 < n && b[i + 1] == quote && b[i + 2] == quote
            i += multi ? 3 : 1
            while i < n {
                let c = b[i]
                if c == 0x5C && quote == 0x22 { i += 2; continue }   // basic strings have escapes
                if c == 0x0A {
                    if !multi { return }                                // unterminated: toml++ reports it
                    line += 1
                }
                if c == quote {
                    if !multi { i += 1; return }
                    if i + 2 < n && b[i + 1] == quote && b[i + 2] == quote { i += 3; return }
                }
                i += 1
            }
        }

        while i < n {
            let c = b[i]
            if c == 0x0A { line += 1; atLineStart = true; i += 1; continue }
            if c == 0x20 || c == 0x09 || c == 0x0D { i += 1; continue }
            if c == 0x23 { while i < n && b[i] != 0x0A { i += 1 }; continue }
            if atLineStart && stack.isEmpty && c == 0x5B {
                var j = i + 1
                if j < n && b[j] == 0x5B { j += 1 }
                while j < n && (b[j] == 0x20 || b[j] == 0x09) { j += 1 }
                if j < n && !isKeyStart(b[j]) {
                    return (line, "a table header's key must start with a letter, digit, '_', '-' or a quote")
                }
                // The rest of the header line (quoted keys may hold brackets or '#').
                i = j
                while i < n && b[i] != 0x0A {
                    if b[i] == 0x22 || b[i] == 0x27 { skipString() } else { i += 1 }
                }
                atLineStart = false
                continue
            }
            atLineStart = false
            if c == 0x7D && arrayWantsValue { return (line, "expected a value or ']' in an array, found '}'") }
            arrayWantsValue = false
            switch c {
            case 0x22, 0x27: skipString(); continue
            case 0x5B: stack.append(c); arrayWantsValue = true
            case 0x7B: stack.append(c)
            case 0x5D, 0x7D: if !stack.isEmpty { stack.removeLast() }
            case 0x2C: arrayWantsValue = stack.last == 0x5B
            default: break
            }
            i += 1
        }
        return nil
    }

    /// A bare-key character, a quote, or the `]` of an empty header (which toml++ reports itself).
    private static func isKeyStart(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
            || c == 0x5F || c == 0x2D || c == 0x22 || c == 0x27 || c == 0x5D
    }
}
