import XCTest
import Core
@testable import Ingest

/// Round trips and corruption of shards, dictionaries and the manifest.
final class ShardFileTests: XCTestCase {
    private func dataset() throws -> (IngestedDataset, String) {
        var c = IngestConfig()
        c.format = .movielens
        c.inputs = [Fixtures.path("u.data")]
        c.minInteractionsToSplit = 100
        let (_, ds, dir) = try Fixtures.ingest(c)
        return (ds, dir)
    }

    func testShardRoundTripWithDeltasAndNegativeTimes() throws {
        let c = InteractionColumns(users: [3, 3, 5, 9], items: [1, 7, 0, 2], ratings: [1, 2.5, -1, 4],
                                   timestamps: [100, -5, Int64.max, Int64.min])
        let bytes = try ShardFile.encode(c, range: 0..<4, split: .valid, firstUser: 2, endUser: 10)
        var out = InteractionColumns(ratings: [], timestamps: [])
        let h = try ShardFile.decode(bytes, path: "x.shard", into: &out)
        XCTAssertEqual(h, ShardFile.Header(split: .valid, firstUser: 2, endUser: 10, count: 4))
        XCTAssertEqual(out, c)
    }

    func testFlippedBytesAreRejectedNamingTheFile() throws {
        let (_, dir) = try dataset()
        for name in ["train-00000.shard", "users.dict", "items.dict"] {
            let path = FilePath.join(dir, name)
            let original = try FilePath.readAll(path)
            for offset in [3, 70, original.count - 1] {
                var bytes = original
                bytes[offset] ^= 0x10
                try AtomicFileWriter.write(bytes, to: path)
                let ds = try IngestedDataset.open(directory: dir)
                XCTAssertThrowsAccf(.dataError, name) {
                    _ = try ds.interactions(.train); _ = try ds.userIds(); _ = try ds.itemIds()
                }
            }
            try AtomicFileWriter.write(original, to: path)
        }
        let ok = try IngestedDataset.open(directory: dir)
        XCTAssertEqual(try ok.interactions(.train).count, 3)
    }

    func testTruncatedAndMissingFilesAreRejected() throws {
        let (_, dir) = try dataset()
        let shard = FilePath.join(dir, "train-00000.shard")
        let bytes = try FilePath.readAll(shard)
        try AtomicFileWriter.write(Array(bytes.prefix(bytes.count - 5)), to: shard)
        XCTAssertThrowsAccf(.dataError, "train-00000.shard") { _ = try IngestedDataset.open(directory: dir).interactions(.train) }
        // Even when the manifest is bypassed, the shard's own envelope catches it.
        var out = InteractionColumns()
        XCTAssertThrowsAccf(.dataError, "truncated") { _ = try ShardFile.decode(Array(bytes.prefix(40)), path: shard, into: &out) }
        XCTAssertThrowsAccf(.dataError, "payload is") { _ = try ShardFile.decode(Array(bytes.prefix(bytes.count - 5)), path: shard, into: &out) }
        unlink(shard)
        XCTAssertThrowsAccf(.dataError, "missing") { _ = try IngestedDataset.open(directory: dir) }
        XCTAssertThrowsAccf(.noInput) { _ = try IngestedDataset.open(directory: FilePath.join(dir, "nope")) }
    }

    func testManifestCorruptionAndNewerVersionsAreRejected() throws {
        let (ds, dir) = try dataset()
        let path = FilePath.join(dir, ShardManifest.fileName)
        let bytes = try FilePath.readAll(path)
        var flipped = bytes
        flipped[bytes.count / 2] ^= 1
        try AtomicFileWriter.write(flipped, to: path)
        XCTAssertThrowsAccf(.dataError, "manifest.accf") { _ = try IngestedDataset.open(directory: dir) }
        // A manifest from a newer accf: same payload, version 2.
        let payload = Array(bytes[ChecksummedFile.headerSize...])
        try ChecksummedFile.write(path: path, magic: ShardManifest.magic, version: 2, payload: payload)
        XCTAssertThrowsAccf(.dataError, "newer accf") { _ = try IngestedDataset.open(directory: dir) }
        try AtomicFileWriter.write(bytes, to: path)
        XCTAssertEqual(try IngestedDataset.open(directory: dir).contentHash, ds.contentHash)
        // A shard from a newer accf.
        let shard = try FilePath.readAll(FilePath.join(dir, "train-00000.shard"))
        let v2 = ChecksummedFile.header(magic: ShardFile.magic, version: 2, payloadLength: shard.count - 64,
                                        payloadHash: shard.withUnsafeBytes { XXHash64.hash(UnsafeRawBufferPointer(rebasing: $0[64...])) })
            + shard[64...]
        var out = InteractionColumns()
        XCTAssertThrowsAccf(.dataError, "newer accf") { _ = try ShardFile.decode(Array(v2), path: "s", into: &out) }
    }

    func testDictionaryRoundTrip() throws {
        var interner = ByteInterner()
        for s in ["b", "ü😀", "", "a"] where !s.isEmpty { _ = Array(s.utf8).withUnsafeBufferPointer { interner.intern($0) } }
        let bytes = IdDictionaryFile.encode(interner, order: [2, 0, 1], kind: 1)
        XCTAssertEqual(try IdDictionaryFile.decode(bytes, path: "d", kind: 1), ["a", "b", "ü😀"])
        XCTAssertThrowsAccf(.dataError, "wrong kind") { _ = try IdDictionaryFile.decode(bytes, path: "d", kind: 0) }
    }
}
