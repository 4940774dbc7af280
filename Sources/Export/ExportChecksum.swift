import Core

/// XXH64 over an export's rows, stored as meta `content_xxh64` and checked by `ExportVerifier`.
///
/// Why: SQLite checks its page structure (`integrity_check`) but not the bytes of a row, so a
/// flipped bit inside an embedding BLOB or a score would go unnoticed. The hash covers the
/// users, items and recommendations tables in primary-key order, in a fixed binary form
/// (little-endian, lengths before variable fields, a tag per table), so the writer can compute
/// it from memory and a verifier from SQL and both get the same number.
struct ExportChecksum {
    private var hasher = XXHash64()
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    /// Starts a table: users 1, items 2, recommendations 3.
    mutating func table(_ tag: UInt8) {
        buffer.append(0xFF)
        buffer.append(tag)
    }

    /// A users or items row.
    mutating func entity(index: Int64, id: String, embedding: UnsafeRawBufferPointer) {
        append(UInt64(bitPattern: index))
        var copy = id
        copy.withUTF8 { utf8 in
            append(UInt32(utf8.count))
            buffer.append(contentsOf: utf8)
        }
        append(UInt32(embedding.count))
        buffer.append(contentsOf: embedding)
        flushIfFull()
    }

    /// A recommendations row (the score as the REAL SQLite stores).
    mutating func recommendation(user: Int64, rank: Int64, item: Int64, score: Double) {
        append(UInt64(bitPattern: user))
        append(UInt32(truncatingIfNeeded: rank))
        append(UInt64(bitPattern: item))
        append(score.bitPattern)
        flushIfFull()
    }

    /// The digest as 16 hex digits.
    mutating func finish() -> String {
        flush()
        let s = String(hasher.digest, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    @inline(__always) private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    @inline(__always) private mutating func flushIfFull() {
        if buffer.count >= 1 << 16 { flush() }
    }

    private mutating func flush() {
        buffer.withUnsafeBytes { hasher.update($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// The checksum of the rows of an open export database (read in primary-key order).
    static func of(_ db: SQLiteDatabase, schema: String = "main") throws -> String {
        var sum = ExportChecksum()
        for (tag, table, key) in [(UInt8(1), "users", "user_index"), (2, "items", "item_index")] {
            sum.table(tag)
            let stmt = try db.prepare("SELECT \(key), external_id, embedding FROM \(schema).\(table) ORDER BY \(key)")
            defer { stmt.finalize() }
            while try stmt.step() {
                let blob = stmt.blob(2)
                blob.withUnsafeBytes { sum.entity(index: stmt.int64(0), id: stmt.text(1), embedding: $0) }
            }
        }
        sum.table(3)
        let stmt = try db.prepare("SELECT user_index, rank, item_index, score FROM \(schema).recommendations ORDER BY user_index, rank")
        defer { stmt.finalize() }
        while try stmt.step() {
            sum.recommendation(user: stmt.int64(0), rank: stmt.int64(1), item: stmt.int64(2), score: stmt.double(3))
        }
        return sum.finish()
    }
}

/// Checks an exported file before it is trusted (merge inputs, `accf export verify`).
public enum ExportVerifier {
    /// What a verified file holds.
    public struct Result: Sendable, Equatable {
        public var meta: [String: String]
        public var userRows: Int
        public var itemRows: Int
        public var recommendationRows: Int
    }

    /// Verifies schema version, SQLite structure and the row checksum; errors name the file (65/66).
    public static func verify(path: String) throws -> Result {
        let db = try SQLiteDatabase(path: path, mode: .readOnly)
        defer { try? db.close() }
        let version = try db.scalarInt("PRAGMA user_version")
        guard version == ExportSchema.version else {
            throw AccfError.badData(path, "export schema version \(version), this accf reads version \(ExportSchema.version)",
                                    hint: "re-export with this accf version")
        }
        let check = try db.rows("PRAGMA integrity_check")
        guard check.count == 1, check[0].first == "ok" else {
            throw AccfError.corrupt(path, "SQLite integrity_check failed: \(check.first?.first.flatMap { $0 } ?? "?")")
        }
        var meta: [String: String] = [:]
        for row in try db.rows("SELECT key, value FROM meta") {
            if let key = row[0], let value = row[1] { meta[key] = value }
        }
        guard let stored = meta[ExportSchema.Key.contentChecksum] else {
            throw AccfError.badData(path, "meta has no \(ExportSchema.Key.contentChecksum)", hint: "the file is not a complete accf export; re-export it")
        }
        let actual = try ExportChecksum.of(db)
        guard actual == stored else {
            throw AccfError.corrupt(path, "row checksum \(actual) does not match meta \(ExportSchema.Key.contentChecksum) \(stored)")
        }
        return Result(meta: meta, userRows: Int(try db.scalarInt("SELECT count(*) FROM users")),
                      itemRows: Int(try db.scalarInt("SELECT count(*) FROM items")),
                      recommendationRows: Int(try db.scalarInt("SELECT count(*) FROM recommendations")))
    }
}
