import XCTest
import Core
import Ingest
@testable import Train

final class TopKRetrievalTests: XCTestCase {
    /// Brute-force reference: sort all non-excluded items by (score desc, index asc).
    func reference(_ u: [Float], _ v: [Float], dim: Int, user: Int, k: Int, ex: ItemExclusions) -> [UInt32] {
        let items = v.count / dim
        var scored: [(Float, Int)] = []
        for i in 0..<items where !ex.contains(user: user, item: UInt32(i)) {
            var s: Float = 0
            for c in 0..<dim { s += u[user * dim + c] * v[i * dim + c] }
            scored.append((s, i))
        }
        scored.sort { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        return scored.prefix(k).map { UInt32($0.1) }
    }

    func testMatchesBruteForceAcrossThreadCounts() {
        var rng = SeededGenerator(seed: 7)
        for (users, items, dim) in [(9, 37, 8), (13, 100, 64), (5, 3, 5), (70, 600, 64)] {
            let u = (0..<users * dim).map { _ in rng.nextUnitFloat() - 0.5 }
            let v = (0..<items * dim).map { _ in rng.nextUnitFloat() - 0.5 }
            var cols = InteractionColumns()
            for user in 0..<users { for i in 0..<items where rng.nextInt(below: 4) == 0 { cols.users.append(UInt32(user)); cols.items.append(UInt32(i)) } }
            let ex = ItemExclusions(userCount: users, splits: [cols])
            let k = 10
            let one = TopKRetrieval.topK(userEmbeddings: u, itemEmbeddings: v, dim: dim, users: 0..<users, k: k, exclusions: ex, threads: 1)
            let two = TopKRetrieval.topK(userEmbeddings: u, itemEmbeddings: v, dim: dim, users: 0..<users, k: k, exclusions: ex, threads: 3)
            XCTAssertEqual(one.items, two.items)
            XCTAssertEqual(one.scores, two.scores)
            for user in 0..<users {
                let want = reference(u, v, dim: dim, user: user, k: k, ex: ex)
                let got = Array(one.items[user * k..<(user + 1) * k])
                XCTAssertEqual(Array(got.prefix(want.count)), want, "user \(user)")
                for slot in want.count..<k {
                    XCTAssertEqual(got[slot], UInt32.max)
                    XCTAssertEqual(one.scores[user * k + slot], -.infinity)
                }
            }
            // A sub-range of users gives the same rows.
            let sub = TopKRetrieval.topK(userEmbeddings: u, itemEmbeddings: v, dim: dim, users: 2..<users, k: k, exclusions: ex, threads: 2)
            XCTAssertEqual(sub.items, Array(one.items[(2 * k)...]))
        }
    }

    func testTiesGoToLowerIndexAndExclusionsApply() {
        // All items score the same: ranking must be by index, skipping excluded ones.
        let dim = 2
        let u: [Float] = [1, 0]
        let v: [Float] = Array(repeating: [1, 5], count: 6).flatMap { $0 }
        let ex = ItemExclusions(userCount: 1, splits: [InteractionColumns(users: [0, 0], items: [1, 3])])
        let r = TopKRetrieval.topK(userEmbeddings: u, itemEmbeddings: v, dim: dim, users: 0..<1, k: 3, exclusions: ex, threads: 1)
        XCTAssertEqual(r.items, [0, 2, 4])
        XCTAssertEqual(r.scores, [1, 1, 1])
    }

    func testExclusionsCSRSortsAndDeduplicates() {
        let a = InteractionColumns(users: [0, 0, 2], items: [5, 1, 3])
        let b = InteractionColumns(users: [0, 2], items: [1, 0])
        let ex = ItemExclusions(userCount: 3, splits: [a, b])
        XCTAssertEqual(Array(ex.items(of: 0)), [1, 5])
        XCTAssertEqual(Array(ex.items(of: 1)), [])
        XCTAssertEqual(Array(ex.items(of: 2)), [0, 3])
        XCTAssertTrue(ex.contains(user: 2, item: 3))
        XCTAssertFalse(ex.contains(user: 2, item: 1))
        XCTAssertFalse(ex.contains(user: 9, item: 1))
    }
}
