import XCTest
import Core
import Graph
@testable import Train

final class HypergradientTests: XCTestCase {
    let users = 5, items = 7, dim = 4, hidden = 3, layers = 2

    /// Double ∂(weighted BPR)/∂E.
    static func bprGradient(_ e: [Double], dim: Int, _ t: NodeTriplets, weights w: [Double]) -> [Double] {
        var g = [Double](repeating: 0, count: e.count)
        let s = w.reduce(0, +)
        for k in 0..<t.count {
            let u = t.users[k] * dim, i = t.positives[k] * dim, j = t.negatives[k] * dim
            var x = 0.0
            for c in 0..<dim { x += e[u + c] * (e[i + c] - e[j + c]) }
            let dx = -w[k] / s / (1 + Foundation.exp(x))
            for c in 0..<dim {
                g[u + c] += dx * (e[i + c] - e[j + c])
                g[i + c] += dx * e[u + c]
                g[j + c] -= dx * e[u + c]
            }
        }
        return g
    }

    func check(bounding: WeightBounding, stepSize: Float, file: StaticString = #filePath, line: UInt = #line) {
        let train = ContrastiveFixture.interactions(users: users, items: items, perUser: 2, seed: 31)
        let graph = ContrastiveFixture.graph(users: users, items: items, train: train)
        let dense = ContrastiveFixture.denseLayerMean(graph, layers: layers)
        let theta = ContrastiveFixture.randomFloats(graph.nodeCount * dim, scale: 0.7, seed: 32)
        let t = ContrastiveFixture.triplets(users: users, items: items, count: 10, seed: 33)
        let val = ContrastiveFixture.triplets(users: users, items: items, count: 6, seed: 34)
        let params = ContrastiveFixture.randomFloats(hidden * 5 * dim + 2 * hidden + 1, scale: 0.8, seed: 35)
        let net = InstanceWeightNetwork(dim: dim, hidden: hidden, parameters: params)

        // Analytic, the way the model computes it (Float, sparse propagation).
        var e = [Float](repeating: 0, count: theta.count)
        Propagation.layerMean(graph, theta, dim: dim, layers: layers, into: &e, threads: 1)
        let act = net.forward(embeddings: e, triplets: t)
        let weights = bounding.apply(act.weights)
        var gE = [Float](repeating: 0, count: e.count)
        let inner = WeightedBPR.lossAndGradient(embeddings: e, dim: dim, triplets: t, weights: weights, scale: 1, gradient: &gE)
        var gTheta = [Float](repeating: 0, count: e.count)
        Propagation.layerMean(graph, gE, dim: dim, layers: layers, into: &gTheta, threads: 1)
        let outer = Hypergradient.lookahead(graph: graph, layers: layers, dim: dim, threads: 1, initial: theta,
                                            propagated: e, trainingGradient: gTheta, triplets: t,
                                            slopes: inner.slopes, weights: weights, validation: val, stepSize: stepSize)
        let analytic = net.backward(act, weightGradient: bounding.backward(raw: act.weights, gradient: outer.weightGradient))

        // Reference: L_val(Θ − α ∇_Θ L_ibpr(Θ; δ(Λ))) in Double with a dense P, differentiated numerically in Λ.
        let dTheta = theta.map(Double.init)
        let dE = ContrastiveFixture.apply(dense, dTheta, dim: dim)
        func lookaheadLoss(_ p: [Double]) -> Double {
            var w = InstanceWeightNetworkTests.referenceWeights(p, dim: dim, hidden: hidden, dE, t)
            if case .meanOneClipped(let clip) = bounding {
                let mean = w.reduce(0, +) / Double(w.count)
                w = w.map { min($0 / mean, Double(clip)) }
            }
            let g = ContrastiveFixture.apply(dense, Self.bprGradient(dE, dim: dim, t, weights: w), dim: dim)
            let moved = zip(dTheta, g).map { $0 - Double(stepSize) * $1 }
            return ContrastiveFixture.bpr(ContrastiveFixture.apply(dense, moved, dim: dim), dim: dim, val, weights: nil)
        }
        XCTAssertEqual(Double(outer.validationLoss), lookaheadLoss(params.map(Double.init)), accuracy: 1e-5, file: file, line: line)
        let numeric = ContrastiveFixture.numericGradient(params.map(Double.init), step: 1e-4, lookaheadLoss)
        ContrastiveFixture.assertClose(analytic, numeric, "lookahead hypergradient ∂L_val/∂Λ (\(bounding), α \(stepSize))",
                                       file: file, line: line)
    }

    func testExactLookaheadHypergradientUnbounded() { check(bounding: .none, stepSize: 0.5) }
    func testExactLookaheadHypergradientLargeStep() { check(bounding: .none, stepSize: 3) }
    func testExactLookaheadHypergradientBounded() { check(bounding: .meanOneClipped(clip: 1.3), stepSize: 1) }

    func testWeightGradientIsOrthogonalToWeights() {
        // L_val(Θ′) depends on δ only through δ/Σδ: Σ δₖ ∂/∂δₖ = 0.
        let c: [Float] = [0.3, -0.1, 0.7, 0.2], w: [Float] = [1, 2, 0.5, 1.5]
        let g = Hypergradient.weightGradient(alignments: c, weights: w, stepSize: 0.1)
        XCTAssertEqual(zip(g, w).reduce(Float(0)) { $0 + $1.0 * $1.1 }, 0, accuracy: 1e-7)
        XCTAssertLessThan(g[2], 0) // the best-aligned triplet gets more weight (descent lowers L_val)
    }
}
