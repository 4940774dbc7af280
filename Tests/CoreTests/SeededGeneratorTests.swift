import XCTest
@testable import Core

final class SeededGeneratorTests: XCTestCase {
    func testSameSeedSameSequenceAndStateRestores() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        for _ in 0..<100 { XCTAssertEqual(a.next(), b.next()) }
        let saved = a.state
        let expected = (0..<10).map { _ in a.next() }
        var restored = SeededGenerator(seed: 0)
        restored.state = saved
        XCTAssertEqual((0..<10).map { _ in restored.next() }, expected)
    }

    func testDifferentSeedsAndStreamsDiffer() {
        var a = SeededGenerator(seed: 1), b = SeededGenerator(seed: 2)
        XCTAssertNotEqual(a.next(), b.next())
        var s1 = SeededGenerator(seed: 1, stream: 1), s2 = SeededGenerator(seed: 1, stream: 2)
        XCTAssertNotEqual(s1.next(), s2.next())
    }

    func testBoundedDrawsAreInRangeAndRoughlyUniform() {
        var rng = SeededGenerator(seed: 9)
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 { counts[rng.nextInt(below: 10)] += 1 }
        for c in counts { XCTAssertEqual(Double(c), 10_000, accuracy: 500) }
        for _ in 0..<1000 {
            let f = rng.nextUnitFloat()
            XCTAssert(f >= 0 && f < 1)
        }
    }

    func testKnownFirstValueIsStableAcrossToolchains() {
        // SplitMix64 with seed 0: the first output is a published constant.
        var rng = SeededGenerator(seed: 0)
        XCTAssertEqual(rng.next(), 0xE220_A839_7B1D_CDAF)
    }
}
