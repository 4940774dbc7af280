import Core
import Ingest
import XCTest
@testable import Train

/// The tiled ranker against a full sort, over shapes that cross every tile, chunk and block edge.
final class TopKTilingTests: XCTestCase {
    /// Full sort of the non-excluded items by (score desc, index asc); scores in Double.
    func bruteForce(_ u: [Float], _ v: [Float], dim: Int, users: Range<Int>, k: Int, ex: ItemExclusions) -> (items: [UInt32], scores: [Double]) {
        var items: [UInt32] = [], scores: [Double] = []
        let itemCount = v.count / dim
        for user in users {
            var ranked: [(Double, Int)] = []
            for i in 0..<itemCount where !(user < ex.userCount && ex.contains(user: user, item: UInt32(i))) {
                var s = 0.0
                for c in 0..<dim { s += Double(u[user * dim + c]) * Double(v[i * dim + c]) }
                ranked.append((s, i))
            }
            ranked.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
            for slot in 0..<k {
                items.append(slot < ranked.count ? UInt32(ranked[slot].1) : UInt32.max)
                scores.append(slot < ranked.count ? ranked[slot].0 : -.infinity)
            }
        }
        return (items, scores)
    }

    /// Random embeddings (optionally quantized to force ties) and random exclusions.
    func case_(users: Int, items: Int, dim: Int, seed: UInt64, quantized: Bool, exclusionUsers: Int? = nil)
        -> ([Float], [Float], ItemExclusions) {
        var rng = SeededGenerator(seed: seed)
        func value() -> Float {
            let v = rng.nextUnitFloat() - 0.5
            return quantized ? (v * 4).rounded() / 4 : v
        }
        let u = (0..<users * dim).map { _ in value() }
        let v = (0..<items * dim).map { _ in value() }
        var cols = InteractionColumns()
        for user in 0..<users {
            for i in 0..<items where rng.nextInt(below: 5) == 0 { cols.users.append(UInt32(user)); cols.items.append(UInt32(i)) }
        }
        return (u, v, ItemExclusions(userCount: exclusionUsers ?? users, splits: [cols]))
    }

    func testEqualsAFullSortAcrossShapesThreadsAndRanges() {
        // Quantized values (multiples of 1/4) make sums exact, so ties are real ties and the
        // order must match the sort exactly; random values check scores to float precision.
        let shapes: [(Int, Int, Int, Int)] = [(1, 1, 1, 1), (3, 5, 4, 10), (9, 37, 8, 10), (70, 700, 16, 20), (69, 520, 64, 7),
                                              (5, 513, 3, 600), (67, 1030, 5, 1)]
        for (n, (users, items, dim, k)) in shapes.enumerated() {
            for quantized in [false, true] {
                let (u, v, ex) = case_(users: users, items: items, dim: dim, seed: UInt64(n + 1), quantized: quantized)
                for threads in [1, 3] {
                    for range in [0..<users, (users / 3)..<users] {
                        let want = bruteForce(u, v, dim: dim, users: range, k: k, ex: ex)
                        let got = TopKRetrieval.topK(userEmbeddings: u, itemEmbeddings: v, dim: dim, users: range, k: k,
                                                     exclusions: ex, threads: threads)
                        let label = "shape \(users)×\(items)×\(dim) k \(k) quantized \(quantized) threads \(threads) range \(range)"
                        if quantized { XCTAssertEqual(got.items, want.items, label) }
                        for (a, b) in zip(got.scores, want.scores) where b.isFinite {
                            XCTAssertEqual(Double(a), b, accuracy: 1e-4 * max(1, abs(b)), label)
                        }
                        XCTAssertEqual(got.scores.map(\.isFinite), want.scores.map(\.isFinite), label)
                    }
                }
            }
        }
    }

    func testUsersBeyondTheExclusionTableAndEmptyExclusions() {
        let (u, v, ex) = case_(users: 20, items: 50, dim: 8, seed: 4, quantized: true, exclusionUsers: 7)
        XCTAssertEqual(TopKRetrieval.topK(userEmbeddings: u, itemEmbeddings: v, dim: 8, users: 0..<20, k: 9, exclusions: ex, threads: 2).items,
                       bruteForce(u, v, dim: 8, users: 0..<20, k: 9, ex: ex).items)
        let none = ItemExclusions(userCount: 0, splits: [])
        let a = bruteForce(u, v, dim: 8, users: 2..<20, k: 60, ex: none)
        let b = TopKRetrieval.topK(userEmbeddings: u, itemEmbeddings: v, dim: 8, users: 2..<20, k: 60, exclusions: none, threads: 2)
        XCTAssertEqual(a.items, b.items)
        XCTAssertEqual(b.items[50..<60], ArraySlice(repeating: UInt32.max, count: 10), "fewer candidates than k: sentinels")
        XCTAssertEqual(b.scores[59], -.infinity)
    }

    func testHandWorkedRanking() {
        // user (1, 0): scores 3, 1, 3, 2, -1 → items 0 and 2 tie (lower index first), then 3, then 1.
        let r = TopKRetrieval.topK(userEmbeddings: [1, 0], itemEmbeddings: [3, 9, 1, 9, 3, 0, 2, 0, -1, 5], dim: 2, users: 0..<1, k: 4,
                                   exclusions: ItemExclusions(userCount: 1, splits: [InteractionColumns(users: [0], items: [3])]), threads: 1)
        XCTAssertEqual(r.items, [0, 2, 1, 4])
        XCTAssertEqual(r.scores, [3, 3, 1, -1])
    }
}
