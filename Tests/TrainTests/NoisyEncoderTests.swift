import XCTest
import Core
import Graph
import Ingest
@testable import Train

/// The restricted training paths of `NoisyEncoder` (last layer on the batch's rows, backward from
/// a batch-sparse gradient) against its full passes, and the counter-based noise.
final class NoisyEncoderTests: XCTestCase {
    static func sameRows(_ a: [Float], _ b: [Float], rows: [Int], dim: Int) -> Bool {
        rows.allSatisfy { r in (0..<dim).allSatisfy { a[r * dim + $0].bitPattern == b[r * dim + $0].bitPattern } }
    }

    func testNoiseOnSomeRowsEqualsTheFullTablesNoiseAndIgnoresThreads() {
        let dim = 37, n = 900
        let h = ContrastiveFixture.randomFloats(n * dim, scale: 1, seed: 61)
        var full = h, two = h, some = h
        UniformSignNoise.add(to: &full, dim: dim, epsilon: 0.3, key: 99, rows: nil, threads: 1)
        UniformSignNoise.add(to: &two, dim: dim, epsilon: 0.3, key: 99, rows: nil, threads: 2)
        XCTAssertTrue(full.withUnsafeBytes { a in two.withUnsafeBytes { a.elementsEqual($0) } })
        let rows = Array(stride(from: 3, to: n, by: 7))
        UniformSignNoise.add(to: &some, dim: dim, epsilon: 0.3, key: 99, rows: rows, threads: 2)
        XCTAssertTrue(Self.sameRows(full, some, rows: rows, dim: dim))
        XCTAssertTrue(Self.sameRows(h, some, rows: [0, 1, 2, 4], dim: dim), "rows outside the list are untouched")
        var other = h
        UniformSignNoise.add(to: &other, dim: dim, epsilon: 0.3, key: 100, rows: nil, threads: 1)
        XCTAssertFalse(Self.sameRows(full, other, rows: [5], dim: dim), "another key, other noise")
        // Uniforms look uniform: mean ≈ 1/2 over many lanes.
        var sum = 0.0
        for r in 0..<2000 { for c in stride(from: 0, to: 64, by: 16) { sum += Double(NoiseKernel.uniforms(key: 7, row: r, column: c).sum()) } }
        XCTAssertEqual(sum / (2000 * 64), 0.5, accuracy: 0.01)
    }

    func testRestrictedForwardAndBackwardEqualTheFullPasses() throws {
        let users = 260, items = 200, dim = 64
        let train = ContrastiveFixture.interactions(users: users, items: items, perUser: 9, seed: 62)
        let graph = ContrastiveFixture.graph(users: users, items: items, train: train)
        let count = graph.nodeCount * dim
        let x = ContrastiveFixture.randomFloats(count, scale: 1, seed: 63)
        for (layers, star, threads) in [(1, 1, 1), (2, 1, 2), (3, 2, 2), (3, 3, 1)] {
            let fullEncoder = NoisyEncoder(graph: graph, dim: dim, layers: layers, contrastLayer: star)
            let fastEncoder = NoisyEncoder(graph: graph, dim: dim, layers: layers, contrastLayer: star)
            for step in 0..<3 {
                var rowRNG = SeededGenerator(seed: UInt64(10 * layers + step))
                let rows = (0..<graph.nodeCount).filter { _ in rowRNG.nextUnitDouble() < 0.08 }
                var r1 = SeededGenerator(seed: UInt64(step)), r2 = r1
                fullEncoder.forward(x, epsilon: 0.2, generator: &r1, rows: nil, threads: threads)
                fastEncoder.forward(x, epsilon: 0.2, generator: &r2, rows: rows, threads: threads)
                XCTAssertTrue(Self.sameRows(fullEncoder.final, fastEncoder.final, rows: rows, dim: dim), "final, L \(layers) step \(step)")
                XCTAssertTrue(Self.sameRows(fullEncoder.contrast, fastEncoder.contrast, rows: rows, dim: dim), "contrast, L \(layers)")
                var gF = [Float](repeating: 0, count: count), gC = gF
                let dense = ContrastiveFixture.randomFloats(count, scale: 1, seed: UInt64(70 + step))
                for r in rows { for c in 0..<dim { gF[r * dim + c] = dense[r * dim + c]; gC[r * dim + c] = -dense[r * dim + c] / 3 } }
                var full: [Float] = [], fast: [Float] = []
                fullEncoder.backward(finalGradient: gF, contrastGradient: gC, rows: nil, into: &full, threads: threads)
                fastEncoder.backward(finalGradient: gF, contrastGradient: gC, rows: rows, into: &fast, threads: threads)
                XCTAssertTrue(full.withUnsafeBytes { a in fast.withUnsafeBytes { a.elementsEqual($0) } },
                              "backward, L \(layers) l* \(star) step \(step)")
            }
        }
    }
}
