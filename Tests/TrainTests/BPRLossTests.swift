import XCTest
import Core
import Graph
@testable import Train

/// Finite-difference checks of the hand-written gradients against double-precision forwards.
final class BPRLossTests: XCTestCase {
    func bprDouble(_ e: [Double], dim: Int, userCount: Int, batch: TripletBatch) -> Double {
        var total = 0.0
        for k in 0..<batch.count {
            let u = Int(batch.users[k]) * dim, i = (userCount + Int(batch.positives[k])) * dim, j = (userCount + Int(batch.negatives[k])) * dim
            var x = 0.0
            for c in 0..<dim { x += e[u + c] * (e[i + c] - e[j + c]) }
            total += log1p(exp(-x))
        }
        return total / Double(batch.count)
    }

    func l2Double(_ e: [Double], dim: Int, userCount: Int, batch: TripletBatch, lambda: Double) -> Double {
        var total = 0.0
        for k in 0..<batch.count {
            for row in [Int(batch.users[k]), userCount + Int(batch.positives[k]), userCount + Int(batch.negatives[k])] {
                for c in 0..<dim { total += e[row * dim + c] * e[row * dim + c] }
            }
        }
        return 0.5 * lambda * total / Double(batch.count)
    }

    func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        var diff = 0.0, norm = 0.0
        for i in a.indices { diff += (a[i] - b[i]) * (a[i] - b[i]); norm = max(norm, a[i] * a[i], b[i] * b[i]) }
        let scale = max(a.map { $0 * $0 }.reduce(0, +), b.map { $0 * $0 }.reduce(0, +)).squareRoot()
        return diff.squareRoot() / max(scale, 1e-12)
    }

    /// Loss of LightGCN (BPR on P E⁰ plus L2 on E⁰) in double precision.
    func lightGCNLoss(_ e0: [Double], data: TrainingData, dim: Int, layers: Int, batch: TripletBatch, lambda: Double) -> Double {
        let e = TestData.layerMeanDouble(data.graph, e0, dim: dim, layers: layers)
        return bprDouble(e, dim: dim, userCount: data.userCount, batch: batch) + l2Double(e0, dim: dim, userCount: data.userCount, batch: batch, lambda: lambda)
    }

    func testBPRAndL2GradientsMatchFiniteDifferences() {
        let dim = 5, users = 4, items = 6
        var rng = SeededGenerator(seed: 3)
        let e = (0..<(users + items) * dim).map { _ in Float(rng.nextGaussian() * 0.5) }
        let batch = TripletBatch(users: [0, 1, 3, 0], positives: [1, 2, 5, 1], negatives: [4, 0, 2, 3])
        var g = [Float](repeating: 0, count: e.count)
        let loss = BPRLoss.lossAndGradient(embeddings: e, dim: dim, userCount: users, batch: batch, gradient: &g)
        let reg = BPRLoss.l2(initial: e, dim: dim, userCount: users, batch: batch, lambda: 0.3, gradient: &g)
        let ed = e.map(Double.init)
        func f(_ x: [Double]) -> Double { bprDouble(x, dim: dim, userCount: users, batch: batch) + l2Double(x, dim: dim, userCount: users, batch: batch, lambda: 0.3) }
        XCTAssertEqual(loss + reg, f(ed), accuracy: 1e-5)
        let h = 1e-6
        var fd = [Double](repeating: 0, count: e.count)
        for i in e.indices {
            var p = ed, m = ed
            p[i] += h; m[i] -= h
            fd[i] = (f(p) - f(m)) / (2 * h)
        }
        XCTAssertLessThan(relativeError(fd, g.map(Double.init)), 1e-4)
    }

    func testWeightedBPRGradientMatchesFiniteDifferences() {
        let dim = 18, users = 3, items = 5   // dim not a multiple of 16: SIMD body and scalar tail
        var rng = SeededGenerator(seed: 12)
        let e = (0..<(users + items) * dim).map { _ in Float(rng.nextGaussian() * 0.4) }
        let batch = TripletBatch(users: [0, 2, 1], positives: [1, 4, 0], negatives: [3, 2, 4])
        let w: [Float] = [0.5, 2, 1.25]
        var g = [Float](repeating: 0, count: e.count)
        BPRLoss.lossAndGradient(embeddings: e, dim: dim, userCount: users, batch: batch, gradient: &g, scale: 0.7, weights: w)
        func f(_ x: [Double]) -> Double {
            var total = 0.0
            for k in 0..<batch.count {
                let one = TripletBatch(users: [batch.users[k]], positives: [batch.positives[k]], negatives: [batch.negatives[k]])
                total += Double(w[k]) * bprDouble(x, dim: dim, userCount: users, batch: one)
            }
            return 0.7 * total / Double(batch.count)
        }
        let ed = e.map(Double.init)
        var fd = [Double](repeating: 0, count: e.count)
        for i in e.indices {
            var p = ed, m = ed
            p[i] += 1e-6; m[i] -= 1e-6
            fd[i] = (f(p) - f(m)) / 2e-6
        }
        XCTAssertLessThan(relativeError(fd, g.map(Double.init)), 1e-4)
    }

    func testLightGCNStepGradientMatchesFiniteDifferences() throws {
        let data = TestData.planted(users: 12, items: 10, perUser: 5, clusters: 2, seed: 9)
        var config = TrainConfig()
        config.dim = 4; config.layers = 2; config.reg = 0.1; config.lr = 1e-3; config.threads = 2
        let model = try LightGCN(context: ModelContext(config: config, userCount: data.userCount, itemCount: data.itemCount, graph: data.graph,
                                                       train: data.train, initRNG: SeededGenerator(seed: 4)))
        // Inflate the initial embeddings so the BPR term is far from its flat start.
        for i in model.table.value.indices { model.table.value[i] *= 10 }
        let batch = TripletBatch(users: [0, 3, 7, 11, 3], positives: [1, 2, 5, 9, 0], negatives: [4, 8, 2, 3, 7])
        // The gradient the step computes, captured before Adam consumes it.
        var propagated = [Float](repeating: 0, count: model.table.value.count)
        Propagation.layerMean(data.graph, model.table.value, dim: 4, layers: 2, into: &propagated, threads: 2)
        var upstream = [Float](repeating: 0, count: propagated.count)
        BPRLoss.lossAndGradient(embeddings: propagated, dim: 4, userCount: data.userCount, batch: batch, gradient: &upstream)
        var grad = [Float](repeating: 0, count: propagated.count)
        Propagation.layerMean(data.graph, upstream, dim: 4, layers: 2, into: &grad, threads: 2)
        BPRLoss.l2(initial: model.table.value, dim: 4, userCount: data.userCount, batch: batch, lambda: 0.1, gradient: &grad)
        let e0 = model.table.value.map(Double.init)
        let h = 1e-5
        var fd = [Double](repeating: 0, count: e0.count)
        for i in e0.indices {
            var p = e0, m = e0
            p[i] += h; m[i] -= h
            fd[i] = (lightGCNLoss(p, data: data, dim: 4, layers: 2, batch: batch, lambda: 0.1)
                     - lightGCNLoss(m, data: data, dim: 4, layers: 2, batch: batch, lambda: 0.1)) / (2 * h)
        }
        XCTAssertLessThan(relativeError(fd, grad.map(Double.init)), 1e-3)
        // And the model's own step applies exactly this gradient (first Adam step moves each
        // coordinate by −lr·sign(g) up to ε).
        let before = model.table.value
        let context = StepContext(config: config, graph: data.graph, validation: nil)
        _ = try model.trainStep(batch, context: context)
        for i in before.indices where abs(grad[i]) > 1e-4 {
            XCTAssertEqual(Double(model.table.value[i] - before[i]), -1e-3 * (grad[i] > 0 ? 1 : -1), accuracy: 1e-5)
        }
    }

    func testPropagationIsSelfAdjointAndMatchesDoubleReference() {
        let data = TestData.planted(users: 15, items: 12, perUser: 4, clusters: 3, seed: 5)
        let dim = 3, layers = 3
        var rng = SeededGenerator(seed: 8)
        let n = data.graph.nodeCount * dim
        let x = (0..<n).map { _ in Float(rng.nextGaussian()) }
        let y = (0..<n).map { _ in Float(rng.nextGaussian()) }
        var px = [Float](repeating: 0, count: n), py = px
        Propagation.layerMean(data.graph, x, dim: dim, layers: layers, into: &px, threads: 2)
        Propagation.layerMean(data.graph, y, dim: dim, layers: layers, into: &py, threads: 1)
        let ref = TestData.layerMeanDouble(data.graph, x.map(Double.init), dim: dim, layers: layers)
        XCTAssertLessThan(relativeError(ref, px.map(Double.init)), 1e-5)
        // ⟨y, P x⟩ = ⟨P y, x⟩: the forward is its own backward.
        var a = 0.0, b = 0.0
        for i in 0..<n { a += Double(y[i]) * Double(px[i]); b += Double(py[i]) * Double(x[i]) }
        XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(a)))
        // Gradient of f(x) = ⟨y, P x⟩ by finite differences equals P y.
        let yd = y.map(Double.init)
        func f(_ v: [Double]) -> Double {
            let p = TestData.layerMeanDouble(data.graph, v, dim: dim, layers: layers)
            return zip(yd, p).map { $0 * $1 }.reduce(0, +)
        }
        let xd = x.map(Double.init)
        var fd = [Double](repeating: 0, count: n)
        for i in stride(from: 0, to: n, by: 7) {
            var p = xd, m = xd
            p[i] += 1e-4; m[i] -= 1e-4
            fd[i] = (f(p) - f(m)) / 2e-4
            XCTAssertEqual(fd[i], Double(py[i]), accuracy: 1e-4)
        }
    }
}
