import XCTest
import Core
import Ingest
@testable import Train

final class TripletSamplerTests: XCTestCase {
    func testEpochIsAShuffledPassAndNegativesAreNotInteracted() {
        let data = TestData.planted(users: 30, items: 40, perUser: 12, seed: 4)
        let s = TripletSampler(interactions: data.train, userCount: 30, itemCount: 40)
        let order = s.epochOrder(seed: 5, epoch: 0)
        XCTAssertEqual(order.sorted(), (0..<UInt32(data.train.count)).map { $0 })
        XCTAssertEqual(order, s.epochOrder(seed: 5, epoch: 0))
        XCTAssertNotEqual(order, s.epochOrder(seed: 5, epoch: 1))
        var rng = SeededGenerator(seed: 1)
        var seen: [(UInt32, UInt32)] = []
        for b in 0..<s.batchCount(batchSize: 50) {
            let batch = s.batch(order: order, index: b, batchSize: 50, rng: &rng)
            for k in 0..<batch.count {
                XCTAssertTrue(s.hasInteracted(user: Int(batch.users[k]), item: batch.positives[k]))
                XCTAssertFalse(s.hasInteracted(user: Int(batch.users[k]), item: batch.negatives[k]))
                seen.append((batch.users[k], batch.positives[k]))
            }
        }
        XCTAssertEqual(seen.count, data.train.count)
        XCTAssertEqual(Set(seen.map { "\($0.0)-\($0.1)" }).count, data.train.count)
        // Restoring the generator state replays the same negatives (what resume relies on).
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        _ = s.batch(order: order, index: 0, batchSize: 50, rng: &a)
        let saved = a.state
        let next = s.batch(order: order, index: 1, batchSize: 50, rng: &a)
        _ = s.batch(order: order, index: 0, batchSize: 50, rng: &b)
        b.state = saved
        XCTAssertEqual(s.batch(order: order, index: 1, batchSize: 50, rng: &b), next)
    }

    func testUserWithEveryItemStillTerminates() {
        let cols = InteractionColumns(users: [0, 0, 0], items: [0, 1, 2])
        let s = TripletSampler(interactions: cols, userCount: 1, itemCount: 3)
        var rng = SeededGenerator(seed: 2)
        XCTAssertLessThan(s.negative(for: 0, rng: &rng), 3)
    }
}
