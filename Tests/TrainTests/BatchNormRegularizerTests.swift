import XCTest
@testable import Train

final class BatchNormRegularizerTests: XCTestCase {
    func testGradientMatchesFiniteDifferencesWithDuplicateRows() {
        let dim = 3
        let e = ContrastiveFixture.randomFloats(6 * dim, scale: 1, seed: 61)
        let rows = [0, 2, 2, 5, 1]
        var g = [Float](repeating: 0, count: e.count)
        let loss = BatchNormRegularizer.lossAndGradient(embeddings: e, dim: dim, rows: rows, reg: 0.3, gradient: &g)
        func reference(_ x: [Double]) -> Double {
            var sq = 0.0
            for r in rows { for c in 0..<dim { sq += x[r * dim + c] * x[r * dim + c] } }
            return 0.3 * sq.squareRoot() / Double(rows.count)
        }
        let d = e.map(Double.init)
        XCTAssertEqual(Double(loss), reference(d), accuracy: 1e-6)
        ContrastiveFixture.assertClose(g, ContrastiveFixture.numericGradient(d, reference), "batch-norm regularizer")
    }
}
