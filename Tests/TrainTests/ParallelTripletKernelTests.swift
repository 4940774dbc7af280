import XCTest
import Core
@testable import Train

/// The BPR and L2 loops split over threads (`TripletKernel`) must give the one-thread bytes, and
/// the bitmap `NodeTriplets.distinct` must equal a sort-and-unique.
final class ParallelTripletKernelTests: XCTestCase {
    /// A batch over few rows, so users and items repeat many times inside it (the case a naive
    /// parallel scatter gets wrong).
    func batch(count: Int, users: Int, items: Int, seed: UInt64) -> TripletBatch {
        var rng = SeededGenerator(seed: seed)
        var b = TripletBatch()
        for _ in 0..<count {
            b.users.append(UInt32(rng.nextInt(below: users)))
            b.positives.append(UInt32(rng.nextInt(below: items)))
            b.negatives.append(UInt32(rng.nextInt(below: items)))
        }
        return b
    }

    func testBPRAndL2GiveTheSameBytesOnAnyThreadCount() {
        for (dim, users, items) in [(64, 37, 53), (20, 5, 300)] {
            let b = batch(count: 1_000, users: users, items: items, seed: UInt64(dim))
            XCTAssertGreaterThanOrEqual(b.count, TripletKernel.parallelMinimum)
            var rng = SeededGenerator(seed: 9)
            let e = (0..<(users + items) * dim).map { _ in Float(rng.nextGaussian() * 0.3) }
            let weights = (0..<b.count).map { _ in Float(rng.nextUnitDouble() * 2) }
            func run(_ threads: Int, weighted: Bool) -> (Double, Double, [Float]) {
                var g = [Float](repeating: 0, count: e.count)
                let loss = BPRLoss.lossAndGradient(embeddings: e, dim: dim, userCount: users, batch: b, gradient: &g,
                                                   scale: 0.7, weights: weighted ? weights : nil, threads: threads)
                let reg = BPRLoss.l2(initial: e, dim: dim, userCount: users, batch: b, lambda: 0.01, gradient: &g, threads: threads)
                return (loss, reg, g)
            }
            for weighted in [false, true] {
                let one = run(1, weighted: weighted)
                XCTAssertTrue(one.2.contains { $0 != 0 })
                for threads in [2, 3, 4] {
                    let many = run(threads, weighted: weighted)
                    XCTAssertEqual(many.0.bitPattern, one.0.bitPattern, "loss, \(threads) threads, dim \(dim)")
                    XCTAssertEqual(many.1.bitPattern, one.1.bitPattern, "l2, \(threads) threads, dim \(dim)")
                    XCTAssertEqual(many.2.map(\.bitPattern), one.2.map(\.bitPattern), "gradient, \(threads) threads, dim \(dim)")
                }
            }
        }
    }

    func testDistinctEqualsSortAndUnique() {
        var rng = SeededGenerator(seed: 4)
        let cases: [[Int]] = [[], [0], [63, 64, 63, 0, 127, 128], [5, 5, 5],
                              (0..<5_000).map { _ in rng.nextInt(below: 70_000) },
                              [3, -1, 2, -1],                 // negative: the sorting fallback
                              [1 << 40, 7, 1 << 40]]          // too large for a bitmap
        for rows in cases {
            XCTAssertEqual(NodeTriplets.distinct(rows), Array(Set(rows)).sorted(), "\(rows.prefix(8))")
        }
    }
}
