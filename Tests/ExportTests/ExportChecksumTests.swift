import Core
import XCTest
@testable import Export

final class ExportChecksumTests: XCTestCase {
    func exported(_ dir: String) throws -> (String, ExportFixture) {
        let fixture = ExportFixture(users: 12, items: 15, dim: 4, seed: 11)
        var config = ExportConfig()
        config.k = 5
        _ = try ExportStage.export(input: fixture.input, config: config, destination: dir + "/rec.sqlite", logger: quietLogger)
        return (dir + "/rec.sqlite", fixture)
    }

    func testWriterChecksumMatchesTheRowsReadBack() throws {
        let dir = makeTemporaryDirectory(self)
        let (path, _) = try exported(dir)
        let result = try ExportVerifier.verify(path: path)
        XCTAssertEqual(result.userRows, 12)
        XCTAssertEqual(result.itemRows, 15)
        XCTAssertEqual(result.recommendationRows, 60)
        XCTAssertEqual(result.meta["content_xxh64"]?.count, 16)
    }

    func testAFlippedByteInsideAnEmbeddingBlobIsDetected() throws {
        let dir = makeTemporaryDirectory(self)
        let (path, fixture) = try exported(dir)
        var bytes = try FilePath.readAll(path)
        // Find item 7's embedding bytes in the file and flip one bit of its second float.
        let needle = fixture.input.model.itemEmbeddings[28..<32].withUnsafeBytes { Array($0) }
        let at = try XCTUnwrap((0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
        bytes[at + 5] ^= 0x01
        try AtomicFileWriter.write(bytes, to: dir + "/flipped.sqlite")
        let db = try SQLiteDatabase(path: dir + "/flipped.sqlite", mode: .readOnly)
        XCTAssertEqual(try db.rows("PRAGMA integrity_check").first?.first, "ok", "SQLite itself does not see it")
        try db.close()
        assertThrowsAccfError(.dataError, mentioning: dir + "/flipped.sqlite") { _ = try ExportVerifier.verify(path: dir + "/flipped.sqlite") }
    }

    func testTruncationAndOtherVersionAreDetected() throws {
        let dir = makeTemporaryDirectory(self)
        let (path, _) = try exported(dir)
        let bytes = try FilePath.readAll(path)
        try AtomicFileWriter.write(Array(bytes[0..<(bytes.count / 2)]), to: dir + "/half.sqlite")
        assertThrowsAccfError(.dataError, mentioning: dir + "/half.sqlite") { _ = try ExportVerifier.verify(path: dir + "/half.sqlite") }
        let db = try SQLiteDatabase(path: path, mode: .readWrite)
        try db.execute("PRAGMA user_version = 2")
        try db.close()
        assertThrowsAccfError(.dataError, mentioning: "re-export") { _ = try ExportVerifier.verify(path: path) }
    }
}
