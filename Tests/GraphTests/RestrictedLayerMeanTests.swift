import XCTest
import Core
import Ingest
@testable import Graph

/// The training fast paths of `Propagation.layerMean` (sparse input rows, wanted output rows)
/// must give the full call's bytes where they promise them.
final class RestrictedLayerMeanTests: XCTestCase {
    /// A random ascending, distinct subset of 0..<n with about `fraction` of the rows.
    static func randomRows(_ n: Int, fraction: Double, seed: UInt64) -> [Int] {
        var rng = SeededGenerator(seed: seed)
        return (0..<n).filter { _ in rng.nextUnitDouble() < fraction }
    }

    /// x with random rows on `rows` and exact zeros elsewhere (some entries −0 and 0 inside rows too).
    static func sparseInput(_ n: Int, dim: Int, rows: [Int], seed: UInt64) -> [Float] {
        let dense = TestGraphs.randomMatrix(count: n * dim, seed: seed)
        var x = [Float](repeating: 0, count: n * dim)
        for r in rows { for c in 0..<dim { x[r * dim + c] = dense[r * dim + c] } }
        if let r = rows.first { x[r * dim] = -0.0; if dim > 1 { x[r * dim + 1] = 0 } }
        return x
    }

    func testSparseInputRowsGiveTheFullBytes() throws {
        let train = TestGraphs.randomTrain(users: 300, items: 260, density: 0.04, seed: 21)
        let g = try GraphBuilder.build(userCount: 300, itemCount: 260, train: train)
        let workspace = PropagationWorkspace()
        for (dim, layers) in [(64, 1), (64, 2), (64, 3), (64, 4), (19, 3), (8, 2), (130, 3)] {
            for fraction in [0.0, 0.02, 0.3, 1.0] {
                let rows = Self.randomRows(g.nodeCount, fraction: fraction, seed: UInt64(dim + layers))
                let x = Self.sparseInput(g.nodeCount, dim: dim, rows: rows, seed: UInt64(dim * 7 + layers))
                var full: [Float] = []
                Propagation.layerMean(g, x, dim: dim, layers: layers, into: &full, threads: 1)
                for threads in [1, 2, 3] {
                    var fast: [Float] = [Float](repeating: .nan, count: x.count)
                    Propagation.layerMean(g, x, dim: dim, layers: layers, into: &fast, inputRows: rows, outputRows: nil,
                                          threads: threads, workspace: workspace)
                    XCTAssertTrue(TestGraphs.sameBytes(full, fast), "dim \(dim) layers \(layers) fraction \(fraction) threads \(threads)")
                }
            }
        }
    }

    func testOutputRowsGiveTheFullBytesOnThoseRows() throws {
        let train = TestGraphs.randomTrain(users: 300, items: 260, density: 0.04, seed: 22)
        let g = try GraphBuilder.build(userCount: 300, itemCount: 260, train: train)
        let workspace = PropagationWorkspace()
        for (dim, layers) in [(64, 0), (64, 1), (64, 3), (19, 2), (130, 3)] {
            let x = TestGraphs.randomMatrix(count: g.nodeCount * dim, seed: UInt64(dim + 100 * layers))
            var full: [Float] = []
            Propagation.layerMean(g, x, dim: dim, layers: layers, into: &full, threads: 1)
            for fraction in [0.0, 0.05, 0.5, 1.0] {
                let rows = Self.randomRows(g.nodeCount, fraction: fraction, seed: UInt64(dim * 3 + layers))
                for threads in [1, 2] {
                    var fast: [Float] = []
                    Propagation.layerMean(g, x, dim: dim, layers: layers, into: &fast, inputRows: nil, outputRows: rows,
                                          threads: threads, workspace: workspace)
                    let same = rows.allSatisfy { r in
                        (0..<dim).allSatisfy { full[r * dim + $0].bitPattern == fast[r * dim + $0].bitPattern }
                    }
                    XCTAssertTrue(same, "dim \(dim) layers \(layers) fraction \(fraction) threads \(threads)")
                }
            }
        }
    }

    func testBothRestrictionsTogether() throws {
        let train = TestGraphs.randomTrain(users: 120, items: 90, density: 0.08, seed: 23)
        let g = try GraphBuilder.build(userCount: 120, itemCount: 90, train: train)
        let dim = 64
        let inRows = Self.randomRows(g.nodeCount, fraction: 0.1, seed: 1)
        let outRows = Self.randomRows(g.nodeCount, fraction: 0.2, seed: 2)
        let x = Self.sparseInput(g.nodeCount, dim: dim, rows: inRows, seed: 3)
        for layers in [1, 2, 3] {
            var full: [Float] = [], fast: [Float] = []
            Propagation.layerMean(g, x, dim: dim, layers: layers, into: &full, threads: 1)
            Propagation.layerMean(g, x, dim: dim, layers: layers, into: &fast, inputRows: inRows, outputRows: outRows, threads: 2)
            XCTAssertTrue(outRows.allSatisfy { r in (0..<dim).allSatisfy { full[r * dim + $0].bitPattern == fast[r * dim + $0].bitPattern } },
                          "layers \(layers)")
        }
    }
}
