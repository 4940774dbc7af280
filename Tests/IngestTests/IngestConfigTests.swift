import XCTest
@testable import Core
@testable import Ingest

final class IngestConfigTests: XCTestCase {
    private func csvConfig(header: Bool) -> IngestConfig {
        var c = IngestConfig()
        c.inputs = ["purchases.csv"]
        c.format = .csv
        c.hasHeader = header
        return c
    }

    func testColumnNamesWithoutAHeaderAreRefused() {
        var c = csvConfig(header: false)
        XCTAssertNoThrow(try c.validate(), "default user_id/item_id mean columns 0 and 1")
        c.ratingColumn = .name("stars")
        XCTAssertThrowsError(try c.validate()) { error in
            XCTAssertEqual((error as? AccfError)?.status, .usage)
            XCTAssertTrue("\(error)".contains("rating_column"))
        }
        c.ratingColumn = .index(2)
        c.itemColumn = .name("product")
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("item_column")) }
    }

    func testColumnNamesWithAHeaderAreFine() {
        var c = csvConfig(header: true)
        c.ratingColumn = .name("stars")
        c.timestampColumn = .name("Date")
        XCTAssertNoThrow(try c.validate())
    }
}
