import XCTest
import Core
import Foundation
@testable import Graph

final class GraphFileTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "accf-graph-\(UUID().uuidString)"
        try FilePath.createDirectories(dir)
    }

    override func tearDown() { FilePath.removeTree(dir) }

    private func sample() throws -> NormalizedGraph {
        // Isolated user 3 and item 4, so empty rows are covered.
        let train = TestGraphs.randomTrain(users: 40, items: 30, density: 0.1, seed: 8)
        return try GraphBuilder.build(userCount: 41, itemCount: 31, train: train, datasetHash: 0xDA7A)
    }

    func testRoundTripIsExactAndMapped() throws {
        let g = try sample()
        let path = dir + "/graph.accfgraph"
        try GraphFile.write(g, to: path)
        XCTAssertEqual(FilePath.list(dir), ["graph.accfgraph"], "no temporary file left behind")
        let r = try GraphFile.read(path: path)
        XCTAssertEqual(r.userCount, 41)
        XCTAssertEqual(r.itemCount, 31)
        XCTAssertEqual(r.nonzeroCount, g.nonzeroCount)
        XCTAssertEqual(r.contentHash, g.contentHash)
        XCTAssertEqual(r.datasetHash, 0xDA7A)
        XCTAssertEqual(Array(r.rowPointers), Array(g.rowPointers))
        XCTAssertEqual(Array(r.columns), Array(g.columns))
        XCTAssertEqual(Array(r.values).map(\.bitPattern), Array(g.values).map(\.bitPattern))
        XCTAssertEqual(r.userDegrees, g.userDegrees)
        XCTAssertEqual(r.itemDegrees, g.itemDegrees)
        // The stored hash is the hash of the content (recomputing from the mapped arrays agrees).
        let copy = NormalizedGraph(userCount: 41, itemCount: 31, rowPointers: Array(r.rowPointers),
                                   columns: Array(r.columns), values: Array(r.values))
        XCTAssertEqual(copy.contentHash, r.contentHash)
        // Sections are 64-byte aligned inside the mapping (what the kernels want).
        r.columns.withUnsafeBufferPointer { XCTAssertEqual(Int(bitPattern: $0.baseAddress) % 64, 0) }
        r.values.withUnsafeBufferPointer { XCTAssertEqual(Int(bitPattern: $0.baseAddress) % 64, 0) }
        // A mapped graph multiplies like the built one.
        let x = TestGraphs.randomMatrix(count: g.nodeCount * 64, seed: 1)
        var a: [Float] = [], b: [Float] = []
        Propagation.multiply(g, x, dim: 64, into: &a)
        Propagation.multiply(r, x, dim: 64, into: &b)
        XCTAssertTrue(TestGraphs.sameBytes(a, b))
    }

    func testEmptyGraphRoundTrips() throws {
        let g = try GraphBuilder.build(userCount: 2, itemCount: 3, train: .init())
        let path = dir + "/empty.accfgraph"
        try GraphFile.write(g, to: path)
        let r = try GraphFile.read(path: path)
        XCTAssertEqual(r.nonzeroCount, 0)
        XCTAssertEqual(Array(r.rowPointers), [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(r.contentHash, g.contentHash)
    }

    func testEveryFlippedByteIsRejectedNamingTheFile() throws {
        let g = try GraphBuilder.build(userCount: 3, itemCount: 4, train: TestGraphs.handTrain)
        let path = dir + "/g.accfgraph"
        try GraphFile.write(g, to: path)
        let original = try FilePath.readAll(path)
        let damagedPath = dir + "/damaged.accfgraph"
        for i in stride(from: 0, to: original.count, by: 3) {
            var damaged = original
            damaged[i] ^= 0x41
            try Data(damaged).write(to: URL(fileURLWithPath: damagedPath))  // no fsync: fast
            XCTAssertThrowsError(try GraphFile.read(path: damagedPath), "flip at byte \(i)") { error in
                XCTAssertEqual((error as? AccfError)?.status, .dataError)
                XCTAssertTrue("\(error)".contains(damagedPath), "\(error)")
            }
        }
    }

    func testTruncatedFileIsRejected() throws {
        let g = try sample()
        let path = dir + "/g.accfgraph"
        try GraphFile.write(g, to: path)
        let original = try FilePath.readAll(path)
        let cut = dir + "/cut.accfgraph"
        for length in [0, 10, 63, 64, 100, 64 + 128, original.count / 2, original.count - 1] {
            try Data(original[0..<length]).write(to: URL(fileURLWithPath: cut))
            XCTAssertThrowsError(try GraphFile.read(path: cut), "truncated to \(length)") { error in
                XCTAssertEqual((error as? AccfError)?.status, .dataError)
                XCTAssertTrue("\(error)".contains(cut), "\(error)")
            }
        }
    }

    func testOtherVersionIsRejectedWithAdvice() throws {
        let path = dir + "/future.accfgraph"
        try ChecksummedFile.write(path: path, magic: GraphFile.magic, version: GraphFile.version + 1, payload: [UInt8](repeating: 0, count: 128))
        XCTAssertThrowsError(try GraphFile.read(path: path)) { error in
            XCTAssertEqual((error as? AccfError)?.status, .dataError)
            XCTAssertTrue("\(error)".contains(path))
            XCTAssertTrue("\(error)".contains("newer accf"), "\(error)")
        }
        try ChecksummedFile.write(path: path, magic: GraphFile.magic, version: 0, payload: [UInt8](repeating: 0, count: 128))
        XCTAssertThrowsError(try GraphFile.read(path: path)) { XCTAssertTrue("\($0)".contains("older accf"), "\($0)") }
    }

    func testWellFormedEnvelopeWithBadStructureIsRejected() throws {
        // A payload whose checksum is right but whose CSR is not (a writer bug, or a crafted
        // file) must still be refused before any kernel reads out of bounds.
        let g = try GraphBuilder.build(userCount: 3, itemCount: 4, train: TestGraphs.handTrain)
        let path = dir + "/g.accfgraph"
        try GraphFile.write(g, to: path)
        let payload = Array(try FilePath.readAll(path)[ChecksummedFile.headerSize...])
        let columnsOffset = GraphFile.Layout(nodeCount: 7, nonzeroCount: 12).columnOffset
        var badColumn = payload
        badColumn[columnsOffset] = 200  // column 200 ≥ 7 nodes
        try ChecksummedFile.write(path: path, magic: GraphFile.magic, version: GraphFile.version, payload: badColumn)
        XCTAssertThrowsError(try GraphFile.read(path: path)) { XCTAssertTrue("\($0)".contains("out of range"), "\($0)") }
        var badCount = payload
        badCount[0] = 4  // 4 users: the counts no longer match the layout
        try ChecksummedFile.write(path: path, magic: GraphFile.magic, version: GraphFile.version, payload: badCount)
        XCTAssertThrowsError(try GraphFile.read(path: path)) { XCTAssertTrue("\($0)".contains(path), "\($0)") }
    }

    func testMissingFileIsExit66AndWrongKindIsNamed() throws {
        XCTAssertThrowsError(try GraphFile.read(path: dir + "/nope.accfgraph")) {
            XCTAssertEqual(($0 as? AccfError)?.status, .noInput)
        }
        let path = dir + "/other.bin"
        try ChecksummedFile.write(path: path, magic: "ACCFMODL", version: 1, payload: [1, 2, 3])
        XCTAssertThrowsError(try GraphFile.read(path: path)) { XCTAssertTrue("\($0)".contains("not an accf graph file"), "\($0)") }
    }

    func testWriteIntoMissingDirectoryFailsWithoutLeavingFiles() throws {
        let g = try GraphBuilder.build(userCount: 3, itemCount: 4, train: TestGraphs.handTrain)
        XCTAssertThrowsError(try GraphFile.write(g, to: dir + "/missing/g.accfgraph")) {
            XCTAssertEqual(($0 as? AccfError)?.status, .cannotCreate)
        }
        XCTAssertEqual(FilePath.list(dir), [])
    }
}
