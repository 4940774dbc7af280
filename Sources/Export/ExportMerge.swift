import Core

/// Combines the parts of a sharded export (`--shard i/n` on several machines) into one file.
///
/// Why checked: a merge that silently dropped a part, or counted one twice, would publish a file
/// in which some users have no recommendations and nobody notices. So the parts must come from
/// the same model and settings (every meta key but the per-part ones equal), carry identical
/// items, and their user ranges must tile `0..<user_count` with no overlap and no gap. Subset
/// parts (`--users`) are merged with the overlap check only; the result is then a subset too.
/// The result is written and published exactly like a single export (`ExportDatabaseWriter`).
public enum ExportMerge {
    /// What a merge did.
    public struct Summary: Sendable, Equatable {
        public var destination: String
        public var parts: Int
        public var userRows: Int
        public var itemRows: Int
        public var recommendationRows: Int
        public var fileBytes: Int
        public var removedLeftovers: [String]
    }

    /// One part as described by its meta table.
    struct Part {
        var path: String
        var meta: [String: String]
        var selection: String
        var range: Range<Int>?
    }

    /// Merges `parts` into `destination`, published atomically.
    public static func run(parts paths: [String], destination: String) throws -> Summary {
        guard !paths.isEmpty else { throw AccfError.usage("merge needs at least one part file") }
        let parts = try paths.map(readPart)
        try checkCompatible(parts)
        let ordered = try orderAndCheckCoverage(parts)

        let publisher = try DatabasePublisher(destination: destination)
        do {
            let db = try SQLiteDatabase(path: publisher.temporaryPath, mode: .create)
            try db.execute("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-131072;")
            // Journal off: the temporary file is discarded on any failure, so per-part
            // transactions (DETACH is not allowed inside one) cost no safety.
            try db.execute("BEGIN")
            try db.execute(ExportSchema.tables)
            try db.execute("PRAGMA user_version=\(ExportSchema.version)")
            try writeMeta(mergedMeta(ordered), into: db)
            try db.execute("COMMIT")
            for (n, part) in ordered.enumerated() {
                try attach(part.path, to: db)
                try db.execute("BEGIN")
                if n == 0 {
                    try db.execute("INSERT INTO main.items SELECT * FROM part.items ORDER BY item_index")
                } else {
                    try checkSameItems(part.path, ordered[0].path, db)
                }
                try copyRows(table: "users", orderBy: "user_index", part: part.path, db: db)
                try copyRows(table: "recommendations", orderBy: "user_index, rank", part: part.path, db: db)
                try db.execute("COMMIT")
                try db.execute("DETACH DATABASE part")
            }
            let checksum = try ExportChecksum.of(db)
            let meta = try db.prepare(ExportSchema.insertMeta)
            try ExportDatabaseWriter.insertMeta(meta, ExportSchema.Key.contentChecksum, checksum)
            meta.finalize()
            let userRows = Int(try db.scalarInt("SELECT count(*) FROM users"))
            let itemRows = Int(try db.scalarInt("SELECT count(*) FROM items"))
            let recommendationRows = Int(try db.scalarInt("SELECT count(*) FROM recommendations"))
            try ExportDatabaseWriter.finishDatabase(db)
            try publisher.publish()
            return Summary(destination: destination, parts: parts.count, userRows: userRows, itemRows: itemRows,
                           recommendationRows: recommendationRows, fileBytes: FilePath.fileSize(destination) ?? 0,
                           removedLeftovers: publisher.removedLeftovers)
        } catch {
            publisher.discard()
            throw error
        }
    }

    static func readPart(_ path: String) throws -> Part {
        let meta = try ExportVerifier.verify(path: path).meta
        let db = try SQLiteDatabase(path: path, mode: .readOnly)
        defer { try? db.close() }
        let selection = meta[ExportSchema.Key.userSelection] ?? "all"
        var range: Range<Int>?
        switch selection {
        case "all":
            guard let count = meta[ExportSchema.Key.userCount].flatMap({ Int($0) }) else {
                throw AccfError.badData(path, "meta has no valid user_count", hint: "the part is not an accf export; re-export it")
            }
            range = 0..<count
        case "range":
            guard let text = meta[ExportSchema.Key.userRange], let r = parseRange(text) else {
                throw AccfError.badData(path, "meta user_range is missing or not \"start-end\"", hint: "re-export the part with --shard i/n")
            }
            range = r
        case "subset":
            range = nil
        default:
            throw AccfError.badData(path, "unknown meta user_selection \"\(selection)\"", hint: "re-export the part with this accf version")
        }
        if let range {
            let outside = try db.scalarInt("SELECT count(*) FROM users WHERE user_index < \(range.lowerBound) OR user_index >= \(range.upperBound)")
            guard outside == 0 else {
                throw AccfError.badData(path, "\(outside) users lie outside the part's declared range \(range.lowerBound)-\(range.upperBound)",
                                        hint: "the part was altered after export; re-export it")
            }
        }
        return Part(path: path, meta: meta, selection: selection, range: range)
    }

    /// "start-end" (half-open) → start..<end.
    static func parseRange(_ text: String) -> Range<Int>? {
        let p = text.split(separator: "-")
        guard p.count == 2, let a = Int(p[0]), let b = Int(p[1]), a <= b, a >= 0 else { return nil }
        return a..<b
    }

    static func checkCompatible(_ parts: [Part]) throws {
        let first = parts[0]
        for part in parts.dropFirst() {
            let keys = Set(first.meta.keys).union(part.meta.keys).subtracting(ExportSchema.perPartKeys)
            for key in keys.sorted() where first.meta[key] != part.meta[key] {
                throw AccfError.badData(part.path, "meta \(key) = \"\(part.meta[key] ?? "(missing)")\" but \(first.path) has \"\(first.meta[key] ?? "(missing)")\"",
                                        hint: "merge only parts of one export run (same model, k, exclusions and options)")
            }
        }
    }

    /// Orders parts by their first user and checks overlaps and (for ranges) gaps.
    static func orderAndCheckCoverage(_ parts: [Part]) throws -> [Part] {
        let ranged = parts.compactMap { part in part.range.map { (part, $0) } }
        if ranged.count < parts.count {
            return parts  // subsets: the primary key catches overlaps while copying
        }
        let ordered = ranged.sorted { ($0.1.lowerBound, $0.1.upperBound) < ($1.1.lowerBound, $1.1.upperBound) }
        let userCount = Int(ordered[0].0.meta[ExportSchema.Key.userCount] ?? "") ?? 0
        var covered = 0
        var previous: (Part, Range<Int>)?
        for (part, r) in ordered {
            if r.lowerBound < covered, let (other, otherRange) = previous {
                throw AccfError.badData(part.path, "its users \(r.lowerBound)-\(r.upperBound) overlap \(other.path) (\(otherRange.lowerBound)-\(otherRange.upperBound))",
                                        hint: "pass each shard once; all parts must come from --shard i/n with the same n")
            }
            if r.lowerBound > covered {
                throw AccfError.badData(part.path, "users \(covered)-\(r.lowerBound) are in no part (a gap before this one)",
                                        hint: "export the missing shard and pass every part of the same --shard i/n split")
            }
            covered = r.upperBound
            previous = (part, r)
        }
        if covered != userCount, let last = ordered.last?.0 {
            throw AccfError.badData(last.path, "users \(covered)-\(userCount) are in no part (a gap after this one)",
                                    hint: "export the missing shard and pass every part of the same --shard i/n split")
        }
        return ordered.map(\.0)
    }

    static func mergedMeta(_ parts: [Part]) -> [String: String] {
        var meta = parts[0].meta
        for key in ExportSchema.perPartKeys { meta[key] = nil }
        meta[ExportSchema.Key.runId] = parts[0].meta[ExportSchema.Key.runId]
        meta[ExportSchema.Key.createdAt] = Timestamp.iso8601Now()
        meta[ExportSchema.Key.userSelection] = parts.contains(where: { $0.range == nil }) ? "subset" : "all"
        return meta
    }

    static func writeMeta(_ meta: [String: String], into db: SQLiteDatabase) throws {
        let stmt = try db.prepare(ExportSchema.insertMeta)
        defer { stmt.finalize() }
        for (key, value) in meta.sorted(by: { $0.key < $1.key }) {
            try stmt.bind(1, key)
            try stmt.bind(2, value)
            try stmt.run()
        }
    }

    static func attach(_ path: String, to db: SQLiteDatabase) throws {
        let stmt = try db.prepare("ATTACH DATABASE ?1 AS part")
        defer { stmt.finalize() }
        try stmt.bind(1, "file:" + uriEscaped(path) + "?mode=ro")
        try stmt.run()
    }

    static func checkSameItems(_ path: String, _ firstPath: String, _ db: SQLiteDatabase) throws {
        let theirs = try db.scalarInt("SELECT count(*) FROM part.items")
        let same = try db.scalarInt("""
            SELECT count(*) FROM part.items p JOIN main.items m USING (item_index)
            WHERE p.external_id = m.external_id AND p.embedding = m.embedding
            """)
        let ours = try db.scalarInt("SELECT count(*) FROM main.items")
        guard theirs == ours, same == ours else {
            throw AccfError.badData(path, "its items table differs from \(firstPath) (\(ours - same) of \(ours) items differ)",
                                    hint: "merge only parts exported from the same model and dataset")
        }
    }

    static func copyRows(table: String, orderBy: String, part path: String, db: SQLiteDatabase) throws {
        do {
            try db.execute("INSERT INTO main.\(table) SELECT * FROM part.\(table) ORDER BY \(orderBy)")
        } catch let error as AccfError where error.status == .dataError {
            throw AccfError.badData(path, "its \(table) overlap an earlier part (\(error.message))",
                                    hint: "pass each part once; parts must hold disjoint users")
        }
    }

    /// Percent-encodes the characters that end or escape a URI path.
    static func uriEscaped(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), 0x80...0xFF:
                out += (byte < 16 ? "%0" : "%") + String(byte, radix: 16, uppercase: true)
            default:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }
}
