import XCTest
import Core
@testable import Ingest

/// Dedup, k-core, every split, cold start and noise on small hand-checked tables.
final class TransformTests: XCTestCase {
    func testDeduplicationKeepsLatestAndLaterOnTies() {
        var t = table([(0, 1, 10), (0, 1, 5), (0, 2, 3), (1, 1, 7), (0, 1, 10)])
        t.ratings = [1, 2, 3, 4, 5]
        let (d, removed) = Deduplication.keepLatest(t)
        XCTAssertEqual(removed, 2)
        XCTAssertEqual(d.users, [0, 1, 0])
        XCTAssertEqual(d.items, [2, 1, 1])
        XCTAssertEqual(d.ratings, [3, 4, 5])   // the tie at time 10 goes to the later row
    }

    func testKCoreIteratesUntilStable() {
        let t = table([(0, 0, 0), (0, 1, 0), (0, 2, 0), (1, 0, 0), (1, 1, 0), (1, 3, 0), (2, 0, 0), (3, 3, 0)])
        let (k, rounds) = KCore.filter(t, userCount: 4, itemCount: 4, userCore: 2, itemCore: 2)
        XCTAssertEqual(rounds.map { [$0.usersRemoved, $0.itemsRemoved, $0.interactionsRemoved] }, [[2, 1, 3], [0, 1, 1]])
        XCTAssertEqual(k.users, [0, 0, 1, 1])
        XCTAssertEqual(k.items, [0, 1, 0, 1])
        let (same, none) = KCore.filter(t, userCount: 4, itemCount: 4, userCore: 0, itemCore: 1)
        XCTAssertEqual(same.count, 8)
        XCTAssertTrue(none.isEmpty)
        let (gone, _) = KCore.filter(t, userCount: 4, itemCount: 4, userCore: 10, itemCore: 0)
        XCTAssertEqual(gone.count, 0)
    }

    /// One user with items 0..<n at times 0..<n (dense, ordered by time), plus a two-item user.
    private func tenAndTwo() -> InteractionTable {
        table((0..<10).map { (0, UInt32($0), Int64($0)) } + [(1, 0, 0), (1, 1, 1)])
    }

    private func splitConfig(_ m: SplitMethod, _ edit: (inout IngestConfig) -> Void = { _ in }) -> Splitter {
        var c = IngestConfig()
        c.split = m
        edit(&c)
        return Splitter(config: c)
    }

    func testHeldOutCounts() {
        let s = splitConfig(.random)
        XCTAssertEqual(s.heldOut(2).valid + s.heldOut(2).test, 0)
        XCTAssertTrue(s.heldOut(3) == (1, 1))
        XCTAssertTrue(s.heldOut(10) == (1, 1))
        XCTAssertTrue(s.heldOut(20) == (2, 2))
        XCTAssertTrue(s.heldOut(25) == (3, 3))   // 2.5 rounds to 3
    }

    func testTemporalSplit() {
        var t = tenAndTwo()
        var rng = SeededGenerator(seed: 1)
        splitConfig(.temporal).assign(&t, rng: &rng)
        XCTAssertEqual(t.splits, [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0])
    }

    func testLeaveOneOut() {
        var t = tenAndTwo()
        var rng = SeededGenerator(seed: 1)
        splitConfig(.leaveOneOut).assign(&t, rng: &rng)
        XCTAssertEqual(t.splits, [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0])
        var small = tenAndTwo()
        splitConfig(.leaveOneOut) { $0.minInteractionsToSplit = 2 }.assign(&small, rng: &rng)
        XCTAssertEqual(small.splits.suffix(2), [0, 2])
    }

    func testTimeCutoff() {
        var t = tenAndTwo()
        var rng = SeededGenerator(seed: 1)
        splitConfig(.timeCutoff) { $0.validCutoff = 5; $0.testCutoff = 8 }.assign(&t, rng: &rng)
        XCTAssertEqual(t.splits, [0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 0, 0])
    }

    func testRandomSplitIsSeededPerUserAndDisjoint() {
        var a = tenAndTwo(), b = tenAndTwo(), c = tenAndTwo()
        var r1 = SeededGenerator(seed: 7), r2 = SeededGenerator(seed: 7), r3 = SeededGenerator(seed: 8)
        splitConfig(.random).assign(&a, rng: &r1)
        splitConfig(.random).assign(&b, rng: &r2)
        XCTAssertEqual(a.splits, b.splits)
        XCTAssertEqual(a.splits.prefix(10).filter { $0 == 0 }.count, 8)
        XCTAssertEqual(a.splits.prefix(10).filter { $0 == 1 }.count, 1)
        XCTAssertEqual(a.splits.prefix(10).filter { $0 == 2 }.count, 1)
        XCTAssertEqual(a.splits.suffix(2), [0, 0])   // too small to split
        // Another seed picks other held-out items for at least one of a few users.
        var many = table((0..<5).flatMap { u in (0..<10).map { (UInt32(u), UInt32($0), Int64($0)) } })
        var many2 = many
        var r4 = SeededGenerator(seed: 7)
        splitConfig(.random).assign(&many, rng: &r4)
        splitConfig(.random).assign(&many2, rng: &r3)
        XCTAssertNotEqual(many.splits, many2.splits)
    }

    func testGivenSplitCarvesValidFromTrain() {
        var t = tenAndTwo()
        t.splits[9] = 2
        var rng = SeededGenerator(seed: 3)
        splitConfig(.given) { $0.givenValidFraction = 0.2 }.assign(&t, rng: &rng)
        XCTAssertEqual(t.splits[9], 2)
        XCTAssertEqual(t.splits.prefix(9).filter { $0 == 1 }.count, 2)   // round(0.2 × 9)
        XCTAssertEqual(t.splits.suffix(2), [0, 0])
    }

    func testColdStartKeepsFractionOfTrain() {
        var t = tenAndTwo()
        var rng = SeededGenerator(seed: 1)
        splitConfig(.temporal).assign(&t, rng: &rng)
        let (c, dropped) = Splitter.coldStart(t, fraction: 0.6, rng: &rng)
        XCTAssertEqual(dropped, 3 + 1)   // user 0: 8 → 5; user 1: 2 → 1
        XCTAssertEqual(c.count, 12 - 4)
        XCTAssertEqual((0..<c.count).filter { c.users[$0] == 0 && c.splits[$0] == 0 }.count, 5)
        XCTAssertEqual((0..<c.count).filter { c.users[$0] == 0 && c.splits[$0] != 0 }.count, 2)
    }

    func testNoiseAddsUntouchedItemsToTrain() {
        var t = tenAndTwo()
        var rng = SeededGenerator(seed: 1)
        splitConfig(.temporal).assign(&t, rng: &rng)
        let (n, added) = NoiseInjection.inject(t, itemCount: 12, fraction: 0.25, rng: &rng)
        // user 0: round(0.25 × 8) = 2, necessarily the only two untouched items 10 and 11.
        let noisy0 = Set((0..<n.count).filter { n.users[$0] == 0 && n.items[$0] >= 10 }.map { n.items[$0] })
        XCTAssertEqual(noisy0, [10, 11])
        let noisy1 = (0..<n.count).filter { n.users[$0] == 1 && n.items[$0] >= 2 }
        XCTAssertEqual(n.count, 12 + added)
        XCTAssertEqual(added, 2 + noisy1.count)
        XCTAssertEqual(noisy1.count, 1)   // round(0.25 × 2) = round(0.5) = 1 (schoolbook rounding)
        for k in 0..<n.count where n.items[k] >= 10 || (n.users[k] == 1 && n.items[k] >= 2) {
            XCTAssertEqual(n.splits[k], 0)
            XCTAssertTrue(n.users[k] == 0 ? (0...7).contains(n.timestamps[k]) : (0...1).contains(n.timestamps[k]))
        }
        var rng2 = SeededGenerator(seed: 1)
        var t2 = tenAndTwo()
        splitConfig(.temporal).assign(&t2, rng: &rng2)
        let (again, _) = NoiseInjection.inject(t2, itemCount: 12, fraction: 0.25, rng: &rng2)
        XCTAssertEqual(again.items, n.items)
    }
}
