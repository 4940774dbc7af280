import XCTest
import Core
import Graph
@testable import Train

final class AdversarialBPRTests: XCTestCase {
    let users = 5, items = 6, dim = 4, layers = 2

    /// L(Θ) = L_ibpr(PΘ) + λ L_ibpr(P(Θ + Δ)) with Δ fixed: the gradient is one propagation of the
    /// sum of both views' gradients (P linear and symmetric).
    func testAdversarialBPRGradientWithFixedDelta() {
        let train = ContrastiveFixture.interactions(users: users, items: items, perUser: 2, seed: 41)
        let graph = ContrastiveFixture.graph(users: users, items: items, train: train)
        let dense = ContrastiveFixture.denseLayerMean(graph, layers: layers)
        let theta = ContrastiveFixture.randomFloats(graph.nodeCount * dim, scale: 0.7, seed: 42)
        let t = ContrastiveFixture.triplets(users: users, items: items, count: 9, seed: 43)
        let w = ContrastiveFixture.randomFloats(9, scale: 0.5, seed: 44).map { 1 + $0 }
        let lambda: Float = 0.5, epsilon: Float = 0.3

        var e = [Float](repeating: 0, count: theta.count)
        Propagation.layerMean(graph, theta, dim: dim, layers: layers, into: &e, threads: 1)
        var gE = [Float](repeating: 0, count: e.count)
        WeightedBPR.lossAndGradient(embeddings: e, dim: dim, triplets: t, weights: w, scale: 1, gradient: &gE)
        var gTheta = [Float](repeating: 0, count: e.count)
        Propagation.layerMean(graph, gE, dim: dim, layers: layers, into: &gTheta, threads: 1)
        var rng = SeededGenerator(seed: 45)
        let delta = AdversarialPerturbation.delta(gradient: gTheta, dim: dim, epsilon: epsilon,
                                                  direction: .adversarial, relativeToRow: nil, generator: &rng)
        var pDelta = [Float](repeating: 0, count: e.count)
        Propagation.layerMean(graph, delta, dim: dim, layers: layers, into: &pDelta, threads: 1)
        let tilde = zip(e, pDelta).map { $0 + $1 }
        var total = [Float](repeating: 0, count: e.count)
        WeightedBPR.lossAndGradient(embeddings: e, dim: dim, triplets: t, weights: w, scale: 1, gradient: &total)
        WeightedBPR.lossAndGradient(embeddings: tilde, dim: dim, triplets: t, weights: w, scale: lambda, gradient: &total)
        var analytic = [Float](repeating: 0, count: e.count)
        Propagation.layerMean(graph, total, dim: dim, layers: layers, into: &analytic, threads: 1)

        let dw = w.map(Double.init), dDelta = delta.map(Double.init)
        let numeric = ContrastiveFixture.numericGradient(theta.map(Double.init)) { x in
            let clean = ContrastiveFixture.apply(dense, x, dim: dim)
            let adv = ContrastiveFixture.apply(dense, zip(x, dDelta).map { $0 + $1 }, dim: dim)
            return ContrastiveFixture.bpr(clean, dim: dim, t, weights: dw)
                + Double(lambda) * ContrastiveFixture.bpr(adv, dim: dim, t, weights: dw)
        }
        ContrastiveFixture.assertClose(analytic, numeric, "adversarial BPR ∂/∂E⁽⁰⁾ (fixed Δ)")

        // The adversarial direction raises the loss (first order): L(E + PΔ) > L(E).
        var scratch = [Float](repeating: 0, count: e.count)
        let before = WeightedBPR.lossAndGradient(embeddings: e, dim: dim, triplets: t, weights: w, scale: 0, gradient: &scratch).loss
        let after = WeightedBPR.lossAndGradient(embeddings: tilde, dim: dim, triplets: t, weights: w, scale: 0, gradient: &scratch).loss
        XCTAssertGreaterThan(after, before)
    }

    func testFastGradientRowsHaveNormEpsilonAndZeroRowsStayZero() {
        var g = ContrastiveFixture.randomFloats(6 * 8, scale: 1, seed: 46)
        for c in 0..<8 { g[2 * 8 + c] = 0 }
        var rng = SeededGenerator(seed: 47)
        let base = ContrastiveFixture.randomFloats(6 * 8, scale: 2, seed: 48)
        for direction in AdversarialPerturbation.Direction.allCases {
            for relative in [false, true] {
                let d = AdversarialPerturbation.delta(gradient: g, dim: 8, epsilon: 0.1, direction: direction,
                                                      relativeToRow: relative ? base : nil, generator: &rng)
                for r in 0..<6 {
                    let norm = AdversarialPerturbation.rowNorm(d, r * 8, 8)
                    let expected: Float = r == 2 ? 0 : 0.1 * (relative ? AdversarialPerturbation.rowNorm(base, r * 8, 8) : 1)
                    XCTAssertEqual(norm, expected, accuracy: 1e-5, "\(direction) relative \(relative) row \(r)")
                }
                if direction == .adversarial {
                    // Parallel to the gradient: Δₙ · Gₙ = ‖Δₙ‖‖Gₙ‖.
                    let r = 4
                    let dot = (0..<8).reduce(Float(0)) { $0 + d[r * 8 + $1] * g[r * 8 + $1] }
                    XCTAssertEqual(dot, AdversarialPerturbation.rowNorm(d, r * 8, 8) * AdversarialPerturbation.rowNorm(g, r * 8, 8), accuracy: 1e-5)
                }
            }
        }
    }
}
