import XCTest
import Core
@testable import Graph

final class NormalizedGraphTests: XCTestCase {
    func testArraysViewsAndDegrees() throws {
        let g = try GraphBuilder.build(userCount: 3, itemCount: 4, train: TestGraphs.handTrain)
        XCTAssertEqual(g.rowPointers.count, 8)
        XCTAssertEqual(g.columns.count, 12)
        XCTAssertEqual((0..<7).map(g.degree(of:)), [2, 3, 1, 1, 2, 1, 2])
        XCTAssertEqual(g.columns.reduce(0) { $0 + Int($1) }, Array(g.columns).reduce(0) { $0 + Int($1) })
        g.values.withUnsafeBufferPointer { XCTAssertEqual($0.count, 12) }
        // A view keeps the storage alive after the graph itself is gone.
        var values: GraphArray<Float>?
        do {
            let temporary = try GraphBuilder.build(userCount: 3, itemCount: 4, train: TestGraphs.handTrain)
            values = temporary.values
        }
        XCTAssertEqual(values?[1], 0.5)
    }

    func testStructureIsValidatedOnConstruction() {
        let storage = GraphStorage(rowPointers: [0, 1, 2], columns: [1, 5], values: [1, 1])
        XCTAssertThrowsError(try NormalizedGraph(userCount: 1, itemCount: 1, storage: storage, contentHash: nil,
                                                 datasetHash: 0, file: "f")) {
            XCTAssertTrue("\($0)".contains("out of range"), "\($0)")
        }
        let decreasing = GraphStorage(rowPointers: [0, 2, 1], columns: [1, 0], values: [1, 1])
        XCTAssertThrowsError(try NormalizedGraph(userCount: 1, itemCount: 1, storage: decreasing, contentHash: nil,
                                                 datasetHash: 0, file: "f"))
        let short = GraphStorage(rowPointers: [0, 1], columns: [1], values: [1])
        XCTAssertThrowsError(try NormalizedGraph(userCount: 1, itemCount: 1, storage: short, contentHash: nil,
                                                 datasetHash: 0, file: "f"))
    }

    func testHugePageBufferIsAlignedAndZeroed() {
        let b = HugePageBuffer(count: 1000)
        XCTAssertEqual(Int(bitPattern: b.pointer) % HugePageBuffer.alignment, 0)
        XCTAssertTrue(UnsafeBufferPointer(start: b.pointer, count: 1000).allSatisfy { $0 == 0 })
    }
}
