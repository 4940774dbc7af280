import XCTest
import Core
import Graph
import Ingest
@testable import Train

final class NoisyPropagationTests: XCTestCase {
    func testUniformSignNoiseHasNormEpsilonAndKeepsSigns() {
        var h = ContrastiveFixture.randomFloats(10 * 16, scale: 1, seed: 51)
        for c in 0..<16 { h[3 * 16 + c] = 0 }
        let before = h
        var rng = SeededGenerator(seed: 52)
        UniformSignNoise.add(to: &h, dim: 16, epsilon: 0.2, generator: &rng)
        for r in 0..<10 {
            let noise = (0..<16).map { h[r * 16 + $0] - before[r * 16 + $0] }
            let norm = noise.reduce(0) { $0 + $1 * $1 }.squareRoot()
            XCTAssertEqual(norm, r == 3 ? 0 : 0.2, accuracy: 1e-5)
            for c in 0..<16 { XCTAssertTrue(noise[c] * before[r * 16 + c] >= 0) }
        }
    }

    /// The encoder is affine in E⁽⁰⁾ (noise is a constant), so the backward pass must be the exact
    /// adjoint of the clean forward: ⟨R₁, final(x)⟩ + ⟨R₂, layer_l*(x)⟩ = ⟨backward(R₁, R₂), x⟩;
    /// and the noisy forward differs from the clean one by an x-independent constant.
    func testBackwardIsAdjointOfForward() {
        let users = 6, items = 8, dim = 5
        let train = ContrastiveFixture.interactions(users: users, items: items, perUser: 2, seed: 53)
        let graph = ContrastiveFixture.graph(users: users, items: items, train: train)
        let n = graph.nodeCount * dim
        let x = ContrastiveFixture.randomFloats(n, scale: 1, seed: 54)
        let r1 = ContrastiveFixture.randomFloats(n, scale: 1, seed: 55), r2 = ContrastiveFixture.randomFloats(n, scale: 1, seed: 56)
        for (layers, star) in [(1, 1), (2, 1), (3, 2), (3, 3)] {
            var rng = SeededGenerator(seed: 57)
            let clean = NoisyPropagation.forward(graph: graph, initial: x, dim: dim, layers: layers, epsilon: 0,
                                                 contrastLayer: star, generator: &rng, threads: 1)
            let back = NoisyPropagation.backward(graph: graph, finalGradient: r1, contrastGradient: r2, count: n,
                                                 dim: dim, layers: layers, contrastLayer: star, threads: 1)
            var lhs = 0.0, rhs = 0.0
            for k in 0..<n {
                lhs += Double(r1[k]) * Double(clean.final[k]) + Double(r2[k]) * Double(clean.contrastLayer[k])
                rhs += Double(back[k]) * Double(x[k])
            }
            XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * max(1, abs(lhs)), "layers \(layers), l* \(star)")
            // Layer mean without layer 0 for L = 1: final = Â x.
            if layers == 1 {
                var ax = [Float](repeating: 0, count: n)
                Propagation.multiply(graph, x, dim: dim, into: &ax, threads: 1)
                for k in 0..<n { XCTAssertEqual(clean.final[k], ax[k], accuracy: 1e-6) }
            }
        }
    }

    func testEdgeDropoutKeepsAboutOneMinusRhoDeterministically() {
        let train = ContrastiveFixture.interactions(users: 200, items: 50, perUser: 10, seed: 58)
        var a = SeededGenerator(seed: 59), b = SeededGenerator(seed: 59)
        let kept = EdgeDropout.keep(train, dropRate: 0.1, generator: &a)
        XCTAssertEqual(kept, EdgeDropout.keep(train, dropRate: 0.1, generator: &b))
        let fraction = Double(kept.count) / Double(train.count)
        XCTAssertEqual(fraction, 0.9, accuracy: 0.03)
        XCTAssertEqual(EdgeDropout.keep(train, dropRate: 0, generator: &a).count, train.count)
    }
}
