/// Parses delimited text: generic CSV/TSV event logs and the MovieLens / RecBole rating files.
///
/// Columns are found by header name or 0-based index. Quoted fields (`"a, b"`, `""` for a quote)
/// are honoured; a quote spanning lines is reported as malformed rather than guessed at.
/// In MovieLens mode the delimiter (`::`, tab, comma) and the presence of a header are detected
/// from the file's first line, so `u.data`, `ratings.dat`, `ratings.csv` and RecBole `.inter`
/// all read without options; header names map `user_id:token`, `userId`, `movieId`, … to columns.
struct DelimitedParser: LineParser {
    struct Columns {
        var user: ColumnRef
        var item: ColumnRef
        var rating: ColumnRef?
        var timestamp: ColumnRef?
    }

    private var delimiter: [UInt8]
    private var hasHeader: Bool
    private let autodetect: Bool
    private let requested: Columns
    private let dateFormat: DateFormat
    private let file: String
    // Resolved per file once the header (or the first line) is seen.
    private var resolved: (user: Int, item: Int, rating: Int?, timestamp: Int?)?
    private var fields: [Range<Int>] = []
    private var unquoted: [[UInt8]] = [[], [], [], []]

    /// A generic delimited log with an explicit layout.
    init(file: String, delimiter: String, hasHeader: Bool, columns: Columns, dateFormat: DateFormat) {
        self.file = file
        self.delimiter = Array(delimiter.utf8)
        self.hasHeader = hasHeader
        self.autodetect = false
        self.requested = columns
        self.dateFormat = dateFormat
    }

    /// MovieLens-family files: user, item, rating, timestamp with detected delimiter and header.
    init(movieLensFile file: String) {
        self.file = file
        self.delimiter = [0x09]
        self.hasHeader = false
        self.autodetect = true
        self.requested = Columns(user: .index(0), item: .index(1), rating: .index(2), timestamp: .index(3))
        self.dateFormat = .unixSeconds
    }

    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into log: inout RawInteractionLog) -> LineOutcome {
        if NumberParsing.trimmed(line).isEmpty { return .skipped }
        if line.first == UInt8(ascii: "#") && autodetect { return .skipped }
        if resolved == nil {
            if autodetect { detect(line) }
            if hasHeader {
                guard split(line) else { return .malformed("unterminated quote in the header") }
                let names = fields.map { Self.normalize(UnsafeBufferPointer(rebasing: line[$0])) }
                guard let r = resolve(names: names) else {
                    return .malformed("header \(Self.preview(names)) lacks a column of the mapping (user \(requested.user), item \(requested.item))")
                }
                resolved = r
                return .skipped
            }
            resolved = (requested.user.index ?? 0, requested.item.index ?? 1, requested.rating?.index, requested.timestamp?.index)
        }
        guard let cols = resolved else { return .malformed("no column mapping") }
        guard split(line) else { return .malformed("unterminated quoted field") }
        let needed = max(cols.user, cols.item, cols.rating ?? 0, cols.timestamp ?? 0)
        guard fields.count > needed else { return .malformed("too few fields (need at least \(needed &+ 1))") }
        // Headerless MovieLens files have exactly four columns; more means an id held the
        // delimiter, and reading on would shift every column (a wrong id, silently).
        if autodetect && !hasHeader && fields.count > 4,
           fields[4...].contains(where: { !NumberParsing.trimmed(UnsafeBufferPointer(rebasing: line[$0])).isEmpty }) {
            return .malformed("too many fields (a MovieLens line without a header has 4)")
        }
        var rating = Float.nan
        if let rc = cols.rating {
            guard let v = NumberParsing.double(field(line, rc, slot: 2)) else { return .malformed("rating is not a number") }
            // Beyond Float's range the rating would silently become infinity.
            guard abs(v) <= Double(Float.greatestFiniteMagnitude) else { return .malformed("rating is out of range") }
            rating = Float(v)
        }
        var timestamp = Int64.min
        if let tc = cols.timestamp {
            guard let t = dateFormat.parse(field(line, tc, slot: 3)) else {
                return .malformed("timestamp does not match the format \(dateFormat)")
            }
            timestamp = t
        }
        let user = field(line, cols.user, slot: 0)
        let item = field(line, cols.item, slot: 1)
        if user.isEmpty { return .malformed("empty user id") }
        if item.isEmpty { return .malformed("empty item id") }
        if let refused = log.add(user: user, item: item, rating: rating, timestamp: timestamp) { return .malformed(refused) }
        return .parsed(1)
    }

    /// Field `k`, trimmed; quoted fields are unescaped into a per-column scratch buffer.
    private mutating func field(_ line: UnsafeBufferPointer<UInt8>, _ k: Int, slot: Int) -> UnsafeBufferPointer<UInt8> {
        let r = fields[k]
        let raw = NumberParsing.trimmed(UnsafeBufferPointer(rebasing: line[r]))
        guard raw.count >= 2, raw.first == 0x22, raw.last == 0x22 else { return raw }
        var out: [UInt8] = []
        var i = 1
        while i < raw.count - 1 {
            out.append(raw[i])
            i += (raw[i] == 0x22 && raw[i + 1] == 0x22) ? 2 : 1
        }
        unquoted[slot] = out
        // The scratch is not touched again before the record is added, so the pointer stays valid.
        let trimmed = NumberParsing.trimmed(unquoted[slot].withUnsafeBufferPointer { $0 })
        return trimmed
    }

    /// Splits the line into `fields`; false on an unterminated quote.
    private mutating func split(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        fields.removeAll(keepingCapacity: true)
        let n = line.count
        let d = delimiter
        var start = 0, i = 0
        var inQuotes = false
        while i < n {
            let c = line[i]
            if c == 0x22 {
                // A quote opens only at the start of a field; inside, "" is an escaped quote.
                if inQuotes {
                    if i + 1 < n && line[i + 1] == 0x22 { i += 2; continue }
                    inQuotes = false
                } else if NumberParsing.trimmed(UnsafeBufferPointer(rebasing: line[start..<i])).isEmpty {
                    inQuotes = true
                }
                i += 1
                continue
            }
            if !inQuotes && c == d[0] && (d.count == 1 || (i + d.count <= n && d.indices.allSatisfy { line[i + $0] == d[$0] })) {
                fields.append(start..<i)
                i += d.count
                start = i
                continue
            }
            i += 1
        }
        if inQuotes { return false }
        fields.append(start..<n)
        return true
    }

    private mutating func detect(_ line: UnsafeBufferPointer<UInt8>) {
        let bytes = Array(line)
        if zip(bytes, bytes.dropFirst()).contains(where: { $0 == 0x3A && $1 == 0x3A }) { delimiter = [0x3A, 0x3A] }
        else if bytes.contains(0x09) { delimiter = [0x09] }
        else if bytes.contains(0x2C) { delimiter = [0x2C] }
        else { delimiter = [0x20] }
        _ = split(line)
        // A header when the rating column is not a number (RecBole `rating:float`, `rating`).
        let ratingField = fields.count > 2 ? NumberParsing.trimmed(UnsafeBufferPointer(rebasing: line[fields[2]])) : UnsafeBufferPointer(rebasing: line[0..<0])
        let firstField = fields.count > 0 ? NumberParsing.trimmed(UnsafeBufferPointer(rebasing: line[fields[0]])) : ratingField
        hasHeader = NumberParsing.double(ratingField) == nil && NumberParsing.double(firstField) == nil
    }

    private func resolve(names: [String]) -> (user: Int, item: Int, rating: Int?, timestamp: Int?)? {
        func find(_ ref: ColumnRef?, aliases: [String]) -> Int?? {
            guard let ref else { return .some(nil) }
            switch ref {
            case .index(let k): return k < names.count ? .some(k) : nil
            case .name(let n):
                let wanted = autodetect ? aliases : [Self.normalize(n)]
                if let k = names.firstIndex(where: { wanted.contains($0) }) { return .some(k) }
                return nil
            }
        }
        let userRef: ColumnRef = autodetect ? .name("user") : requested.user
        let itemRef: ColumnRef = autodetect ? .name("item") : requested.item
        let ratingRef: ColumnRef? = autodetect ? .name("rating") : requested.rating
        let timeRef: ColumnRef? = autodetect ? .name("timestamp") : requested.timestamp
        guard let u = find(userRef, aliases: ["user_id", "userid", "user"]) ?? nil,
              let i = find(itemRef, aliases: ["item_id", "itemid", "movieid", "movie_id", "item"]) ?? nil
        else { return nil }
        guard let r = find(ratingRef, aliases: ["rating"]) else { return nil }
        guard let t = find(timeRef, aliases: ["timestamp", "time"]) else { return nil }
        return (u, i, r, t)
    }

    /// The first few header names, each cut short, with control characters shown as `?`: a
    /// binary or one-line file must not turn into a megabyte error message.
    static func preview(_ names: [String]) -> String {
        func cut(_ s: String) -> String {
            let clean = String(s.unicodeScalars.prefix(24).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
            return s.unicodeScalars.count > 24 ? clean + "…" : clean
        }
        let shown = names.prefix(8).map(cut)
        return "[" + shown.map { "\"\($0)\"" }.joined(separator: ", ") + (names.count > 8 ? ", … \(names.count) fields]" : "]")
    }

    /// Lower-cased header name without RecBole's `:type` suffix or a BOM.
    static func normalize(_ s: UnsafeBufferPointer<UInt8>) -> String {
        var bytes = Array(s)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let junk: Set<UInt8> = [0x20, 0x09, 0x22]
        while let f = bytes.first, junk.contains(f) { bytes.removeFirst() }
        while let l = bytes.last, junk.contains(l) { bytes.removeLast() }
        if let colon = bytes.firstIndex(of: 0x3A) { bytes.removeSubrange(colon...) }
        return String(decoding: bytes, as: UTF8.self).lowercased()
    }

    static func normalize(_ s: String) -> String {
        var a = Array(s.utf8)
        return a.withUnsafeMutableBufferPointer { normalize(UnsafeBufferPointer($0)) }
    }
}

/// A column chosen by header name or by 0-based position.
public enum ColumnRef: Sendable, Equatable, Codable, CustomStringConvertible {
    case name(String)
    case index(Int)

    /// A number is an index, anything else a header name.
    public init(_ text: String) {
        if let k = Int(text), k >= 0 { self = .index(k) } else { self = .name(text) }
    }

    var index: Int? { if case .index(let k) = self { return k } else { return nil } }

    public var description: String {
        switch self {
        case .name(let n): return "\"\(n)\""
        case .index(let k): return "#\(k)"
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let k = try? c.decode(Int.self) { self = .index(k) } else { self = ColumnRef(try c.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .name(let n): try c.encode(n)
        case .index(let k): try c.encode(k)
        }
    }
}
