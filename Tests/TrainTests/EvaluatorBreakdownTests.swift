import XCTest
@testable import Train

/// The sparse-user breakdown of an evaluation (users with fewer than N held-out items), against
/// values computed by hand.
final class EvaluatorBreakdownTests: XCTestCase {
    func testAveragesOverUsersWithFewHeldOutItems() {
        // Three users, one cutoff (k 1); held-out counts 1, 3, 12. Values are laid out
        // user × k × metric in RankingMetric.allCases order.
        let metrics = RankingMetric.allCases.count
        var values = [Double](repeating: 0, count: 3 * metrics)
        let ndcg = RankingMetric.allCases.firstIndex(of: .ndcg)!
        let recall = RankingMetric.allCases.firstIndex(of: .recall)!
        values[0 * metrics + ndcg] = 1.0; values[0 * metrics + recall] = 1.0
        values[1 * metrics + ndcg] = 0.5; values[1 * metrics + recall] = 1.0 / 3
        values[2 * metrics + ndcg] = 0.25; values[2 * metrics + recall] = 0.0
        let result = EvaluationResult(ks: [1], users: [4, 7, 9], heldOutCounts: [1, 3, 12], values: values)

        let below10 = result.averages(heldOutBelow: 10)
        XCTAssertEqual(below10.users, 2)
        XCTAssertEqual(below10.averages["ndcg@1"]!, 0.75, accuracy: 1e-15)         // (1 + 0.5) / 2
        XCTAssertEqual(below10.averages["recall@1"]!, 2.0 / 3, accuracy: 1e-15)    // (1 + 1/3) / 2
        let below2 = result.averages(heldOutBelow: 2)
        XCTAssertEqual(below2.users, 1)
        XCTAssertEqual(below2.averages["ndcg@1"]!, 1.0)
        let none = result.averages(heldOutBelow: 1)
        XCTAssertEqual(none.users, 0)
        XCTAssertTrue(none.averages["ndcg@1"]!.isNaN)
        let all = result.averages(heldOutBelow: 100)
        XCTAssertEqual(all.averages["ndcg@1"]!, result.averages["ndcg@1"]!, accuracy: 1e-15)
    }
}
