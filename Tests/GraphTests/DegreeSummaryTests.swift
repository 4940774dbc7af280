import XCTest
@testable import Graph

final class DegreeSummaryTests: XCTestCase {
    func testHandCases() {
        // Degrees 3, 0, 2, 5 → sorted 0 2 3 5: lower median 2, one isolated.
        let rp = [0, 3, 3, 5, 10]
        XCTAssertEqual(DegreeSummary(rowPointers: rp, rows: 0..<4), DegreeSummary(nodes: 4, min: 0, median: 2, max: 5, isolated: 1))
        XCTAssertEqual(DegreeSummary(rowPointers: rp, rows: 1..<4), DegreeSummary(nodes: 3, min: 0, median: 2, max: 5, isolated: 1))
        XCTAssertEqual(DegreeSummary(rowPointers: rp, rows: 3..<4), DegreeSummary(nodes: 1, min: 5, median: 5, max: 5, isolated: 0))
        XCTAssertEqual(DegreeSummary(rowPointers: rp, rows: 2..<2), DegreeSummary(nodes: 0, min: 0, median: 0, max: 0, isolated: 0))
    }

    func testMedianMatchesSorting() {
        var rng = SeededGeneratorForTests(seed: 3)
        for _ in 0..<20 {
            let n = 1 + rng.next() % 50
            var rp = [0]
            for _ in 0..<n { rp.append(rp.last! + rng.next() % 7) }
            let degrees = (0..<n).map { rp[$0 + 1] - rp[$0] }.sorted()
            let s = DegreeSummary(rowPointers: rp, rows: 0..<n)
            XCTAssertEqual(s.median, degrees[(n - 1) / 2])
            XCTAssertEqual(s.min, degrees.first)
            XCTAssertEqual(s.max, degrees.last)
            XCTAssertEqual(s.isolated, degrees.filter { $0 == 0 }.count)
        }
    }
}

/// A tiny deterministic generator so this file does not depend on Core's.
private struct SeededGeneratorForTests {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int(truncatingIfNeeded: state >> 33)
    }
}
