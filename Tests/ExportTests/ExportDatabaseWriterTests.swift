import Core
import XCTest
@testable import Export

final class ExportDatabaseWriterTests: XCTestCase {
    func content(dim: Int = 3, embeddings: Bool = true, recommendations: Bool = true) -> ExportContent {
        let users = ["alice", "bob", "carol"], items = ["x", "y", "z", "w"]
        let ue: [Float] = (0..<users.count * dim).map { Float($0) * 0.5 - 1 }
        let ie: [Float] = (0..<items.count * dim).map { Float($0) * 0.25 }
        let lists = TopKLists(k: 2, items: [3, 1, 0, TopKLists.missing, 2, 0], scores: [2, 1, 0.5, -.infinity, 3, 2])
        return ExportContent(userIds: users, itemIds: items, dim: dim,
                             userEmbeddings: embeddings ? ue : [], itemEmbeddings: embeddings ? ie : [],
                             users: [0, 1, 2], recommendations: recommendations ? lists : nil,
                             meta: [ExportSchema.Key.model: "lightgcn", ExportSchema.Key.runId: "r1"])
    }

    func testSchemaTablesViewAndVersion() throws {
        let dir = makeTemporaryDirectory(self)
        let path = dir + "/out.sqlite"
        let summary = try ExportDatabaseWriter.write(content(), to: path)
        XCTAssertEqual(summary.userRows, 3)
        XCTAssertEqual(summary.itemRows, 4)
        XCTAssertEqual(summary.recommendationRows, 5, "the missing slot is not written")
        let db = try SQLiteDatabase(path: path, mode: .readOnly)
        XCTAssertEqual(try db.scalarInt("PRAGMA user_version"), Int64(ExportSchema.version))
        XCTAssertEqual(try db.rows("PRAGMA journal_mode").first?.first, "delete")
        let objects = try db.rows("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").map { "\($0[0]!):\($0[1]!)" }
        XCTAssertEqual(objects, ["index:recommendations_by_item", "table:items", "table:meta", "table:recommendations", "table:users",
                                 "view:user_recommendations"])
        let recSQL = try db.rows("SELECT sql FROM sqlite_master WHERE name = 'recommendations'")[0][0]!
        XCTAssertTrue(recSQL.contains("WITHOUT ROWID"))
        XCTAssertTrue(recSQL.contains("PRIMARY KEY (user_index, rank)"))
        let columns = try db.rows("PRAGMA table_info(users)").map { "\($0[1]!) \($0[2]!) \($0[3]!) \($0[5]!)" }
        XCTAssertEqual(columns, ["user_index INTEGER 0 1", "external_id TEXT 1 0", "embedding BLOB 1 0"])
        let view = try db.rows("SELECT user_id, rank, item_id, score FROM user_recommendations ORDER BY user_id, rank")
        XCTAssertEqual(view.map { $0.map { $0! } }, [["alice", "1", "w", "2.0"], ["alice", "2", "y", "1.0"], ["bob", "1", "x", "0.5"],
                                                    ["carol", "1", "z", "3.0"], ["carol", "2", "x", "2.0"]])
        try db.close()
        for sidecar in ["-journal", "-wal", "-shm"] { XCTAssertFalse(FilePath.exists(path + sidecar)) }
        XCTAssertEqual(DatabasePublisher.temporaryNames(of: path), [], "no temporary file is left behind")
    }

    func testMetadataKeys() throws {
        let dir = makeTemporaryDirectory(self)
        let path = dir + "/out.sqlite"
        _ = try ExportDatabaseWriter.write(content(), to: path)
        let meta = try DumpedExport(path: path, ignoringKeys: []).meta
        XCTAssertEqual(meta["schema_version"], "1")
        XCTAssertEqual(meta["embedding_dtype"], "float32-le")
        XCTAssertEqual(meta["model"], "lightgcn")
        XCTAssertEqual(meta["run_id"], "r1")
        XCTAssertEqual(meta["dim"], "3")
        XCTAssertEqual(meta["k"], "2")
        XCTAssertEqual(meta["has_embeddings"], "1")
        XCTAssertEqual(meta["has_recommendations"], "1")
        XCTAssertEqual(meta["user_count"], "3")
        XCTAssertEqual(meta["item_count"], "4")
        XCTAssertEqual(meta["user_selection"], "all")
        XCTAssertEqual(meta["accf_version"], AccfVersion.string)
        let created = try XCTUnwrap(meta["created_at"])
        XCTAssertTrue(created.hasSuffix("Z") && created.count == 24, created)
    }

    func testEmbeddingBlobsAreLittleEndianFloat32() throws {
        let dir = makeTemporaryDirectory(self)
        let path = dir + "/out.sqlite"
        let c = content()
        _ = try ExportDatabaseWriter.write(c, to: path)
        let db = try SQLiteDatabase(path: path, mode: .readOnly)
        let stmt = try db.prepare("SELECT embedding FROM users WHERE user_index = 1")
        XCTAssertTrue(try stmt.step())
        let blob = stmt.blob(0)
        stmt.finalize()
        XCTAssertEqual(blob.count, 12)
        // user 1 row: values 3*0.5-1 = 0.5, 1.0, 1.5 → 0x3F000000, 0x3F800000, 0x3FC00000 little-endian.
        XCTAssertEqual(blob, [0, 0, 0, 0x3F, 0, 0, 0x80, 0x3F, 0, 0, 0xC0, 0x3F])
        XCTAssertEqual(EmbeddingBlob.decode(blob), [0.5, 1.0, 1.5])
        try db.close()
    }

    func testSkippingEmbeddingsAndRecommendations() throws {
        let dir = makeTemporaryDirectory(self)
        let a = dir + "/noemb.sqlite", b = dir + "/norec.sqlite"
        _ = try ExportDatabaseWriter.write(content(embeddings: false), to: a)
        _ = try ExportDatabaseWriter.write(content(recommendations: false), to: b)
        let noEmbeddings = try DumpedExport(path: a)
        XCTAssertEqual(noEmbeddings.meta["has_embeddings"], "0")
        XCTAssertEqual(noEmbeddings.users.map { $0[2] }, ["", "", ""], "zero-length BLOBs")
        XCTAssertEqual(noEmbeddings.recommendations.count, 5)
        let noRecommendations = try DumpedExport(path: b)
        XCTAssertEqual(noRecommendations.meta["has_recommendations"], "0")
        XCTAssertEqual(noRecommendations.meta["k"], "0")
        XCTAssertEqual(noRecommendations.recommendations.count, 0)
        XCTAssertEqual(noRecommendations.items.count, 4)
    }

    func testShapeMismatchIsRefusedBeforeAnythingIsWritten() throws {
        let dir = makeTemporaryDirectory(self)
        var bad = content()
        bad.userEmbeddings.removeLast()
        assertThrowsAccfError(.software, mentioning: "embeddings") { _ = try ExportDatabaseWriter.write(bad, to: dir + "/x.sqlite") }
        XCTAssertEqual(FilePath.list(dir), [])
        var unsorted = content()
        unsorted.users = [1, 0, 2]
        assertThrowsAccfError(.software, mentioning: "increasing") { _ = try ExportDatabaseWriter.write(unsorted, to: dir + "/x.sqlite") }
    }
}
