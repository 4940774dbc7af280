import XCTest
import Core
@testable import Train

final class InfoNCETests: XCTestCase {
    let dim = 6, nodes = 9
    let rows = [0, 2, 3, 5, 8]

    func testGradientsOfBothViewsMatchDoubleFiniteDifferences() {
        let v1 = ContrastiveFixture.randomFloats(nodes * dim, scale: 1, seed: 1)
        let v2 = ContrastiveFixture.randomFloats(nodes * dim, scale: 1, seed: 2)
        let tau: Float = 0.2, scale: Float = 0.7
        var g1 = [Float](repeating: 0, count: v1.count), g2 = g1
        let loss = InfoNCE.lossAndGradient(view1: v1, view2: v2, dim: dim, rows: rows, temperature: tau,
                                           scale: scale, gradient1: &g1, gradient2: &g2)
        let d1 = v1.map(Double.init), d2 = v2.map(Double.init)
        let reference = ContrastiveFixture.infoNCE(d1, d2, dim: dim, rows: rows, tau: Double(tau))
        XCTAssertEqual(Double(loss), reference, accuracy: 1e-5)
        let n1 = ContrastiveFixture.numericGradient(d1) { x in
            Double(scale) * ContrastiveFixture.infoNCE(x, d2, dim: dim, rows: rows, tau: Double(tau))
        }
        let n2 = ContrastiveFixture.numericGradient(d2) { x in
            Double(scale) * ContrastiveFixture.infoNCE(d1, x, dim: dim, rows: rows, tau: Double(tau))
        }
        ContrastiveFixture.assertClose(g1, n1, "InfoNCE ∂/∂view1")
        ContrastiveFixture.assertClose(g2, n2, "InfoNCE ∂/∂view2")
        // Rows outside the anchor set receive nothing.
        for r in 0..<nodes where !rows.contains(r) {
            XCTAssertTrue(g1[(r * dim)..<(r * dim + dim)].allSatisfy { $0 == 0 })
        }
    }

    func testSameViewGradientAddsBothHalves() {
        // When both views are one table (v, v), ∂L/∂v = ∂/∂view1 + ∂/∂view2.
        let v = ContrastiveFixture.randomFloats(nodes * dim, scale: 1, seed: 3)
        var g1 = [Float](repeating: 0, count: v.count), g2 = g1
        InfoNCE.lossAndGradient(view1: v, view2: v, dim: dim, rows: rows, temperature: 0.5, scale: 1,
                                gradient1: &g1, gradient2: &g2)
        let d = v.map(Double.init)
        let numeric = ContrastiveFixture.numericGradient(d) { x in
            ContrastiveFixture.infoNCE(x, x, dim: dim, rows: rows, tau: 0.5)
        }
        ContrastiveFixture.assertClose(zip(g1, g2).map { $0 + $1 }, numeric, "InfoNCE shared view")
    }

    func testThreadCountDoesNotChangeBytes() {
        let v1 = ContrastiveFixture.randomFloats(40 * 64, scale: 1, seed: 4)
        let v2 = ContrastiveFixture.randomFloats(40 * 64, scale: 1, seed: 5)
        let many = Array(stride(from: 0, to: 40, by: 1))
        func run(_ threads: Int) -> (Float, [Float], [Float]) {
            var g1 = [Float](repeating: 0, count: v1.count), g2 = g1
            let l = InfoNCE.lossAndGradient(view1: v1, view2: v2, dim: 64, rows: many, temperature: 0.15,
                                            scale: 1, gradient1: &g1, gradient2: &g2, threads: threads)
            return (l, g1, g2)
        }
        let one = run(1), two = run(2)
        XCTAssertEqual(one.0, two.0)
        XCTAssertEqual(one.1, two.1)
        XCTAssertEqual(one.2, two.2)
    }

    func testIdenticalAlignedViewsWithSpreadRowsHaveLowLoss() {
        // Orthogonal rows, identical views: the positive dominates, loss ≈ log(1 + (m−1)e^{−1/τ}).
        let d = 4
        var v = [Float](repeating: 0, count: 4 * d)
        for r in 0..<4 { v[r * d + r] = 2 }
        var g1 = [Float](repeating: 0, count: v.count), g2 = g1
        let loss = InfoNCE.lossAndGradient(view1: v, view2: v, dim: d, rows: [0, 1, 2, 3], temperature: 0.1,
                                           scale: 1, gradient1: &g1, gradient2: &g2)
        XCTAssertEqual(Double(loss), log(1 + 3 * exp(-10.0)), accuracy: 1e-6)
    }
}
