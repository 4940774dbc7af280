import XCTest
import Core
import Ingest
@testable import Graph

final class GraphBuilderTests: XCTestCase {
    func testHandComputedExample() throws {
        let g = try GraphBuilder.build(userCount: 3, itemCount: 4, train: TestGraphs.handTrain)
        XCTAssertEqual(g.nodeCount, 7)
        XCTAssertEqual(g.nonzeroCount, 12)
        XCTAssertEqual(g.edgeCount, 6)
        // Nodes u0 u1 u2 i0..i3 = 0..6; degrees 2 3 1 | 1 2 1 2.
        XCTAssertEqual(Array(g.rowPointers), [0, 2, 5, 6, 7, 9, 10, 12])
        XCTAssertEqual(Array(g.columns), [3, 4, 4, 5, 6, 6, 0, 0, 1, 1, 1, 2])
        // 1/√(2·1), 1/√(2·2) | 1/√(3·2), 1/√(3·1), 1/√(3·2) | 1/√(1·2) | then the transposes.
        let expected: [Float] = [0.7071068, 0.5, 0.4082483, 0.5773503, 0.4082483, 0.7071068,
                                 0.7071068, 0.5, 0.4082483, 0.5773503, 0.4082483, 0.7071068]
        for k in 0..<12 { XCTAssertEqual(g.values[k], expected[k], accuracy: 1e-6, "nonzero \(k)") }
        XCTAssertEqual(g.userDegrees, DegreeSummary(nodes: 3, min: 1, median: 2, max: 3, isolated: 0))
        XCTAssertEqual(g.itemDegrees, DegreeSummary(nodes: 4, min: 1, median: 1, max: 2, isolated: 0))
    }

    func testSymmetricBitForBit() throws {
        let train = TestGraphs.randomTrain(users: 50, items: 70, density: 0.08, seed: 21)
        let g = try GraphBuilder.build(userCount: 50, itemCount: 70, train: train)
        for r in 0..<g.nodeCount {
            for k in g.rowPointers[r]..<g.rowPointers[r + 1] {
                let c = Int(g.columns[k])
                let back = (g.rowPointers[c]..<g.rowPointers[c + 1]).filter { Int(g.columns[$0]) == r }
                XCTAssertEqual(back.count, 1, "(\(r), \(c)) has exactly one transpose entry")
                XCTAssertEqual(g.values[back[0]].bitPattern, g.values[k].bitPattern)
                XCTAssertTrue((r < 50) != (c < 50), "bipartite: no user-user or item-item entries")
            }
        }
    }

    func testValuesAndRowSumsMatchDenseReference() throws {
        for seed in 1...5 as ClosedRange<UInt64> {
            let users = 5 + Int(seed) * 3, items = 7 + Int(seed) * 2
            let train = TestGraphs.randomTrain(users: users, items: items, density: 0.05 * Double(seed), seed: seed)
            let g = try GraphBuilder.build(userCount: users, itemCount: items, train: train)
            let reference = TestGraphs.denseNormalized(users: users, items: items, train: train)
            let ours = TestGraphs.dense(g)
            let n = users + items
            for r in 0..<n {
                var sum = 0.0, refSum = 0.0
                for c in 0..<n {
                    XCTAssertEqual(ours[r * n + c], reference[r * n + c], accuracy: 1e-7)
                    sum += ours[r * n + c]
                    refSum += reference[r * n + c]
                }
                XCTAssertEqual(sum, refSum, accuracy: 1e-6, "row sum \(r), seed \(seed)")
            }
        }
    }

    func testIsolatedNodesHaveEmptyRows() throws {
        // User 3 and item 4 have no train interaction.
        let g = try GraphBuilder.build(userCount: 4, itemCount: 5, train: TestGraphs.handTrain)
        XCTAssertEqual(g.degree(of: 3), 0)
        XCTAssertEqual(g.degree(of: 4 + 4), 0)
        XCTAssertEqual(g.userDegrees.isolated, 1)
        XCTAssertEqual(g.itemDegrees.isolated, 1)
        XCTAssertEqual(g.allDegrees, DegreeSummary(nodes: 9, min: 0, median: 1, max: 3, isolated: 2))
    }

    func testAnyInputOrderGivesTheSameGraph() throws {
        let train = TestGraphs.randomTrain(users: 30, items: 40, density: 0.1, seed: 3)
        var order = Array(0..<train.count)
        var rng = SeededGenerator(seed: 99)
        rng.shuffle(&order)
        let shuffled = InteractionColumns(users: order.map { train.users[$0] }, items: order.map { train.items[$0] })
        let a = try GraphBuilder.build(userCount: 30, itemCount: 40, train: train)
        let b = try GraphBuilder.build(userCount: 30, itemCount: 40, train: shuffled)
        XCTAssertEqual(Array(a.rowPointers), Array(b.rowPointers))
        XCTAssertEqual(Array(a.columns), Array(b.columns))
        XCTAssertEqual(Array(a.values), Array(b.values))
        XCTAssertEqual(a.contentHash, b.contentHash)
    }

    func testContentHashIdentifiesTheGraph() throws {
        let a = try GraphBuilder.build(userCount: 3, itemCount: 4, train: TestGraphs.handTrain)
        let b = try GraphBuilder.build(userCount: 3, itemCount: 4, train: TestGraphs.handTrain)
        XCTAssertEqual(a.contentHash, b.contentHash)
        var fewer = TestGraphs.handTrain
        fewer.users.removeLast()
        fewer.items.removeLast()
        XCTAssertNotEqual(try GraphBuilder.build(userCount: 3, itemCount: 4, train: fewer).contentHash, a.contentHash)
        XCTAssertNotEqual(try GraphBuilder.build(userCount: 3, itemCount: 5, train: TestGraphs.handTrain).contentHash, a.contentHash)
        let copy = NormalizedGraph(userCount: 3, itemCount: 4, rowPointers: Array(a.rowPointers),
                                   columns: Array(a.columns), values: Array(a.values))
        XCTAssertEqual(copy.contentHash, a.contentHash, "the hash depends on content only")
    }

    func testDuplicateEdgeIsRejected() {
        var train = TestGraphs.handTrain
        train.users.append(1)
        train.items.append(2)
        XCTAssertThrowsError(try GraphBuilder.build(userCount: 3, itemCount: 4, train: train, source: "ingest/train")) { error in
            let e = error as? AccfError
            XCTAssertEqual(e?.status, .dataError)
            XCTAssertTrue("\(error)".contains("duplicate interaction (user 1, item 2)"), "\(error)")
            XCTAssertTrue("\(error)".contains("ingest/train"), "\(error)")
        }
    }

    func testOutOfRangeIndexIsRejected() {
        XCTAssertThrowsError(try GraphBuilder.build(userCount: 2, itemCount: 4, train: TestGraphs.handTrain)) { error in
            XCTAssertEqual((error as? AccfError)?.status, .dataError)
            XCTAssertTrue("\(error)".contains("out of range"), "\(error)")
        }
        XCTAssertThrowsError(try GraphBuilder.build(userCount: 3, itemCount: 3, train: TestGraphs.handTrain))
    }
}
