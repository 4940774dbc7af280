import XCTest
import Ingest
@testable import Train

final class RankingMetricsTests: XCTestCase {
    func testHandComputedCase() {
        // Ranked: 7, 3, 9, 1, 4; relevant {1, 3, 8}; K = 5.
        // Hits at ranks 2 and 4. P = 2/5, R = 2/3, HR = 1.
        // DCG = 1/log2(3) + 1/log2(5); IDCG = 1 + 1/log2(3) + 1/log2(4) (min(3,5) = 3 ideal hits).
        // MAP = (1/3)(P@2 + P@4) = (1/3)(1/2 + 2/4) = 1/3.
        let v = RankingMetrics.compute(ranked: [7, 3, 9, 1, 4], relevant: [1, 3, 8], k: 5)
        let dcg = 1 / log2(3.0) + 1 / log2(5.0)
        let idcg = 1 + 1 / log2(3.0) + 0.5
        XCTAssertEqual(v[0], 0.4, accuracy: 1e-12)
        XCTAssertEqual(v[1], 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(v[2], dcg / idcg, accuracy: 1e-12)
        XCTAssertEqual(v[3], 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(v[4], 1)
    }

    func testCutoffSmallerThanRelevantAndPadding() {
        // K = 2, relevant has 3 items, both top-2 hit: everything is perfect at K except recall.
        let v = RankingMetrics.compute(ranked: [5, 6, 7], relevant: [5, 6, 7], k: 2)
        XCTAssertEqual(v, [1, 2.0 / 3, 1, 1, 1])
        // Fewer candidates than K (UInt32.max padding) and no hits.
        let w = RankingMetrics.compute(ranked: [2, UInt32.max], relevant: [9], k: 2)
        XCTAssertEqual(w, [0, 0, 0, 0, 0])
    }

    func testEvaluatorMasksAndAverages() {
        // 2 users, 4 items, dim 1: scores are item embedding × user embedding.
        // Items: [4, 3, 2, 1] → ranking by index for a positive user.
        let items: [Float] = [4, 3, 2, 1]
        let users: [Float] = [1, 1, 1]
        let train = InteractionColumns(users: [0], items: [0])
        let valid = InteractionColumns(users: [0, 2], items: [1, 3])
        let test = InteractionColumns(users: [0], items: [2])
        // Valid: user 0 ranking masks item 0 → [1, 2, 3]: hit at rank 1. User 2: [0,1,2,3], item 3 at rank 4.
        let ev = Evaluator(userCount: 3, heldOut: valid, masked: [train], ks: [1, 20])
        let r = ev.evaluate(userEmbeddings: users, itemEmbeddings: items, dim: 1, threads: 2)
        XCTAssertEqual(r.users, [0, 2])
        XCTAssertEqual(r.value(.ndcg, at: 20, userIndex: 0), 1, accuracy: 1e-12)
        XCTAssertEqual(r.value(.ndcg, at: 20, userIndex: 1), 1 / log2(5.0), accuracy: 1e-12)
        XCTAssertEqual(r.mean(.hitRate, at: 1), 0.5)
        XCTAssertEqual(r.averages["recall@20"]!, 1, accuracy: 1e-12)
        XCTAssertEqual(r.mean(.precision, at: 1, include: { $0 == 2 }), 0)
        // Test: user 0 masks train and valid items → [2, 3]: hit at rank 1.
        let te = Evaluator(userCount: 3, heldOut: test, masked: [train, valid], ks: [10])
        XCTAssertEqual(te.evaluate(userEmbeddings: users, itemEmbeddings: items, dim: 1, threads: 1).averages["map@10"]!, 1)
    }
}
