import TOMLKit

/// A parsed TOML value as a plain Swift tree, detached from TOMLKit's C++ nodes.
///
/// Why not decode with TOMLKit's own `TOMLDecoder`: it silently ignores unknown keys and reports
/// neither key paths nor lines. Owning the tree lets `ManifestDecoder` record which keys a config
/// read (everything else is an unknown key) and name the key path and line of every error.
indirect enum TOMLNode: Equatable, Sendable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    /// Dates and times are kept as their TOML text; no accf key uses one.
    case dateTime(String)
    case array([TOMLNode])
    /// Keys in sorted order (TOML tables are unordered; sorting makes errors deterministic).
    case table([(key: String, value: TOMLNode)])

    static func == (lhs: TOMLNode, rhs: TOMLNode) -> Bool {
        switch (lhs, rhs) {
        case let (.string(a), .string(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case let (.dateTime(a), .dateTime(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.table(a), .table(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// What a user would call this kind of value, for error messages.
    var kindName: String {
        switch self {
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "a boolean"
        case .dateTime: return "a date/time"
        case .array: return "an array"
        case .table: return "a table"
        }
    }

    /// The value under `key` when this is a table.
    subscript(key: String) -> TOMLNode? {
        guard case .table(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// The keys when this is a table, else empty.
    var keys: [String] {
        guard case .table(let entries) = self else { return [] }
        return entries.map(\.key)
    }

    /// A copy with the value at `path` replaced or added (missing tables are created).
    func setting(_ path: [String], to value: TOMLNode) -> TOMLNode {
        guard let first = path.first else { return value }
        var entries: [(key: String, value: TOMLNode)] = []
        if case .table(let existing) = self { entries = existing }
        let rest = Array(path.dropFirst())
        if let index = entries.firstIndex(where: { $0.key == first }) {
            entries[index].value = entries[index].value.setting(rest, to: value)
        } else {
            entries.append((first, TOMLNode.table([]).setting(rest, to: value)))
            entries.sort { $0.key < $1.key }
        }
        return .table(entries)
    }

    /// Parses a whole TOML document; a syntax error names the file and line.
    static func parse(_ text: String, file: String) throws -> TOMLNode {
        if let (line, reason) = TOMLPreflight.problem(in: text) {
            throw AccfErrorFactory.manifest(file, line: line, "TOML syntax error: \(reason)")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw AccfErrorFactory.manifest(file, line: error.source.begin.line,
                                            "TOML syntax error: \(error.description)")
        }
        return convert(table: table)
    }

    private static func convert(table: TOMLTable) -> TOMLNode {
        var entries: [(key: String, value: TOMLNode)] = []
        for key in table.keys.sorted() {
            guard let value = table[key]?.tomlValue else { continue }
            entries.append((key, convert(value)))
        }
        return .table(entries)
    }

    private static func convert(_ value: TOMLValue) -> TOMLNode {
        switch value.type {
        case .table: return value.table.map(convert(table:)) ?? .table([])
        case .array:
            guard let array = value.array else { return .array([]) }
            return .array(array.map { convert($0.tomlValue) })
        case .string: return .string(value.string ?? "")
        case .int: return .int(value.int ?? 0)
        case .double: return .double(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .date, .time, .dateTime: return .dateTime(value.debugDescription)
        }
    }
}
