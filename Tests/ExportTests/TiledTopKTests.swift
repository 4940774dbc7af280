import Core
import Ingest
import Train
import XCTest
@testable import Export

final class TiledTopKTests: XCTestCase {
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

    func testAgreesWithTopKRetrievalElementForElement() {
        let shapes: [(Int, Int, Int, Int)] = [(1, 1, 1, 1), (3, 5, 4, 10), (9, 37, 8, 10), (70, 700, 16, 20), (69, 520, 64, 7),
                                              (5, 513, 3, 600), (67, 1030, 5, 1)]
        for (n, (users, items, dim, k)) in shapes.enumerated() {
            for quantized in [false, true] {
                let (u, v, ex) = case_(users: users, items: items, dim: dim, seed: UInt64(n + 1), quantized: quantized)
                for threads in [1, 3] {
                    for range in [0..<users, (users / 3)..<users] {
                        let reference = TopKRetrieval.topK(userEmbeddings: u, itemEmbeddings: v, dim: dim, users: range, k: k,
                                                           exclusions: ex, threads: 1)
                        let tiled = TiledTopK.topK(userEmbeddings: u, itemEmbeddings: v, dim: dim, users: range, k: k,
                                                   exclusions: ex, threads: threads)
                        XCTAssertEqual(tiled.items, reference.items, "shape \(users)×\(items)×\(dim) k \(k) quantized \(quantized) threads \(threads) range \(range)")
                        XCTAssertEqual(tiled.scores, reference.scores)
                    }
                }
            }
        }
    }

    func testUsersBeyondTheExclusionTableAndEmptyExclusions() {
        let (u, v, ex) = case_(users: 20, items: 50, dim: 8, seed: 4, quantized: true, exclusionUsers: 7)
        let reference = TopKRetrieval.topK(userEmbeddings: u, itemEmbeddings: v, dim: 8, users: 0..<20, k: 9, exclusions: ex, threads: 1)
        XCTAssertEqual(TiledTopK.topK(userEmbeddings: u, itemEmbeddings: v, dim: 8, users: 0..<20, k: 9, exclusions: ex, threads: 2).items,
                       reference.items)
        let none = ItemExclusions(userCount: 0, splits: [])
        let a = TopKRetrieval.topK(userEmbeddings: u, itemEmbeddings: v, dim: 8, users: 2..<20, k: 60, exclusions: none, threads: 1)
        let b = TiledTopK.topK(userEmbeddings: u, itemEmbeddings: v, dim: 8, users: 2..<20, k: 60, exclusions: none, threads: 2)
        XCTAssertEqual(a.items, b.items)
        XCTAssertEqual(b.items[50..<60], ArraySlice(repeating: UInt32.max, count: 10), "fewer candidates than k: sentinels")
        XCTAssertEqual(b.scores[59], -.infinity)
    }

    func testHandWorkedRanking() {
        // user (1, 0): scores 3, 1, 3, 2, -1 → items 0 and 2 tie (lower index first), then 3, then 1.
        let r = TiledTopK.topK(userEmbeddings: [1, 0], itemEmbeddings: [3, 9, 1, 9, 3, 0, 2, 0, -1, 5], dim: 2, users: 0..<1, k: 4,
                               exclusions: ItemExclusions(userCount: 1, splits: [InteractionColumns(users: [0], items: [3])]), threads: 1)
        XCTAssertEqual(r.items, [0, 2, 1, 4])
        XCTAssertEqual(r.scores, [3, 3, 1, -1])
    }
}
