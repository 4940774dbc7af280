import Core
import Foundation
import Ingest
import Train
import XCTest
@testable import Export

/// Export on real data (ml-100k from ../shared/data): external ids, exclusions, shards and merge.
final class ExportRealDataTests: XCTestCase {
    func realData(_ sub: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.deletingLastPathComponent().appendingPathComponent("shared/data/\(sub)").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("real data \(path) is not present (needs ../shared/data beside the package); skipping")
        }
        return path
    }

    func testMovieLens100kExportShardsMergeAndExclusions() throws {
        let input = try realData("ml-100k/ml-100k.inter.zst")
        let dir = makeTemporaryDirectory(self)
        var ingest = IngestConfig()
        ingest.format = .movielens
        ingest.inputs = [input]
        _ = try IngestStage.run(config: ingest, output: dir + "/ingest", logger: quietLogger)
        let dataset = try IngestedDataset.open(directory: dir + "/ingest")
        XCTAssertEqual(dataset.userCount, 943)
        XCTAssertEqual(dataset.itemCount, 1682)
        var rng = SeededGenerator(seed: 100)
        let dim = 16
        let model = FinalModel(modelName: "random", dim: dim,
                               userEmbeddings: (0..<dataset.userCount * dim).map { _ in rng.nextUnitFloat() - 0.5 },
                               itemEmbeddings: (0..<dataset.itemCount * dim).map { _ in rng.nextUnitFloat() - 0.5 },
                               datasetHash: dataset.contentHash)
        try model.write(to: dir + "/model.accfmodel")

        var config = ExportConfig()
        config.exclude = [.train, .valid]
        let single = try ExportStage.run(config: config, ingestDirectory: dir + "/ingest", modelPath: dir + "/model.accfmodel",
                                         destination: dir + "/single.sqlite", logger: quietLogger)
        XCTAssertEqual(single.recommendationRows, 943 * 20)
        var parts: [String] = []
        for i in 1...3 {
            var part = config
            part.shard = try ExportShard(index: i, count: 3)
            parts.append(dir + "/part-\(i).sqlite")
            _ = try ExportStage.run(config: part, ingestDirectory: dir + "/ingest", modelPath: dir + "/model.accfmodel",
                                    destination: parts.last!, logger: quietLogger)
        }
        _ = try ExportMerge.run(parts: parts.reversed(), destination: dir + "/merged.sqlite")
        XCTAssertEqual(try DumpedExport(path: dir + "/merged.sqlite"), try DumpedExport(path: dir + "/single.sqlite"))

        // No recommended (user, item) is a train or valid interaction, checked through external ids.
        let userIds = try dataset.userIds(), itemIds = try dataset.itemIds()
        var known = Set<String>()
        for split in [Split.train, .valid] {
            let c = try dataset.interactions(split)
            for (u, i) in zip(c.users, c.items) { known.insert(userIds[Int(u)] + "\t" + itemIds[Int(i)]) }
        }
        let db = try SQLiteDatabase(path: dir + "/merged.sqlite", mode: .readOnly)
        let rows = try db.rows("SELECT user_id, item_id FROM user_recommendations")
        XCTAssertEqual(rows.count, 943 * 20)
        XCTAssertFalse(rows.contains { known.contains($0[0]! + "\t" + $0[1]!) })
        try db.close()
    }
}
