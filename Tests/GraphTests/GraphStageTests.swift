import XCTest
import Core
import Foundation
import Ingest
import Logging
@testable import Graph

final class GraphStageTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "accf-graph-stage-\(UUID().uuidString)"
        try FilePath.createDirectories(dir)
    }

    override func tearDown() { FilePath.removeTree(dir) }

    /// A small ingested dataset (random split) made by the real ingest stage.
    private func ingested() throws -> String {
        var rng = SeededGenerator(seed: 5)
        var csv = "user_id,item_id\n"
        for u in 0..<60 {
            var items = Set<Int>()
            while items.count < 4 + rng.nextInt(below: 8) { items.insert(rng.nextInt(below: 45)) }
            for i in items.sorted() { csv += "u\(u),i\(i)\n" }
        }
        let input = dir + "/log.csv"
        try AtomicFileWriter.write(Array(csv.utf8), to: input)
        var config = IngestConfig()
        config.inputs = [input]
        config.format = .csv
        let output = dir + "/ingest"
        try IngestStage.run(config: config, output: output, logger: Logger(label: "test"))
        return output
    }

    func testBuildsFromTheTrainSplitOnly() throws {
        let input = try ingested()
        let output = dir + "/work/graph/graph.accfgraph"  // directory does not exist yet
        let report = try GraphStage.run(config: GraphConfig(), input: input, output: output, logger: Logger(label: "test"))
        let dataset = try IngestedDataset.open(directory: input)
        let train = try dataset.interactions(.train)
        let held = try dataset.interactions(.valid).count + dataset.interactions(.test).count
        XCTAssertGreaterThan(held, 0, "the fixture must have held-out interactions for this test to mean anything")

        let g = try GraphFile.read(path: output)
        XCTAssertEqual(g.nonzeroCount, 2 * train.count)
        XCTAssertEqual(g.datasetHash, dataset.contentHash)
        XCTAssertEqual(g.userCount, dataset.userCount)
        XCTAssertEqual(g.itemCount, dataset.itemCount)
        var edges = Set<UInt64>()
        for u in 0..<g.userCount {
            for k in g.rowPointers[u]..<g.rowPointers[u + 1] { edges.insert(UInt64(u) << 32 | UInt64(Int(g.columns[k]) - g.userCount)) }
        }
        let trainEdges = Set((0..<train.count).map { UInt64(train.users[$0]) << 32 | UInt64(train.items[$0]) })
        XCTAssertEqual(edges, trainEdges, "exactly the train interactions, no valid or test ones")

        XCTAssertEqual(report.nodes, g.nodeCount)
        XCTAssertEqual(report.edges, train.count)
        XCTAssertEqual(report.nonzeros, g.nonzeroCount)
        XCTAssertEqual(report.userDegrees, g.userDegrees)
        XCTAssertEqual(report.isolatedNodes, g.userDegrees.isolated + g.itemDegrees.isolated)
        XCTAssertEqual(report.fileBytes, FilePath.fileSize(output))
        XCTAssertEqual(report.contentHash, String(g.contentHash, radix: 16).leftPadded(16))
        XCTAssertTrue(report.text.contains("\(g.nodeCount)"))

        let json = try FilePath.readAll(dir + "/work/graph/graph.report.json")
        let decoded = try JSONDecoder().decode(GraphReport.self, from: Data(json))
        XCTAssertEqual(decoded.nonzeros, report.nonzeros)
        XCTAssertTrue(String(decoding: json, as: UTF8.self).contains("\"isolated_nodes\""))
        XCTAssertEqual(FilePath.list(dir + "/work/graph"), ["graph.accfgraph", "graph.report.json"])
    }

    func testSameInputGivesTheSameFileBytes() throws {
        let input = try ingested()
        var config = GraphConfig()
        config.writeReport = false
        try GraphStage.run(config: config, input: input, output: dir + "/a.accfgraph")
        try GraphStage.run(config: config, input: input, output: dir + "/b.accfgraph")
        XCTAssertEqual(try FilePath.readAll(dir + "/a.accfgraph"), try FilePath.readAll(dir + "/b.accfgraph"))
    }

    func testFailureLeavesThePreviousGraphIntact() throws {
        let output = dir + "/graph.accfgraph"
        try GraphStage.run(config: GraphConfig(), train: TestGraphs.handTrain, userCount: 3, itemCount: 4,
                           datasetHash: 1, source: "fixture", output: output)
        let before = try FilePath.readAll(output)
        var duplicated = TestGraphs.handTrain
        duplicated.users.append(0)
        duplicated.items.append(1)
        XCTAssertThrowsError(try GraphStage.run(config: GraphConfig(), train: duplicated, userCount: 3, itemCount: 4,
                                                datasetHash: 2, source: "fixture", output: output)) { error in
            XCTAssertEqual((error as? AccfError)?.status, .dataError)
            XCTAssertTrue("\(error)".contains("fixture"), "\(error)")
        }
        XCTAssertEqual(try FilePath.readAll(output), before)
    }

    func testMissingDatasetIsExit66() {
        XCTAssertThrowsError(try GraphStage.run(config: GraphConfig(), input: dir + "/nope", output: dir + "/g.accfgraph")) {
            XCTAssertEqual(($0 as? AccfError)?.status, .noInput, "\($0)")
        }
    }

    func testConfigDefaultsKeysAndValidation() throws {
        let empty = try JSONDecoder().decode(GraphConfig.self, from: Data("{}".utf8))
        XCTAssertEqual(empty, GraphConfig())
        let set = try JSONDecoder().decode(GraphConfig.self, from: Data(#"{"verify_after_write": false, "write_report": false}"#.utf8))
        XCTAssertFalse(set.verifyAfterWrite)
        XCTAssertFalse(set.writeReport)
        XCTAssertEqual(set.normalization, "symmetric")
        let encoded = String(decoding: try JSONEncoder().encode(GraphConfig()), as: UTF8.self)
        XCTAssertTrue(encoded.contains("verify_after_write"), encoded)
        var bad = GraphConfig()
        bad.normalization = "left"
        XCTAssertThrowsError(try bad.validate()) { error in
            XCTAssertEqual((error as? AccfError)?.status, .usage)
            XCTAssertTrue("\(error)".contains("normalization"))
        }
        XCTAssertThrowsError(try GraphStage.run(config: bad, train: TestGraphs.handTrain, userCount: 3, itemCount: 4,
                                                datasetHash: 0, source: "x", output: dir + "/g.accfgraph"))
        XCTAssertEqual(FilePath.list(dir), [], "a rejected config writes nothing")
    }

    func testReportPath() {
        XCTAssertEqual(GraphStage.reportPath(for: "w/graph/graph.accfgraph"), "w/graph/graph.report.json")
        XCTAssertEqual(GraphStage.reportPath(for: "g.bin"), "./g.bin.report.json")
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
