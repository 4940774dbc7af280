import XCTest
import Core
@testable import Train

final class InstanceWeightNetworkTests: XCTestCase {
    let dim = 4, hidden = 5, users = 4, items = 5

    /// δ per triplet from Double parameters (independent naive forward).
    static func referenceWeights(_ p: [Double], dim: Int, hidden: Int, _ e: [Double], _ t: NodeTriplets) -> [Double] {
        let f = 5 * dim
        return (0..<t.count).map { k in
            var x = [Double]()
            let u = t.users[k] * dim, i = t.positives[k] * dim, j = t.negatives[k] * dim
            x += e[u..<(u + dim)]; x += e[i..<(i + dim)]; x += e[j..<(j + dim)]
            x += (0..<dim).map { e[u + $0] * e[i + $0] }
            x += (0..<dim).map { e[u + $0] * e[j + $0] }
            var out = p[hidden * f + 2 * hidden]
            for r in 0..<hidden {
                var z = p[hidden * f + r]
                for c in 0..<f { z += p[r * f + c] * x[c] }
                out += p[hidden * f + hidden + r] * max(z, 0)
            }
            return ContrastiveFixture.softplus(out)
        }
    }

    func testInitialWeightsAreUniform() {
        var rng = SeededGenerator(seed: 21)
        let net = InstanceWeightNetwork(dim: dim, hidden: hidden, generator: &rng)
        let e = ContrastiveFixture.randomFloats((users + items) * dim, scale: 1, seed: 22)
        let t = ContrastiveFixture.triplets(users: users, items: items, count: 8, seed: 23)
        for w in net.forward(embeddings: e, triplets: t).weights { XCTAssertEqual(w, 1, accuracy: 1e-6) }
        XCTAssertEqual(net.parameterCount, hidden * 5 * dim + 2 * hidden + 1)
    }

    func testBackwardMatchesFiniteDifferences() {
        let params = ContrastiveFixture.randomFloats(hidden * 5 * dim + 2 * hidden + 1, scale: 0.6, seed: 24)
        let net = InstanceWeightNetwork(dim: dim, hidden: hidden, parameters: params)
        let e = ContrastiveFixture.randomFloats((users + items) * dim, scale: 1, seed: 25)
        let t = ContrastiveFixture.triplets(users: users, items: items, count: 8, seed: 26)
        let upstream = ContrastiveFixture.randomFloats(8, scale: 1, seed: 27)
        let act = net.forward(embeddings: e, triplets: t, threads: 2)
        let de = e.map(Double.init)
        let reference = Self.referenceWeights(params.map(Double.init), dim: dim, hidden: hidden, de, t)
        for k in 0..<8 { XCTAssertEqual(Double(act.weights[k]), reference[k], accuracy: 1e-5) }
        let analytic = net.backward(act, weightGradient: upstream)
        let numeric = ContrastiveFixture.numericGradient(params.map(Double.init)) { p in
            zip(Self.referenceWeights(p, dim: dim, hidden: hidden, de, t), upstream).reduce(0) { $0 + $1.0 * Double($1.1) }
        }
        ContrastiveFixture.assertClose(analytic, numeric, "instance-weight MLP ∂/∂parameters")
    }

    func testBoundingBackwardMatchesFiniteDifferences() {
        let raw: [Float] = [0.2, 1.5, 0.7, 6.0, 0.9, 1.1]
        let upstream: [Float] = [0.3, -1.2, 0.5, 0.8, -0.4, 0.9]
        let bounding = WeightBounding.meanOneClipped(clip: 3)
        let bounded = bounding.apply(raw)
        XCTAssertEqual(bounded[3], 3) // 6 / mean(1.733) = 3.46 → clipped
        XCTAssertLessThanOrEqual(bounded.max()!, 3)
        let analytic = bounding.backward(raw: raw, gradient: upstream)
        let numeric = ContrastiveFixture.numericGradient(raw.map(Double.init)) { r in
            let mean = r.reduce(0, +) / Double(r.count)
            return zip(r, upstream).reduce(0) { $0 + min($1.0 / mean, 3) * Double($1.1) }
        }
        ContrastiveFixture.assertClose(analytic, numeric, "weight bounding ∂/∂δ")
        XCTAssertEqual(WeightBounding.none.backward(raw: raw, gradient: upstream), upstream)
    }

    func testThreadsGiveSameWeights() {
        var rng = SeededGenerator(seed: 28)
        var net = InstanceWeightNetwork(dim: 16, hidden: 8, generator: &rng)
        for p in net.parameters.indices { net.parameters[p] += Float(p % 7) * 0.01 }
        let e = ContrastiveFixture.randomFloats(30 * 16, scale: 1, seed: 29)
        let t = ContrastiveFixture.triplets(users: 10, items: 20, count: 50, seed: 30)
        XCTAssertEqual(net.forward(embeddings: e, triplets: t, threads: 1).weights,
                       net.forward(embeddings: e, triplets: t, threads: 2).weights)
    }
}
