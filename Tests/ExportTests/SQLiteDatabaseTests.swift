import Core
import XCTest
@testable import Export

final class SQLiteDatabaseTests: XCTestCase {
    func testBindStepAndColumnsRoundTrip() throws {
        let dir = makeTemporaryDirectory(self)
        let db = try SQLiteDatabase(path: dir + "/a.sqlite", mode: .create)
        try db.execute("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB)")
        let insert = try db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)")
        try insert.bind(1, Int64(-7))
        try insert.bind(2, 2.5)
        try insert.bind(3, "héllo")
        try [UInt8]([1, 2, 3]).withUnsafeBytes { try insert.bind(4, blob: $0) }
        try insert.run()
        try insert.bind(3, "")
        try insert.bind(4, blob: UnsafeRawBufferPointer(start: nil, count: 0))
        try insert.run()
        insert.finalize()
        let select = try db.prepare("SELECT i, d, s, b, typeof(b) FROM t ORDER BY rowid")
        XCTAssertTrue(try select.step())
        XCTAssertEqual(select.int64(0), -7)
        XCTAssertEqual(select.double(1), 2.5)
        XCTAssertEqual(select.text(2), "héllo")
        XCTAssertEqual(select.blob(3), [1, 2, 3])
        XCTAssertTrue(try select.step())
        XCTAssertEqual(select.text(2), "")
        XCTAssertEqual(select.blob(3), [])
        XCTAssertEqual(select.text(4), "blob", "an empty buffer binds a zero-length BLOB, not NULL")
        XCTAssertFalse(try select.step())
        select.finalize()
        try db.close()
    }

    func testMissingFileIsExit66NamingIt() {
        assertThrowsAccfError(.noInput, mentioning: "/nonexistent/x.sqlite") {
            _ = try SQLiteDatabase(path: "/nonexistent/x.sqlite", mode: .readOnly)
        }
    }

    func testNotADatabaseIsExit65NamingIt() throws {
        let dir = makeTemporaryDirectory(self)
        let path = dir + "/junk.sqlite"
        try AtomicFileWriter.write(Array(repeating: 0x41, count: 4096), to: path)
        assertThrowsAccfError(.dataError, mentioning: path) {
            let db = try SQLiteDatabase(path: path, mode: .readOnly)
            _ = try db.rows("SELECT * FROM sqlite_master")
        }
    }

    func testBadStatementIsInternalErrorAndConstraintIsBadData() throws {
        let dir = makeTemporaryDirectory(self)
        let db = try SQLiteDatabase(path: dir + "/b.sqlite", mode: .create)
        assertThrowsAccfError(.software, mentioning: "b.sqlite") { try db.execute("CREATE TABLEX") }
        try db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")
        try db.execute("INSERT INTO t VALUES (1)")
        assertThrowsAccfError(.dataError, mentioning: "b.sqlite") { try db.execute("INSERT INTO t VALUES (1)") }
        let stmt = try db.prepare("INSERT INTO t VALUES (?1)")
        try stmt.bind(1, Int64(1))
        assertThrowsAccfError(.dataError, mentioning: "UNIQUE") { try stmt.run() }
        stmt.finalize()
        try db.close()
    }

    func testCannotCreateInMissingDirectoryIsExit73() {
        assertThrowsAccfError(.cannotCreate, mentioning: "/nonexistent-dir/c.sqlite") {
            _ = try SQLiteDatabase(path: "/nonexistent-dir/c.sqlite", mode: .create)
        }
    }
}
