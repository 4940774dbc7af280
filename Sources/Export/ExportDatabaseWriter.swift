import Core

/// Writes an `ExportContent` into one SQLite file and publishes it atomically.
///
/// Order of work, each step for a reason:
/// 1. a temporary file beside the destination (`DatabasePublisher`), leftovers of crashed runs removed;
/// 2. bulk load with `journal_mode=OFF`, `synchronous=OFF`: the temporary file is thrown away on
///    any failure, so a journal would only cost time; one prepared statement per table, one
///    transaction, rows in primary-key order (B-tree appends);
/// 3. secondary indexes after the load (one sort instead of a random insert per row);
/// 4. `PRAGMA integrity_check` — a damaged file is never published;
/// 5. `journal_mode=DELETE`, so the published file has no WAL/SHM sidecars and readers need no
///    write access to its directory;
/// 6. close, fsync, rename over the destination, fsync the directory.
public enum ExportDatabaseWriter {
    /// What a write did, for reports and the benchmark.
    public struct Summary: Sendable, Equatable {
        public var destination: String
        public var userRows: Int
        public var itemRows: Int
        public var recommendationRows: Int
        public var fileBytes: Int
        /// Seconds spent loading rows (inside the transaction).
        public var loadSeconds: Double
        /// Seconds spent on indexes, the integrity check, fsync and rename.
        public var finishSeconds: Double
        /// Of `finishSeconds`: building the secondary index, and `PRAGMA integrity_check`.
        public var indexSeconds: Double = 0
        public var integritySeconds: Double = 0
        public var removedLeftovers: [String]
    }

    /// Writes `content` to `destination` atomically (the old file, if any, is replaced whole).
    public static func write(_ content: ExportContent, to destination: String) throws -> Summary {
        try write(content, to: destination, failpoint: nil)
    }

    static func write(_ content: ExportContent, to destination: String,
                      failpoint: DatabasePublisher.Failpoint?) throws -> Summary {
        try content.validate()
        let publisher = try DatabasePublisher(destination: destination)
        do {
            var summary = try build(content, at: publisher.temporaryPath)
            let finish = Stopwatch()
            try publisher.publish(failpoint: failpoint)
            summary.finishSeconds += finish.seconds
            summary.destination = destination
            summary.fileBytes = FilePath.fileSize(destination) ?? 0
            summary.removedLeftovers = publisher.removedLeftovers
            return summary
        } catch {
            if failpoint == nil { publisher.discard() }
            throw error
        }
    }

    /// Builds the whole database at `path` (an empty or missing file) and closes it.
    static func build(_ content: ExportContent, at path: String) throws -> Summary {
        let db = try SQLiteDatabase(path: path, mode: .create)
        try db.execute("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-131072;")
        let load = Stopwatch()
        try db.execute("BEGIN")
        try db.execute(ExportSchema.tables)
        try db.execute("PRAGMA user_version=\(ExportSchema.version)")
        let meta = try db.prepare(ExportSchema.insertMeta)
        defer { meta.finalize() }
        for (key, value) in metaRows(content) { try insertMeta(meta, key, value) }
        var checksum = ExportChecksum()
        let userRows = try insertUsers(content, into: db, &checksum)
        let itemRows = try insertItems(content, into: db, &checksum)
        let recommendationRows = try insertRecommendations(content, into: db, &checksum)
        try insertMeta(meta, ExportSchema.Key.contentChecksum, checksum.finish())
        meta.finalize()
        try db.execute("COMMIT")
        let loadSeconds = load.seconds
        let finish = Stopwatch()
        let (indexSeconds, integritySeconds) = try finishDatabase(db)
        return Summary(destination: path, userRows: userRows, itemRows: itemRows, recommendationRows: recommendationRows,
                       fileBytes: FilePath.fileSize(path) ?? 0, loadSeconds: loadSeconds,
                       finishSeconds: finish.seconds, indexSeconds: indexSeconds, integritySeconds: integritySeconds,
                       removedLeftovers: [])
    }

    /// Indexes, integrity check, rollback-journal mode, close: shared with `ExportMerge`.
    @discardableResult
    static func finishDatabase(_ db: SQLiteDatabase) throws -> (index: Double, integrity: Double) {
        let index = Stopwatch()
        try db.execute(ExportSchema.indexes)
        let indexSeconds = index.seconds
        let integrity = Stopwatch()
        let check = try db.rows("PRAGMA integrity_check")
        let integritySeconds = integrity.seconds
        guard check.count == 1, check[0].first == "ok" else {
            let detail = check.prefix(3).map { $0.first.flatMap { $0 } ?? "?" }.joined(separator: "; ")
            throw AccfError.internalError("\(db.path): integrity_check failed after the load: \(detail)")
        }
        try db.execute("PRAGMA locking_mode=NORMAL; PRAGMA journal_mode=DELETE;")
        // Leaving exclusive locking mode takes effect at the next access: touch the file once.
        _ = try db.scalarInt("SELECT count(*) FROM meta")
        try db.close()
        return (indexSeconds, integritySeconds)
    }

    /// The meta rows: the caller's, plus the ones that describe the file itself.
    static func metaRows(_ content: ExportContent) -> [(String, String)] {
        var meta = content.meta
        meta[ExportSchema.Key.schemaVersion] = String(ExportSchema.version)
        meta[ExportSchema.Key.embeddingDType] = ExportSchema.embeddingDType
        meta[ExportSchema.Key.hasEmbeddings] = content.hasEmbeddings ? "1" : "0"
        meta[ExportSchema.Key.hasRecommendations] = content.recommendations == nil ? "0" : "1"
        meta[ExportSchema.Key.dim] = String(content.dim)
        meta[ExportSchema.Key.k] = String(content.recommendations?.k ?? 0)
        meta[ExportSchema.Key.userCount] = String(content.userIds.count)
        meta[ExportSchema.Key.itemCount] = String(content.itemIds.count)
        meta[ExportSchema.Key.accfVersion] = meta[ExportSchema.Key.accfVersion] ?? AccfVersion.string
        if meta[ExportSchema.Key.createdAt] == nil { meta[ExportSchema.Key.createdAt] = Timestamp.iso8601Now() }
        if meta[ExportSchema.Key.userSelection] == nil {
            meta[ExportSchema.Key.userSelection] = content.users.count == content.userIds.count ? "all" : "subset"
        }
        return meta.sorted { $0.key < $1.key }
    }

    static func insertMeta(_ stmt: SQLiteStatement, _ key: String, _ value: String) throws {
        try stmt.bind(1, key)
        try stmt.bind(2, value)
        try stmt.run()
    }

    private static func insertUsers(_ content: ExportContent, into db: SQLiteDatabase, _ checksum: inout ExportChecksum) throws -> Int {
        let stmt = try db.prepare(ExportSchema.insertUser)
        defer { stmt.finalize() }
        checksum.table(1)
        try EmbeddingBlob.withLittleEndian(content.userEmbeddings) { bytes in
            for u in content.users {
                try insertEntity(stmt, index: u, id: content.userIds[u], bytes: bytes, dim: content.hasEmbeddings ? content.dim : 0, &checksum)
            }
        }
        return content.users.count
    }

    private static func insertItems(_ content: ExportContent, into db: SQLiteDatabase, _ checksum: inout ExportChecksum) throws -> Int {
        let stmt = try db.prepare(ExportSchema.insertItem)
        defer { stmt.finalize() }
        checksum.table(2)
        try EmbeddingBlob.withLittleEndian(content.itemEmbeddings) { bytes in
            for i in content.itemIds.indices {
                try insertEntity(stmt, index: i, id: content.itemIds[i], bytes: bytes, dim: content.hasEmbeddings ? content.dim : 0, &checksum)
            }
        }
        return content.itemIds.count
    }

    @inline(__always)
    private static func insertEntity(_ stmt: SQLiteStatement, index: Int, id: String, bytes: UnsafeRawBufferPointer, dim: Int,
                                     _ checksum: inout ExportChecksum) throws {
        try stmt.bind(1, Int64(index))
        try stmt.bind(2, id)
        let width = dim * MemoryLayout<Float>.size
        let row = UnsafeRawBufferPointer(rebasing: bytes[(index * width)..<((index + 1) * width)])
        try stmt.bind(3, blob: row)
        try stmt.run()
        checksum.entity(index: Int64(index), id: id, embedding: row)
    }

    private static func insertRecommendations(_ content: ExportContent, into db: SQLiteDatabase, _ checksum: inout ExportChecksum) throws -> Int {
        checksum.table(3)
        guard let lists = content.recommendations else { return 0 }
        let stmt = try db.prepare(ExportSchema.insertRecommendation)
        defer { stmt.finalize() }
        var rows = 0
        let k = lists.k
        for (row, u) in content.users.enumerated() {
            let user = Int64(u)
            for r in 0..<k {
                let item = lists.items[row * k + r]
                if item == TopKLists.missing { break }
                try stmt.bind(1, user)
                try stmt.bind(2, Int64(r + 1))
                try stmt.bind(3, Int64(item))
                let score = Double(lists.scores[row * k + r])
                try stmt.bind(4, score)
                try stmt.run()
                checksum.recommendation(user: user, rank: Int64(r + 1), item: Int64(item), score: score)
                rows += 1
            }
        }
        return rows
    }
}
