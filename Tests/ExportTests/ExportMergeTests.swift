import Core
import XCTest
@testable import Export

final class ExportMergeTests: XCTestCase {
    func exportShards(_ fixture: ExportFixture, count: Int, dir: String, k: Int = 7) throws -> [String] {
        try (1...count).map { i in
            var config = ExportConfig()
            config.k = k
            config.shard = try ExportShard(index: i, count: count)
            let path = dir + "/part-\(i).sqlite"
            _ = try ExportStage.export(input: fixture.input, config: config, destination: path, logger: quietLogger)
            return path
        }
    }

    func testShardPartsMergeToTheSameContentAsOneExport() throws {
        let dir = makeTemporaryDirectory(self)
        let fixture = ExportFixture(users: 29, items: 33, dim: 8, seed: 5)
        var config = ExportConfig()
        config.k = 7
        _ = try ExportStage.export(input: fixture.input, config: config, destination: dir + "/single.sqlite", logger: quietLogger)
        let parts = try exportShards(fixture, count: 3, dir: dir)
        let partMeta = try DumpedExport(path: parts[1], ignoringKeys: []).meta
        XCTAssertEqual(partMeta["user_selection"], "range")
        XCTAssertEqual(partMeta["shard"], "2/3")
        XCTAssertEqual(partMeta["user_range"], "9-19")

        let summary = try ExportMerge.run(parts: [parts[2], parts[0], parts[1]], destination: dir + "/merged.sqlite")
        XCTAssertEqual(summary.parts, 3)
        XCTAssertEqual(summary.userRows, 29)
        let single = try DumpedExport(path: dir + "/single.sqlite")
        let merged = try DumpedExport(path: dir + "/merged.sqlite")
        XCTAssertEqual(merged, single)
        XCTAssertEqual(try ExportVerifier.verify(path: dir + "/merged.sqlite").meta["content_xxh64"],
                       try ExportVerifier.verify(path: dir + "/single.sqlite").meta["content_xxh64"])
        XCTAssertEqual(try DumpedExport(path: dir + "/merged.sqlite", ignoringKeys: []).meta["user_selection"], "all")
        let db = try SQLiteDatabase(path: dir + "/merged.sqlite", mode: .readOnly)
        XCTAssertEqual(try db.rows("PRAGMA integrity_check").first?.first, "ok")
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'recommendations_by_item'"), 1)
        XCTAssertEqual(try db.rows("PRAGMA journal_mode").first?.first, "delete")
        try db.close()
    }

    func testGapAndOverlapAreRefusedNamingTheParts() throws {
        let dir = makeTemporaryDirectory(self)
        let fixture = ExportFixture(users: 20, items: 10, dim: 4, seed: 6)
        let parts = try exportShards(fixture, count: 4, dir: dir)
        assertThrowsAccfError(.dataError, mentioning: "users 10-15 are in no part") {
            _ = try ExportMerge.run(parts: [parts[0], parts[1], parts[3]], destination: dir + "/m.sqlite")
        }
        assertThrowsAccfError(.dataError, mentioning: "users 15-20 are in no part") {
            _ = try ExportMerge.run(parts: [parts[0], parts[1], parts[2]], destination: dir + "/m.sqlite")
        }
        assertThrowsAccfError(.dataError, mentioning: "overlap") {
            _ = try ExportMerge.run(parts: parts + [parts[2]], destination: dir + "/m.sqlite")
        }
        // Parts of another split (n = 3) overlap those of n = 4.
        let other = makeTemporaryDirectory(self)
        let three = try exportShards(fixture, count: 3, dir: other)
        assertThrowsAccfError(.dataError, mentioning: "overlap") {
            _ = try ExportMerge.run(parts: [parts[0], parts[1], three[1], three[2]], destination: dir + "/m.sqlite")
        }
        XCTAssertFalse(FilePath.exists(dir + "/m.sqlite"))
        XCTAssertEqual(DatabasePublisher.temporaryNames(of: dir + "/m.sqlite"), [])
    }

    func testPartsOfDifferentExportsAreRefused() throws {
        let dir = makeTemporaryDirectory(self)
        let a = try exportShards(ExportFixture(users: 20, items: 10, dim: 4, seed: 6), count: 2, dir: dir)
        let otherDir = makeTemporaryDirectory(self)
        let b = try exportShards(ExportFixture(users: 20, items: 10, dim: 4, seed: 7), count: 2, dir: otherDir)
        assertThrowsAccfError(.dataError, mentioning: "checkpoint_hash") {
            _ = try ExportMerge.run(parts: [a[0], b[1]], destination: dir + "/m.sqlite")
        }
        let kDir = makeTemporaryDirectory(self)
        let c = try exportShards(ExportFixture(users: 20, items: 10, dim: 4, seed: 6), count: 2, dir: kDir, k: 3)
        assertThrowsAccfError(.dataError, mentioning: "meta k") {
            _ = try ExportMerge.run(parts: [a[0], c[1]], destination: dir + "/m.sqlite")
        }
    }

    func testSubsetPartsMergeWithOverlapCheck() throws {
        let dir = makeTemporaryDirectory(self)
        let fixture = ExportFixture(users: 20, items: 10, dim: 4, seed: 6)
        func subset(_ ids: [String], _ name: String) throws -> String {
            var config = ExportConfig()
            config.users = ids
            _ = try ExportStage.export(input: fixture.input, config: config, destination: dir + "/" + name, logger: quietLogger)
            return dir + "/" + name
        }
        let a = try subset(["user-1", "user-7"], "a.sqlite"), b = try subset(["user-3"], "b.sqlite"), c = try subset(["user-7"], "c.sqlite")
        let summary = try ExportMerge.run(parts: [a, b], destination: dir + "/ab.sqlite")
        XCTAssertEqual(summary.userRows, 3)
        XCTAssertEqual(try DumpedExport(path: dir + "/ab.sqlite", ignoringKeys: []).meta["user_selection"], "subset")
        assertThrowsAccfError(.dataError, mentioning: c) { _ = try ExportMerge.run(parts: [a, c], destination: dir + "/ac.sqlite") }
    }

    func testMissingCorruptAndOtherVersionPartsAreRefused() throws {
        let dir = makeTemporaryDirectory(self)
        let parts = try exportShards(ExportFixture(users: 20, items: 10, dim: 4, seed: 6), count: 2, dir: dir)
        assertThrowsAccfError(.noInput, mentioning: dir + "/nope.sqlite") {
            _ = try ExportMerge.run(parts: [parts[0], dir + "/nope.sqlite"], destination: dir + "/m.sqlite")
        }
        var bytes = try FilePath.readAll(parts[1])
        for k in stride(from: 4096 + 700, to: bytes.count, by: 1024) { bytes[k] ^= 0x10 }  // a bit in every page
        try AtomicFileWriter.write(bytes, to: dir + "/flipped.sqlite")
        assertThrowsAccfError(.dataError, mentioning: dir + "/flipped.sqlite") {
            _ = try ExportMerge.run(parts: [parts[0], dir + "/flipped.sqlite"], destination: dir + "/m.sqlite")
        }
        try AtomicFileWriter.write(Array(bytes[0..<(bytes.count / 3)]), to: dir + "/truncated.sqlite")
        assertThrowsAccfError(.dataError, mentioning: dir + "/truncated.sqlite") {
            _ = try ExportMerge.run(parts: [parts[0], dir + "/truncated.sqlite"], destination: dir + "/m.sqlite")
        }
        let db = try SQLiteDatabase(path: parts[1], mode: .readWrite)
        try db.execute("PRAGMA user_version = 99")
        try db.close()
        assertThrowsAccfError(.dataError, mentioning: "schema version 99") {
            _ = try ExportMerge.run(parts: parts, destination: dir + "/m.sqlite")
        }
    }
}
