import XCTest
import Core
@testable import Ingest

final class RadixSortTests: XCTestCase {
    func testMatchesAStableComparisonSort() {
        var rng = SeededGenerator(seed: 3)
        for bits in [4, 20, 40, 64] {
            let keys = (0..<5000).map { _ in bits == 64 ? rng.next() : rng.next() & ((1 << UInt64(bits)) - 1) }
            let expected = (0..<keys.count).sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
            XCTAssertEqual(RadixSort.order(keys).map(Int.init), expected, "\(bits) bits")
        }
        XCTAssertEqual(RadixSort.order([]), [])
        XCTAssertEqual(RadixSort.order([7, 7, 7]), [0, 1, 2])
    }
}
