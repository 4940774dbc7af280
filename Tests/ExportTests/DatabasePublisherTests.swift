import Core
import Train
import XCTest
@testable import Export

final class DatabasePublisherTests: XCTestCase {
    func contentA() -> ExportContent { ExportFixture(users: 7, items: 9, dim: 4, seed: 1).content(k: 3) }
    func contentB() -> ExportContent { ExportFixture(users: 11, items: 9, dim: 4, seed: 2).content(k: 3) }

    func testReaderOpenedBeforeReExportKeepsOldContentAndNewReaderSeesNew() throws {
        let dir = makeTemporaryDirectory(self)
        let path = dir + "/rec.sqlite"
        _ = try ExportDatabaseWriter.write(contentA(), to: path)
        let old = try SQLiteDatabase(path: path, mode: .readOnly)
        XCTAssertEqual(try old.scalarInt("SELECT count(*) FROM users"), 7)

        _ = try ExportDatabaseWriter.write(contentB(), to: path)

        // The old connection still reads the old inode, whole and consistent.
        XCTAssertEqual(try old.scalarInt("SELECT count(*) FROM users"), 7)
        XCTAssertEqual(try old.scalarInt("SELECT count(*) FROM recommendations"), 7 * 3)
        XCTAssertEqual(try old.rows("PRAGMA integrity_check").first?.first, "ok")
        let fresh = try SQLiteDatabase(path: path, mode: .readOnly)
        XCTAssertEqual(try fresh.scalarInt("SELECT count(*) FROM users"), 11)
        XCTAssertEqual(try fresh.scalarInt("SELECT count(*) FROM recommendations"), 11 * 3)
        try old.close()
        try fresh.close()
    }

    func testCrashBeforeRenameLeavesOldFileByteIdenticalAndNextRunRemovesLeftover() throws {
        let dir = makeTemporaryDirectory(self)
        let path = dir + "/rec.sqlite"
        _ = try ExportDatabaseWriter.write(contentA(), to: path)
        let before = try FilePath.readAll(path)

        XCTAssertThrowsError(try ExportDatabaseWriter.write(contentB(), to: path, failpoint: .beforeRename))
        XCTAssertEqual(try FilePath.readAll(path), before, "the published file is untouched")
        let leftovers = DatabasePublisher.temporaryNames(of: path)
        XCTAssertEqual(leftovers.count, 1, "the crash leaves exactly one temporary file")
        XCTAssertGreaterThan(FilePath.fileSize(FilePath.join(dir, leftovers[0])) ?? 0, 0, "a complete but unpublished database")
        let reader = try SQLiteDatabase(path: path, mode: .readOnly)
        XCTAssertEqual(try reader.scalarInt("SELECT count(*) FROM users"), 7)
        try reader.close()

        let summary = try ExportDatabaseWriter.write(contentB(), to: path)
        XCTAssertEqual(summary.removedLeftovers, [FilePath.join(dir, leftovers[0])])
        XCTAssertEqual(DatabasePublisher.temporaryNames(of: path), [])
        XCTAssertEqual(try DumpedExport(path: path).users.count, 11)
    }

    func testLeftoverOfALiveWriterIsKeptAndJournalsOfDeadOnesRemoved() throws {
        let dir = makeTemporaryDirectory(self)
        let path = dir + "/rec.sqlite"
        let live = try DatabasePublisher(destination: path)
        // A dead writer's temporary database and its journal (no lock held on them).
        let dead = FilePath.join(dir, ".rec.sqlite.tmp-1-dead")
        try AtomicFileWriter.write([1, 2, 3], to: dead)
        try AtomicFileWriter.write([4], to: dead + "-journal")
        // An orphaned journal whose database is already gone.
        try AtomicFileWriter.write([5], to: FilePath.join(dir, ".rec.sqlite.tmp-2-gone-journal"))
        let removed = DatabasePublisher.removeLeftovers(of: path).sorted()
        XCTAssertEqual(removed, [dead, dead + "-journal", FilePath.join(dir, ".rec.sqlite.tmp-2-gone-journal")].sorted())
        XCTAssertTrue(FilePath.exists(live.temporaryPath), "a temporary file locked by a live writer is not touched")
        live.discard()
        XCTAssertFalse(FilePath.exists(live.temporaryPath))
        XCTAssertEqual(FilePath.list(dir), [])
    }

    func testUnwritableDestinationIsExit73() throws {
        let dir = makeTemporaryDirectory(self)
        try AtomicFileWriter.write([1], to: dir + "/file")
        // Root ignores permission bits, so make the directory impossible instead: a path under a file.
        assertThrowsAccfError(.cannotCreate, mentioning: dir + "/file/sub") {
            _ = try ExportDatabaseWriter.write(contentA(), to: dir + "/file/sub/rec.sqlite")
        }
        try FilePath.createDirectories(dir + "/adir")
        assertThrowsAccfError(.cannotCreate, mentioning: "is a directory") {
            _ = try ExportDatabaseWriter.write(contentA(), to: dir + "/adir")
        }
    }

    func testMissingDestinationDirectoryIsCreated() throws {
        let dir = makeTemporaryDirectory(self)
        _ = try ExportDatabaseWriter.write(contentA(), to: dir + "/a/b/rec.sqlite")
        XCTAssertEqual(try DumpedExport(path: dir + "/a/b/rec.sqlite").users.count, 7)
    }
}

extension ExportFixture {
    /// The fixture ranked for every user, as an `ExportContent` (no stage involved).
    func content(k: Int) -> ExportContent {
        let m = input.model
        let r = TopKRetrieval.topK(userEmbeddings: m.userEmbeddings, itemEmbeddings: m.itemEmbeddings, dim: m.dim,
                                   users: 0..<input.userIds.count, k: k,
                                   exclusions: ItemExclusions(userCount: input.userIds.count, splits: input.excluded), threads: 1)
        return ExportContent(userIds: input.userIds, itemIds: input.itemIds, dim: m.dim, userEmbeddings: m.userEmbeddings,
                             itemEmbeddings: m.itemEmbeddings, users: Array(input.userIds.indices),
                             recommendations: TopKLists(k: k, items: r.items, scores: r.scores), meta: ["model": m.modelName])
    }
}
