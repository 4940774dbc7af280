import XCTest
import Core
import Ingest
@testable import Graph

final class PropagationTests: XCTestCase {
    func testHandExampleProduct() throws {
        let g = try GraphBuilder.build(userCount: 3, itemCount: 4, train: TestGraphs.handTrain)
        let x: [Float] = [1, 2, 3, 4, 5, 6, 7]  // dim 1: node k has value k + 1
        var y: [Float] = []
        Propagation.multiply(g, x, dim: 1, into: &y)
        // Hand-computed: y[u0] = x[i0]/√2 + x[i1]/2 = 4/√2 + 5/2; y[u1] = 5/√6 + 6/√3 + 7/√6; y[i3] = 2/√6 + 3/√2.
        let expected: [Float] = [5.3284271, 8.3630811, 4.9497475, 0.7071068, 1.3164966, 1.1547005, 2.9378169]
        for k in 0..<7 { XCTAssertEqual(y[k], expected[k], accuracy: 1e-6, "node \(k)") }
    }

    func testMatchesDenseReferenceForManyWidths() throws {
        let train = TestGraphs.randomTrain(users: 23, items: 31, density: 0.15, seed: 7)
        let g = try GraphBuilder.build(userCount: 23, itemCount: 31, train: train)
        let dense = TestGraphs.denseNormalized(users: 23, items: 31, train: train)
        for dim in [1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 80, 100, 128, 130] {
            let x = TestGraphs.randomMatrix(count: g.nodeCount * dim, seed: UInt64(dim))
            var y: [Float] = []
            Propagation.multiply(g, x, dim: dim, into: &y, threads: 2)
            let reference = TestGraphs.denseMultiply(dense, n: g.nodeCount, x.map(Double.init), dim: dim)
            XCTAssertLessThanOrEqual(TestGraphs.relativeError(y, reference), 1e-5, "dim \(dim)")
        }
    }

    func testOneTwoAndThreeThreadsGiveIdenticalBytes() throws {
        let train = TestGraphs.randomTrain(users: 400, items: 300, density: 0.03, seed: 11)
        let g = try GraphBuilder.build(userCount: 400, itemCount: 300, train: train)
        for dim in [64, 37] {
            XCTAssertGreaterThan(g.nonzeroCount * dim, SpMMKernel.parallelThreshold, "big enough to really split")
            let x = TestGraphs.randomMatrix(count: g.nodeCount * dim, seed: 3)
            var y1: [Float] = [], y2: [Float] = [], y3: [Float] = []
            Propagation.multiply(g, x, dim: dim, into: &y1, threads: 1)
            Propagation.multiply(g, x, dim: dim, into: &y2, threads: 2)
            Propagation.multiply(g, x, dim: dim, into: &y3, threads: 3)
            XCTAssertTrue(TestGraphs.sameBytes(y1, y2), "dim \(dim)")
            XCTAssertTrue(TestGraphs.sameBytes(y1, y3), "dim \(dim)")
            var m1: [Float] = [], m2: [Float] = []
            Propagation.layerMean(g, x, dim: dim, layers: 3, into: &m1, threads: 1)
            Propagation.layerMean(g, x, dim: dim, layers: 3, into: &m2, threads: 2)
            XCTAssertTrue(TestGraphs.sameBytes(m1, m2), "layer mean, dim \(dim)")
        }
    }

    func testLayerMeanEqualsRepeatedMultiply() throws {
        let train = TestGraphs.randomTrain(users: 40, items: 50, density: 0.1, seed: 5)
        let g = try GraphBuilder.build(userCount: 40, itemCount: 50, train: train)
        let dense = TestGraphs.denseNormalized(users: 40, items: 50, train: train)
        let workspace = PropagationWorkspace()
        for (dim, layers) in [(64, 0), (64, 1), (64, 2), (64, 3), (19, 3), (8, 4), (130, 2)] {
            let x = TestGraphs.randomMatrix(count: g.nodeCount * dim, seed: UInt64(dim * 10 + layers))
            // Float composition of plain multiplies, in the order the fused kernel promises.
            var sum = x, current = x, next: [Float] = []
            for _ in 0..<layers {
                Propagation.multiply(g, current, dim: dim, into: &next)
                for k in sum.indices { sum[k] += next[k] }
                swap(&current, &next)
            }
            let scale = 1 / Float(layers + 1)
            for k in sum.indices { sum[k] *= scale }
            var fused: [Float] = []
            Propagation.layerMean(g, x, dim: dim, layers: layers, into: &fused, threads: 2, workspace: workspace)
            XCTAssertTrue(TestGraphs.sameBytes(fused, sum), "dim \(dim) layers \(layers): fused equals composed bit for bit")
            // And the mathematics, in Double.
            var layer = x.map(Double.init), total = layer
            for _ in 0..<layers {
                layer = TestGraphs.denseMultiply(dense, n: g.nodeCount, layer, dim: dim)
                for k in total.indices { total[k] += layer[k] }
            }
            XCTAssertLessThanOrEqual(TestGraphs.relativeError(fused, total.map { $0 / Double(layers + 1) }), 1e-5)
        }
    }

    func testStagingTheInputChangesNoBytes() throws {
        let train = TestGraphs.randomTrain(users: 200, items: 150, density: 0.05, seed: 12)
        let g = try GraphBuilder.build(userCount: 200, itemCount: 150, train: train)
        let staging = PropagationWorkspace(stagesInput: true, stagingThresholdBytes: 0)
        let inPlace = PropagationWorkspace(stagesInput: false)
        for dim in [64, 20] {
            let x = TestGraphs.randomMatrix(count: g.nodeCount * dim, seed: 6)
            var a: [Float] = [], b: [Float] = [], c: [Float] = []
            Propagation.multiply(g, x, dim: dim, into: &a, threads: 2, workspace: staging)
            Propagation.multiply(g, x, dim: dim, into: &b, threads: 1, workspace: inPlace)
            Propagation.multiply(g, x, dim: dim, into: &c)
            XCTAssertTrue(TestGraphs.sameBytes(a, b))
            XCTAssertTrue(TestGraphs.sameBytes(a, c))
            Propagation.layerMean(g, x, dim: dim, layers: 3, into: &a, threads: 2, workspace: staging)
            Propagation.layerMean(g, x, dim: dim, layers: 3, into: &b, threads: 1, workspace: inPlace)
            XCTAssertTrue(TestGraphs.sameBytes(a, b))
        }
        // A reused workspace whose buffers are too small for a wider call grows them.
        let x = TestGraphs.randomMatrix(count: g.nodeCount * 130, seed: 7)
        var a: [Float] = [], b: [Float] = []
        Propagation.layerMean(g, x, dim: 130, layers: 2, into: &a, workspace: staging)
        Propagation.layerMean(g, x, dim: 130, layers: 2, into: &b)
        XCTAssertTrue(TestGraphs.sameBytes(a, b))
    }

    func testLayerMeanIsSelfAdjoint() throws {
        // ⟨P a, b⟩ = ⟨a, P b⟩: the same call serves the backward pass.
        let train = TestGraphs.randomTrain(users: 30, items: 20, density: 0.2, seed: 9)
        let g = try GraphBuilder.build(userCount: 30, itemCount: 20, train: train)
        let a = TestGraphs.randomMatrix(count: g.nodeCount * 16, seed: 1)
        let b = TestGraphs.randomMatrix(count: g.nodeCount * 16, seed: 2)
        var pa: [Float] = [], pb: [Float] = []
        Propagation.layerMean(g, a, dim: 16, layers: 3, into: &pa)
        Propagation.layerMean(g, b, dim: 16, layers: 3, into: &pb)
        var lhs = 0.0, rhs = 0.0
        for k in a.indices {
            lhs += Double(pa[k]) * Double(b[k])
            rhs += Double(a[k]) * Double(pb[k])
        }
        XCTAssertEqual(lhs, rhs, accuracy: 1e-5 * max(1, abs(lhs)))
    }

    func testBufferPointerEntryPointsAndEmptyGraph() throws {
        let g = try GraphBuilder.build(userCount: 3, itemCount: 4, train: TestGraphs.handTrain)
        let x = TestGraphs.randomMatrix(count: 7 * 5, seed: 4)
        var viaArray: [Float] = []
        Propagation.multiply(g, x, dim: 5, into: &viaArray)
        var viaPointer = [Float](repeating: .nan, count: 7 * 5)
        x.withUnsafeBufferPointer { xp in
            viaPointer.withUnsafeMutableBufferPointer { Propagation.multiply(g, xp, dim: 5, into: $0) }
        }
        XCTAssertTrue(TestGraphs.sameBytes(viaArray, viaPointer))

        // No edges at all: every row is empty, so Âx = 0 and the layer mean is x / (L + 1).
        let empty = try GraphBuilder.build(userCount: 2, itemCount: 3, train: InteractionColumns())
        var y = [Float](repeating: 1, count: 5 * 4)
        Propagation.multiply(empty, [Float](repeating: 2, count: 20), dim: 4, into: &y)
        XCTAssertEqual(y, [Float](repeating: 0, count: 20))
        Propagation.layerMean(empty, [Float](repeating: 2, count: 20), dim: 4, layers: 3, into: &y)
        XCTAssertEqual(y, [Float](repeating: 0.5, count: 20))
    }
}
