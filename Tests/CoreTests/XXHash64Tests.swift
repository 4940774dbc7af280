import XCTest
@testable import Core

final class XXHash64Tests: XCTestCase {
    private func hash(_ s: String) -> UInt64 { XXHash64.hash(Array(s.utf8)) }

    func testReferenceVectors() {
        // Published XXH64 values (seed 0).
        XCTAssertEqual(hash(""), 0xEF46_DB37_51D8_E999)
        XCTAssertEqual(hash("a"), 0xD24E_C4F1_A98C_6E5B)
        XCTAssertEqual(hash("abc"), 0x44BC_2CF5_AD77_0999)
    }

    func testStreamingEqualsOneShot() {
        var rng = SeededGenerator(seed: 3)
        let bytes = (0..<1000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let whole = XXHash64.hash(bytes)
        for split in [1, 7, 31, 32, 33, 500, 999] {
            var h = XXHash64()
            h.update(Array(bytes[0..<split]))
            h.update(Array(bytes[split...]))
            XCTAssertEqual(h.digest, whole, "split at \(split)")
        }
    }
}
