import Core
import XCTest
@testable import Export

final class ExportShardTests: XCTestCase {
    func testParsingAndRangesTileTheUsers() throws {
        XCTAssertEqual(try ExportShard(parsing: "2/5"), try ExportShard(index: 2, count: 5))
        for text in ["0/3", "4/3", "1/0", "a/b", "1", "1/2/3", ""] {
            assertThrowsAccfError(.usage, mentioning: "i/n") { _ = try ExportShard(parsing: text) }
        }
        for users in [0, 1, 7, 100, 31_668] {
            for n in [1, 2, 3, 8] {
                var next = 0
                for i in 1...n {
                    let r = try ExportShard(index: i, count: n).userRange(userCount: users)
                    XCTAssertEqual(r.lowerBound, next)
                    next = r.upperBound
                }
                XCTAssertEqual(next, users)
            }
        }
    }
}
