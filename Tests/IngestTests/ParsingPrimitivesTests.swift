import XCTest
@testable import Ingest

final class ParsingPrimitivesTests: XCTestCase {
    private func d(_ s: String) -> Double? { Array(s.utf8).withUnsafeBufferPointer { NumberParsing.double($0) } }
    private func i(_ s: String) -> Int64? { Array(s.utf8).withUnsafeBufferPointer { NumberParsing.int64($0) } }
    private func t(_ f: DateFormat, _ s: String) -> Int64? { Array(s.utf8).withUnsafeBufferPointer { f.parse($0) } }

    func testNumbers() {
        XCTAssertEqual(d("4.0"), 4.0)
        XCTAssertEqual(d("3.7"), 3.7)
        XCTAssertEqual(d("-0.25"), -0.25)
        XCTAssertEqual(d("1e0"), 1.0)
        XCTAssertEqual(d("2.5E-1"), 0.25)
        XCTAssertEqual(d("0.1234567890123456789"), 0.1234567890123456789)
        XCTAssertNil(d("abc"))
        XCTAssertNil(d("4.0x"))
        XCTAssertNil(d(""))
        XCTAssertNil(d("inf"))
        XCTAssertEqual(i("881250949"), 881_250_949)
        XCTAssertEqual(i("881250949.0"), 881_250_949)
        XCTAssertEqual(i("-5"), -5)
        XCTAssertNil(i("99999999999999999999999"))
        XCTAssertNil(i("12a"))
    }

    func testDates() throws {
        XCTAssertEqual(DateFormat.days(year: 1970, month: 1, day: 1), 0)
        XCTAssertEqual(DateFormat.days(year: 2000, month: 3, day: 1), 11017)
        XCTAssertEqual(t(.pattern("%Y-%m-%d %H:%M:%S"), "2018-10-04 18:22:35"), 1_538_677_355)
        XCTAssertEqual(t(try DateFormat(name: "%d-%m-%Y"), "21-07-2015"), 1_437_436_800)
        XCTAssertEqual(t(.pattern("%m %d, %Y"), "09 1, 2016"), 1_472_688_000)
        XCTAssertNil(t(.pattern("%d-%m-%Y"), "21-13-2015"))
        XCTAssertNil(t(.pattern("%d-%m-%Y"), "21-07-15"))
        XCTAssertEqual(t(.iso8601, "2018-10-04T18:22:35Z"), 1_538_677_355)
        XCTAssertEqual(t(.iso8601, "2018-10-04T20:22:35.250+02:00"), 1_538_677_355)
        XCTAssertEqual(t(.iso8601, "2018-10-04"), 1_538_611_200)
        XCTAssertEqual(t(.unixMilliseconds, "1588615855123"), 1_588_615_855)
        XCTAssertThrowsError(try DateFormat(name: "%Q"))
        XCTAssertThrowsError(try DateFormat(name: "weird"))
    }

    func testInternerAssignsFirstAppearanceOrderAndSurvivesGrowth() {
        var interner = ByteInterner(capacity: 4)
        var ids: [UInt32] = []
        for k in 0..<5000 { ids.append(Array("id\(k % 3000)".utf8).withUnsafeBufferPointer { interner.intern($0) }) }
        XCTAssertEqual(interner.count, 3000)
        for k in 0..<5000 { XCTAssertEqual(ids[k], UInt32(k % 3000)) }
        XCTAssertEqual(interner.string(1234), "id1234")
    }

    func testInternerTellsLongIdsWithACommonPrefixApart() {
        var interner = ByteInterner(capacity: 2)
        let prefix = String(repeating: "p", count: 24)
        let keys = (0..<300).map { "\(prefix)\($0)" } + ["short", "", "007", "7", "0", String(repeating: "x", count: 300)]
        let first = keys.map { k in Array(k.utf8).withUnsafeBufferPointer { interner.intern($0) } }
        let again = keys.map { k in Array(k.utf8).withUnsafeBufferPointer { interner.intern($0) } }
        XCTAssertEqual(first, Array(0..<UInt32(keys.count)))
        XCTAssertEqual(again, first)
        for (k, key) in keys.enumerated() { XCTAssertEqual(interner.string(k), key) }
    }

    func testDenseIdsSortNumbersNumerically() {
        var interner = ByteInterner()
        for s in ["10", "b", "2", "a", "007", "1"] { _ = Array(s.utf8).withUnsafeBufferPointer { interner.intern($0) } }
        let (forward, backward) = DenseIds.order(interner, used: [true, true, true, true, true, false])
        XCTAssertEqual(backward.map { interner.string($0) }, ["2", "007", "10", "a", "b"])
        XCTAssertEqual(forward[5], .max)
        XCTAssertEqual(forward[0], 2)
    }
}
