import Core

/// What ingest's reading phase made of one in-memory input: the report and the parsed columns.
public struct ParsedInput: Sendable {
    public var report: IngestReport
    /// External ids by interned index (first-appearance order), as stored in the dictionaries.
    public var userIds: [[UInt8]]
    public var itemIds: [[UInt8]]
    /// One entry per parsed interaction: interned user and item, rating (NaN: none), time (Int64.min: none).
    public var users: [UInt32]
    public var items: [UInt32]
    public var ratings: [Float]
    public var timestamps: [Int64]
}

/// Runs ingest's reading phase — line reader, format parser, counting, bad-line limit — over a
/// byte buffer instead of a file.
///
/// Why: the fuzzers (`Fuzz/`, `ParserFuzzTests`) feed hundreds of thousands of mutated inputs;
/// going through files would measure the disk, and a separate "parse a string" path would fuzz
/// code ingest does not run. Only the source of the bytes differs from `IngestStage.run`
/// (compressed streams are read from files only, see `DecompressingReader`).
public enum BufferReading {
    /// Reads `bytes` as one input file named `path` in `config.format` (a `test*` name marks a
    /// LightGCN test file). Small `blockSize`/`chunk` values move block and read boundaries
    /// through every line. Throws what ingest would throw (an `AccfError`, exit 65).
    public static func read(_ bytes: [UInt8], config: IngestConfig, path: String = "memory.txt",
                            blockSize: Int = 1 << 12, chunk: Int = 1 << 10, parallelJSON: Bool = true) throws -> ParsedInput {
        var reading = InputReading(config: config)
        reading.blockSize = blockSize
        reading.parallelJSON = parallelJSON
        let reader = LineReader(source: MemorySource(bytes, path: path, chunk: chunk),
                                maxLineLength: config.maxLineLength, blockSize: blockSize)
        try reading.read(reader)
        try reading.checkBadFraction(final: true)
        let log = reading.log
        return ParsedInput(report: reading.report,
                           userIds: (0..<log.users.count).map { Array(log.users.bytes($0)) },
                           itemIds: (0..<log.items.count).map { Array(log.items.bytes($0)) },
                           users: log.userColumn, items: log.itemColumn, ratings: log.ratings, timestamps: log.timestamps)
    }
}

extension ParsedInput {
    /// What is inconsistent in this result (empty when it is sane): every column as long as the
    /// interaction count, every id index in range, ids unique, non-empty, valid UTF-8 without
    /// control characters, ratings finite, line counts adding up. Shared by both fuzz layers.
    public func problems() -> [String] {
        var out: [String] = []
        let r = report
        let n = users.count
        if items.count != n || ratings.count != n || timestamps.count != n || r.interactionsParsed != n {
            out.append("column lengths \(users.count)/\(items.count)/\(ratings.count)/\(timestamps.count) vs \(r.interactionsParsed) interactions")
        }
        if r.linesRead != r.linesParsed + r.linesSkipped + r.linesMalformed {
            out.append("lines read \(r.linesRead) ≠ parsed \(r.linesParsed) + skipped \(r.linesSkipped) + malformed \(r.linesMalformed)")
        }
        if r.malformed.reduce(0, { $0 + $1.count }) != r.linesMalformed { out.append("drop reasons do not add up to the malformed count") }
        if r.inputs.reduce(0, { $0 + $1.linesRead }) != r.linesRead { out.append("per-input line counts do not add up") }
        if let bad = users.first(where: { Int($0) >= userIds.count }) { out.append("user index \(bad) ≥ \(userIds.count) users") }
        if let bad = items.first(where: { Int($0) >= itemIds.count }) { out.append("item index \(bad) ≥ \(itemIds.count) items") }
        for (kind, ids) in [("user", userIds), ("item", itemIds)] {
            if Set(ids).count != ids.count { out.append("duplicate \(kind) ids in the dictionary") }
            for id in ids {
                let acceptable = id.withUnsafeBufferPointer { ByteInterner.isAcceptable($0) }
                if id.isEmpty || !acceptable { out.append("unacceptable \(kind) id \(id)"); break }
            }
        }
        if ratings.contains(where: { !$0.isNaN && !$0.isFinite }) { out.append("an infinite rating") }
        if r.malformed.contains(where: { $0.reason.utf8.count > 400 }) { out.append("an unbounded drop reason") }
        return out
    }
}
