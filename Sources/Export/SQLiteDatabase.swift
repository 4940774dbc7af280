import CSQLite
import Core

/// A thin wrapper of our own over the SQLite C API: open, execute, prepare, close.
///
/// Why not GRDB: bulk inserts through one prepared statement in one transaction run at
/// ~1.5–1.8M rows/s through the C API versus ~0.75M through GRDB, and GRDB adds 30–50 s to every
/// CI build (DESIGN.md, "Performance facts"). Export needs a dozen calls, not an ORM.
///
/// Every failure becomes an `AccfError` that names the database file: a file that is not a
/// database or is damaged is exit 65, a missing one 66, one that cannot be created 73, a failed
/// write (disk full, I/O) 74, a busy one 75, and a bad statement (a bug) 70.
/// Not thread-safe: one connection per thread, as SQLite's own default mode expects.
public final class SQLiteDatabase {
    /// How to open the file.
    public enum Mode: Sendable {
        /// Read only; the file must exist (consumers, tests, merge inputs).
        case readOnly
        /// Read and write; the file must exist.
        case readWrite
        /// Read and write, creating the file when it is missing (or empty).
        case create
    }

    /// The database file, named in every error.
    public let path: String
    private var handle: OpaquePointer?

    /// Opens `path`; a missing file in `.readOnly`/`.readWrite` mode is exit 66.
    public init(path: String, mode: Mode) throws {
        self.path = path
        if mode != .create && !FilePath.exists(path) {
            throw AccfError.missingInput(path, hint: "check the path of the exported SQLite file")
        }
        var flags: Int32
        switch mode {
        case .readOnly: flags = SQLITE_OPEN_READONLY
        case .readWrite: flags = SQLITE_OPEN_READWRITE
        case .create: flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        }
        flags |= SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_URI
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        if rc != SQLITE_OK {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            if mode == .create {
                throw AccfError.cannotCreate(path, "sqlite: \(message)")
            }
            throw SQLiteDatabase.error(path: path, code: rc, message: message, during: "open")
        }
        handle = db
    }

    deinit {
        if let handle { sqlite3_close_v2(handle) }
    }

    /// Closes the connection; SQLite refusing to close (unfinalized statements) is a bug (70).
    public func close() throws {
        guard let db = handle else { return }
        let rc = sqlite3_close(db)
        if rc != SQLITE_OK {
            throw AccfError.internalError("\(path): sqlite close failed: \(String(cString: sqlite3_errmsg(db)))")
        }
        handle = nil
    }

    /// Runs one or more SQL statements that return no rows we need.
    public func execute(_ sql: String) throws {
        let db = try open()
        var errorText: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &errorText)
        if rc != SQLITE_OK {
            let message = errorText.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(errorText)
            throw SQLiteDatabase.error(path: path, code: sqlite3_extended_errcode(db), message: message,
                                       during: String(sql.prefix(60)))
        }
    }

    /// Compiles one statement.
    public func prepare(_ sql: String) throws -> SQLiteStatement {
        let db = try open()
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw SQLiteDatabase.error(path: path, code: rc, message: String(cString: sqlite3_errmsg(db)),
                                       during: "prepare \(sql.prefix(60))")
        }
        return SQLiteStatement(database: self, handle: stmt)
    }

    /// Every row of a query as text columns (NULL → nil); for small metadata and PRAGMA results.
    public func rows(_ sql: String) throws -> [[String?]] {
        let stmt = try prepare(sql)
        var out: [[String?]] = []
        while try stmt.step() {
            out.append((0..<stmt.columnCount).map { stmt.isNull($0) ? nil : stmt.text($0) })
        }
        return out
    }

    /// The first column of the first row as an integer (0 when there is no row).
    public func scalarInt(_ sql: String) throws -> Int64 {
        let stmt = try prepare(sql)
        return try stmt.step() ? stmt.int64(0) : 0
    }

    /// Rows changed by the last INSERT/UPDATE/DELETE.
    public var changes: Int { handle.map { Int(sqlite3_changes64($0)) } ?? 0 }

    private func open() throws -> OpaquePointer {
        guard let handle else { throw AccfError.internalError("\(path): database used after close") }
        return handle
    }

    /// Maps an SQLite result code to the documented exit status, naming the file.
    static func error(path: String, code: Int32, message: String, during: String) -> AccfError {
        let primary = code & 0xFF
        let what = "sqlite \(during): \(message) (code \(code))"
        switch primary {
        case SQLITE_NOTADB, SQLITE_CORRUPT, SQLITE_FORMAT:
            return AccfError.corrupt(path, what)
        case SQLITE_CANTOPEN:
            return AccfError.missingInput(path, hint: "check that the file exists and is readable")
        case SQLITE_FULL, SQLITE_IOERR:
            return AccfError.io(path, what)
        case SQLITE_READONLY, SQLITE_PERM:
            return AccfError.cannotCreate(path, what)
        case SQLITE_BUSY, SQLITE_LOCKED:
            return AccfError(.temporaryFailure, "\(path): \(what)", hint: "another process holds the database; retry later")
        case SQLITE_CONSTRAINT, SQLITE_MISMATCH:
            return AccfError.badData(path, what)
        default:
            return AccfError.internalError("\(path): \(what)")
        }
    }

    fileprivate var rawHandle: OpaquePointer? { handle }
}

/// One compiled statement: bind parameters (1-based, as SQLite counts), step, read columns (0-based).
///
/// Blobs and texts are bound as SQLITE_TRANSIENT (SQLite copies them), so callers may pass
/// temporary buffers; for the bulk paths the copy is a memcpy of ≤ 256 bytes per row.
public final class SQLiteStatement {
    private let database: SQLiteDatabase
    private var handle: OpaquePointer?

    fileprivate init(database: SQLiteDatabase, handle: OpaquePointer) {
        self.database = database
        self.handle = handle
    }

    deinit { sqlite3_finalize(handle) }

    /// Releases the statement now (a connection closes only when all its statements are finalized).
    public func finalize() {
        sqlite3_finalize(handle)
        handle = nil
    }

    /// Binds a 64-bit integer.
    @inline(__always) public func bind(_ index: Int32, _ value: Int64) throws {
        try check(sqlite3_bind_int64(handle, index, value), "bind")
    }

    /// Binds a double.
    @inline(__always) public func bind(_ index: Int32, _ value: Double) throws {
        try check(sqlite3_bind_double(handle, index, value), "bind")
    }

    /// Binds UTF-8 text.
    public func bind(_ index: Int32, _ value: String) throws {
        var copy = value
        let rc = copy.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { chars -> Int32 in
                guard let base = chars.baseAddress, !chars.isEmpty else {
                    return sqlite3_bind_text(handle, index, "", 0, sqliteTransient)
                }
                return sqlite3_bind_text64(handle, index, base, UInt64(chars.count), sqliteTransient, UInt8(SQLITE_UTF8))
            }
        }
        try check(rc, "bind")
    }

    /// Binds bytes as a BLOB (an empty buffer binds a zero-length BLOB, not NULL).
    public func bind(_ index: Int32, blob bytes: UnsafeRawBufferPointer) throws {
        let rc: Int32
        if let base = bytes.baseAddress, bytes.count > 0 {
            rc = sqlite3_bind_blob64(handle, index, base, UInt64(bytes.count), sqliteTransient)
        } else {
            rc = sqlite3_bind_zeroblob(handle, index, 0)
        }
        try check(rc, "bind")
    }

    /// Runs one step: true when a row is available, false when done.
    @inline(__always) public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let db = sqlite3_db_handle(handle)
        let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "step failed"
        let code = db.map { sqlite3_extended_errcode($0) } ?? rc
        sqlite3_reset(handle)
        throw SQLiteDatabase.error(path: database.path, code: code, message: message, during: "step")
    }

    /// Resets for the next row (bindings are kept and overwritten by the next binds).
    @inline(__always) public func reset() {
        sqlite3_reset(handle)
    }

    /// Steps a statement that returns no rows, then resets it.
    @inline(__always) public func run() throws {
        _ = try step()
        sqlite3_reset(handle)
    }

    /// Number of result columns.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// Whether a result column is NULL.
    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// A result column as a 64-bit integer.
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// A result column as a double.
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    /// A result column as text.
    public func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(handle, column) else { return "" }
        let n = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// A result column as bytes.
    public func blob(_ column: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(handle, column))
        guard n > 0, let p = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    @inline(__always) private func check(_ rc: Int32, _ what: String) throws {
        if rc != SQLITE_OK {
            let db = sqlite3_db_handle(handle)
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? what
            throw SQLiteDatabase.error(path: database.path, code: rc, message: message, during: what)
        }
    }
}

/// SQLITE_TRANSIENT is a C macro (a cast of -1) that Swift does not import.
private let sqliteTransient = unsafeBitCast(Int(-1), to: sqlite3_destructor_type.self)
