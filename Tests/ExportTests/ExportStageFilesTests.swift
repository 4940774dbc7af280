import Core
import Ingest
import Train
import XCTest
@testable import Export

/// `ExportStage.run` on real files: an `accf ingest` output directory and a model file.
final class ExportStageFilesTests: XCTestCase {
    /// Ingests a small CSV and writes a model of matching shape; returns (ingest dir, model path, dataset).
    func makeInputs(_ dir: String, users: Int = 30, items: Int = 25) throws -> (String, String, IngestedDataset) {
        var csv = "user_id,item_id,ts\n"
        var rng = SeededGenerator(seed: 3)
        for u in 0..<users {
            for i in 0..<items where rng.nextInt(below: 3) == 0 || i == u % items { csv += "u\(u),i\(i),\(1000 + u * 31 + i)\n" }
        }
        try AtomicFileWriter.write(Array(csv.utf8), to: dir + "/log.csv")
        var config = IngestConfig()
        config.inputs = [dir + "/log.csv"]
        config.timestampColumn = .name("ts")
        _ = try IngestStage.run(config: config, output: dir + "/ingest", logger: quietLogger)
        let dataset = try IngestedDataset.open(directory: dir + "/ingest")
        let dim = 8
        let model = FinalModel(modelName: "lightgcn", dim: dim,
                               userEmbeddings: (0..<dataset.userCount * dim).map { _ in rng.nextUnitFloat() - 0.5 },
                               itemEmbeddings: (0..<dataset.itemCount * dim).map { _ in rng.nextUnitFloat() - 0.5 },
                               testMetrics: ["ndcg@20": 0.1], datasetHash: dataset.contentHash, graphHash: 7)
        try model.write(to: dir + "/model.accfmodel")
        return (dir + "/ingest", dir + "/model.accfmodel", dataset)
    }

    func testRunReadsIngestOutputAndModelAndUsesExternalIds() throws {
        let dir = makeTemporaryDirectory(self)
        let (ingest, model, dataset) = try makeInputs(dir)
        var config = ExportConfig()
        config.k = 5
        config.exclude = [.train, .valid]
        let report = try ExportStage.run(config: config, ingestDirectory: ingest, modelPath: model,
                                         destination: dir + "/export/recommendations.sqlite", logger: quietLogger)
        XCTAssertEqual(report.users, dataset.userCount)
        XCTAssertEqual(report.items, dataset.itemCount)
        let userIds = try dataset.userIds(), itemIds = try dataset.itemIds()
        let db = try SQLiteDatabase(path: dir + "/export/recommendations.sqlite", mode: .readOnly)
        XCTAssertEqual(try db.rows("SELECT external_id FROM users ORDER BY user_index").map { $0[0]! }, userIds)
        XCTAssertEqual(try db.rows("SELECT external_id FROM items ORDER BY item_index").map { $0[0]! }, itemIds)
        var known = Set<String>()
        for split in [Split.train, .valid] {
            let c = try dataset.interactions(split)
            for (u, i) in zip(c.users, c.items) { known.insert(userIds[Int(u)] + "|" + itemIds[Int(i)]) }
        }
        let view = try db.rows("SELECT user_id, item_id FROM user_recommendations")
        XCTAssertEqual(view.count, report.recommendationRows)
        for row in view { XCTAssertFalse(known.contains(row[0]! + "|" + row[1]!), "\(row) is a known interaction") }
        XCTAssertEqual(try db.rows("SELECT value FROM meta WHERE key = 'dataset_hash'")[0][0], ExportStage.hex(dataset.contentHash))
        try db.close()
        XCTAssertNoThrow(try ExportVerifier.verify(path: dir + "/export/recommendations.sqlite"))
    }

    func testMissingCorruptAndMismatchedModelFiles() throws {
        let dir = makeTemporaryDirectory(self)
        let (ingest, model, dataset) = try makeInputs(dir)
        let out = dir + "/rec.sqlite"
        assertThrowsAccfError(.noInput, mentioning: dir + "/none.accfmodel") {
            _ = try ExportStage.run(config: ExportConfig(), ingestDirectory: ingest, modelPath: dir + "/none.accfmodel", destination: out, logger: quietLogger)
        }
        assertThrowsAccfError(.noInput, mentioning: "accf ingest") {
            _ = try ExportStage.run(config: ExportConfig(), ingestDirectory: dir + "/no-ingest", modelPath: model, destination: out, logger: quietLogger)
        }
        var bytes = try FilePath.readAll(model)
        bytes[bytes.count - 3] ^= 0x40
        try AtomicFileWriter.write(bytes, to: dir + "/flipped.accfmodel")
        assertThrowsAccfError(.dataError, mentioning: dir + "/flipped.accfmodel") {
            _ = try ExportStage.run(config: ExportConfig(), ingestDirectory: ingest, modelPath: dir + "/flipped.accfmodel", destination: out, logger: quietLogger)
        }
        try AtomicFileWriter.write(Array(bytes[0..<100]), to: dir + "/short.accfmodel")
        assertThrowsAccfError(.dataError, mentioning: dir + "/short.accfmodel") {
            _ = try ExportStage.run(config: ExportConfig(), ingestDirectory: ingest, modelPath: dir + "/short.accfmodel", destination: out, logger: quietLogger)
        }
        // A model of another shape, and one of the same shape trained on other data.
        let other = FinalModel(modelName: "bprmf", dim: 4, userEmbeddings: [Float](repeating: 0.1, count: 4 * (dataset.userCount + 1)),
                               itemEmbeddings: [Float](repeating: 0.1, count: 4 * dataset.itemCount), datasetHash: dataset.contentHash)
        try other.write(to: dir + "/other.accfmodel")
        assertThrowsAccfError(.dataError, mentioning: "trained on") {
            _ = try ExportStage.run(config: ExportConfig(), ingestDirectory: ingest, modelPath: dir + "/other.accfmodel", destination: out, logger: quietLogger)
        }
        var same = try FinalModel.read(path: model)
        same.datasetHash ^= 1
        try same.write(to: dir + "/stale.accfmodel")
        assertThrowsAccfError(.dataError, mentioning: dir + "/stale.accfmodel") {
            _ = try ExportStage.run(config: ExportConfig(), ingestDirectory: ingest, modelPath: dir + "/stale.accfmodel", destination: out, logger: quietLogger)
        }
        XCTAssertFalse(FilePath.exists(out), "nothing is published for bad input")
    }
}
