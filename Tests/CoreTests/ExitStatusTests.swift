import XCTest
@testable import Core

final class ExitStatusTests: XCTestCase {
    func testSysexitsValues() {
        XCTAssertEqual(ExitStatus.ok.rawValue, 0)
        XCTAssertEqual(ExitStatus.usage.rawValue, 64)
        XCTAssertEqual(ExitStatus.dataError.rawValue, 65)
        XCTAssertEqual(ExitStatus.noInput.rawValue, 66)
        XCTAssertEqual(ExitStatus.software.rawValue, 70)
        XCTAssertEqual(ExitStatus.cannotCreate.rawValue, 73)
        XCTAssertEqual(ExitStatus.ioError.rawValue, 74)
        XCTAssertEqual(ExitStatus.temporaryFailure.rawValue, 75)
    }

    func testErrorConstructorsMapToStatusAndNameTheFile() {
        let bad = AccfError.badData("in.csv", line: 12, "missing item column")
        XCTAssertEqual(bad.status, .dataError)
        XCTAssertTrue(bad.description.hasPrefix("in.csv:12: missing item column"))
        XCTAssertEqual(AccfError.missingInput("x").status, .noInput)
        XCTAssertEqual(AccfError.cannotCreate("x", "r").status, .cannotCreate)
        XCTAssertEqual(AccfError.io("x", "r").status, .ioError)
        XCTAssertEqual(AccfError.corrupt("g.bin", "bad").status, .dataError)
        XCTAssertEqual(AccfError.internalError("r").status, .software)
        XCTAssertEqual(AccfError.usage("r").status, .usage)
    }

    func testDescriptionIsOneLine() {
        let e = AccfError(.dataError, "a\nb", hint: "c\r\nd")
        XCTAssertFalse(e.description.contains("\n"))
        XCTAssertFalse(e.description.contains("\r"))
    }
}
