/// Where each key of a TOML document is written, so errors can say "file:line".
///
/// TOMLKit reports positions only for syntax errors, not for the nodes of a parsed document, so
/// this scans the text once: table headers (`[a.b]`), `key = value` lines (dotted and quoted keys
/// too) and the keys of one-line inline tables (`split = { method = "random" }`). A key it cannot
/// place (say, inside a multi-line array) falls back to the line of its nearest enclosing key.
struct TOMLKeyLines: Sendable {
    private var lines: [String: Int] = [:]

    init(text: String) {
        var prefix: [String] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = Self.stripComment(String(rawLine)).trimmingSpaces()
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                let inner = line.drop { $0 == "[" }.prefix { $0 != "]" }
                prefix = Self.splitKey(String(inner))
                record(prefix, lineNumber)
                continue
            }
            guard let eq = Self.assignmentIndex(line) else { continue }
            let path = prefix + Self.splitKey(String(line[..<eq]))
            record(path, lineNumber)
            let value = line[line.index(after: eq)...].trimmingSpaces()
            if value.hasPrefix("{") {
                for piece in value.dropFirst().split(separator: ",") {
                    let part = String(piece)
                    if let innerEq = Self.assignmentIndex(part) {
                        let innerKey = Self.splitKey(String(part[..<innerEq]))
                        record(path + innerKey, lineNumber)
                    }
                }
            }
        }
    }

    private mutating func record(_ path: [String], _ line: Int) {
        let key = path.joined(separator: ".")
        if lines[key] == nil { lines[key] = line }
    }

    /// The line of `path`, or of its nearest enclosing key; nil when nothing matches.
    func line(of path: [String]) -> Int? {
        var probe = path
        while !probe.isEmpty {
            if let line = lines[probe.joined(separator: ".")] { return line }
            probe.removeLast()
        }
        return nil
    }

    /// The position of the `=` of a `key = value` line, ignoring `=` inside quotes; nil for a
    /// line that opens a table or array before any `=`.
    private static func assignmentIndex(_ line: String) -> String.Index? {
        firstUnquoted(in: line) { c in c == "=" ? true : (c == "{" || c == "[" ? false : nil) }
    }

    /// Scans `line` outside single- or double-quoted strings; `decide` answers per character:
    /// true → that index, false → give up (nil), nil → keep going.
    private static func firstUnquoted(in line: String, _ decide: (Character) -> Bool?) -> String.Index? {
        var quote: Character?
        for index in line.indices {
            let c = line[index]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if let found = decide(c) {
                return found ? index : nil
            }
        }
        return nil
    }

    /// Splits a (possibly dotted, possibly quoted) key into its parts.
    private static func splitKey(_ key: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for c in key {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "." {
                parts.append(current.trimmingSpaces())
                current = ""
            } else {
                current.append(c)
            }
        }
        parts.append(current.trimmingSpaces())
        return parts.filter { !$0.isEmpty }
    }

    /// The line without a trailing `# comment` (a `#` inside quotes is kept).
    private static func stripComment(_ line: String) -> String {
        firstUnquoted(in: line) { $0 == "#" ? true : nil }.map { String(line[..<$0]) } ?? line
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }),
              let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
