import XCTest
import Core
@testable import Train

final class WeightedBPRTests: XCTestCase {
    let dim = 5, users = 4, items = 6

    func testEmbeddingGradientHoldsWeightsConstant() {
        let e = ContrastiveFixture.randomFloats((users + items) * dim, scale: 0.8, seed: 11)
        let t = ContrastiveFixture.triplets(users: users, items: items, count: 9, seed: 12)
        let w = ContrastiveFixture.randomFloats(9, scale: 1, seed: 13).map { 1.2 + $0 }
        var g = [Float](repeating: 0, count: e.count)
        let result = WeightedBPR.lossAndGradient(embeddings: e, dim: dim, triplets: t, weights: w, scale: 1.5, gradient: &g)
        let de = e.map(Double.init), dw = w.map(Double.init)
        XCTAssertEqual(Double(result.loss), ContrastiveFixture.bpr(de, dim: dim, t, weights: dw), accuracy: 1e-6)
        let numeric = ContrastiveFixture.numericGradient(de) { 1.5 * ContrastiveFixture.bpr($0, dim: dim, t, weights: dw) }
        ContrastiveFixture.assertClose(g, numeric, "weighted BPR ∂/∂E")
    }

    func testWeightGradient() {
        let e = ContrastiveFixture.randomFloats((users + items) * dim, scale: 0.8, seed: 14)
        let t = ContrastiveFixture.triplets(users: users, items: items, count: 7, seed: 15)
        let w = ContrastiveFixture.randomFloats(7, scale: 0.5, seed: 16).map { 1 + $0 }
        var g = [Float](repeating: 0, count: e.count)
        let result = WeightedBPR.lossAndGradient(embeddings: e, dim: dim, triplets: t, weights: w, scale: 1, gradient: &g)
        let analytic = WeightedBPR.weightGradient(tripletLosses: result.tripletLosses, weights: w)
        let de = e.map(Double.init)
        let numeric = ContrastiveFixture.numericGradient(w.map(Double.init)) { ContrastiveFixture.bpr(de, dim: dim, t, weights: $0) }
        ContrastiveFixture.assertClose(analytic, numeric, "weighted BPR ∂/∂δ")
        // Scale invariance: Σ δₖ ∂L/∂δₖ = 0.
        XCTAssertEqual(zip(analytic, w).reduce(Float(0)) { $0 + $1.0 * $1.1 }, 0, accuracy: 1e-6)
    }

    func testUniformWeightsEqualPlainMean() {
        let e = ContrastiveFixture.randomFloats((users + items) * dim, scale: 0.8, seed: 17)
        let t = ContrastiveFixture.triplets(users: users, items: items, count: 6, seed: 18)
        var g1 = [Float](repeating: 0, count: e.count), g2 = g1
        let plain = WeightedBPR.lossAndGradient(embeddings: e, dim: dim, triplets: t, weights: nil, scale: 1, gradient: &g1)
        let ones = WeightedBPR.lossAndGradient(embeddings: e, dim: dim, triplets: t, weights: [Float](repeating: 3, count: 6), scale: 1, gradient: &g2)
        XCTAssertEqual(plain.loss, ones.loss, accuracy: 1e-6)
        for k in g1.indices { XCTAssertEqual(g1[k], g2[k], accuracy: 1e-6) }
        XCTAssertEqual(Double(plain.loss), ContrastiveFixture.bpr(e.map(Double.init), dim: dim, t, weights: nil), accuracy: 1e-6)
    }
}
