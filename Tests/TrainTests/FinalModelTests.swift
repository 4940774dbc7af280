import XCTest
import Core
@testable import Train

final class FinalModelTests: XCTestCase {
    func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "accf-finalmodel-\(UUID().uuidString)"
        try FilePath.createDirectories(dir)
        addTeardownBlock { FilePath.removeTree(dir) }
        return dir
    }

    func sample() -> FinalModel {
        FinalModel(modelName: "lightgcn", dim: 2, userEmbeddings: [1, 2, 3, 4], itemEmbeddings: [5, 6, 7, 8, 9, 10],
                   hyperparameters: ["layers": "3", "lr": "0.001"], testMetrics: ["ndcg@20": 0.25, "recall@20": 0.3],
                   datasetHash: 42, graphHash: 43)
    }

    func testRoundTrip() throws {
        let path = try temporaryDirectory() + "/model.accfmodel"
        try sample().write(to: path)
        let back = try FinalModel.read(path: path)
        XCTAssertEqual(back, sample())
        XCTAssertEqual(back.contentHash, sample().contentHash)
        XCTAssertEqual(back.userCount, 2)
        XCTAssertEqual(back.itemCount, 3)
    }

    func testRejectsCorruptionTruncationAndOtherVersion() throws {
        let path = try temporaryDirectory() + "/model.accfmodel"
        try sample().write(to: path)
        let good = try FilePath.readAll(path)
        var flipped = good
        flipped[good.count - 3] ^= 0x40
        try AtomicFileWriter.write(flipped, to: path)
        XCTAssertThrowsError(try FinalModel.read(path: path)) { XCTAssertTrue("\($0)".contains("checksum")) }
        try AtomicFileWriter.write(Array(good.prefix(good.count - 5)), to: path)
        XCTAssertThrowsError(try FinalModel.read(path: path)) { XCTAssertTrue("\($0)".contains(path)) }
        try ChecksummedFile.write(path: path, magic: FinalModel.magic, version: 99, payload: sample().payload())
        XCTAssertThrowsError(try FinalModel.read(path: path)) { XCTAssertTrue("\($0)".contains("version 99")) }
        XCTAssertThrowsError(try FinalModel.read(path: path + ".missing")) {
            XCTAssertEqual(($0 as? AccfError)?.status, .noInput)
        }
    }
}
