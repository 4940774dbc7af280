import XCTest
import Core
@testable import Ingest

/// Each format on hand-written fixtures, in each compression, with every interaction checked.
final class FormatFixtureTests: XCTestCase {
    private let compressions = ["", ".gz", ".zst"]

    /// All interactions as (user id, item id, rating, time), with everything kept in train, sorted
    /// (the row order follows the dense ids, which `id_order` decides; the content must not).
    private func rows(_ c: IngestConfig) throws -> (IngestReport, [String]) {
        var config = c
        config.minInteractionsToSplit = 1_000
        let (report, ds, _) = try Fixtures.ingest(config)
        let users = try ds.userIds(), items = try ds.itemIds()
        let train = try ds.interactions(.train)
        XCTAssertEqual(try ds.interactions(.test).count, 0)
        var out: [String] = []
        for k in 0..<train.count {
            var s = "\(users[Int(train.users[k])]) \(items[Int(train.items[k])])"
            if let r = train.ratings { s += " \(r[k])" }
            if let t = train.timestamps { s += " \(t[k])" }
            out.append(s)
        }
        return (report, out.sorted())
    }

    func testYelpNastyJSON() throws {
        for z in compressions {
            var c = IngestConfig()
            c.format = .yelpJSON
            c.inputs = [Fixtures.path("yelp.json" + z)]
            c.maxBadLineFraction = 0.5
            let (report, got) = try rows(c)
            XCTAssertEqual(report.inputs[0].compression, z == "" ? "plain" : (z == ".gz" ? "gzip" : "zstd"))
            XCTAssertEqual(got, ["u1 b1 5.0 1514862245", "u1 b2 4.0 1514937600", "u2 b/3 2.0 1464782400",
                                 "ué😀 b1 3.5 1514764799", "ü5 b2 1.0 1549166706"], z)
            XCTAssertEqual(report.linesRead, 10)
            XCTAssertEqual(report.linesSkipped, 1)
            XCTAssertEqual(report.linesMalformed, 4)
            XCTAssertEqual(Set(report.malformed.map(\.reason)),
                           ["missing field stars", "invalid JSON: unterminated string", "empty or invalid user_id or business_id",
                            "field date has an invalid value"])
            XCTAssertEqual(report.malformed.first { $0.reason == "missing field stars" }?.examples.first?.line, 6)
        }
    }

    func testAmazonBothShapesAndDuplicates() throws {
        for z in compressions {
            var c = IngestConfig()
            c.format = .amazonJSON
            c.inputs = [Fixtures.path("amazon.json" + z)]
            c.maxBadLineFraction = 0.5
            let (report, got) = try rows(c)
            XCTAssertEqual(got, ["A1 X1 4.0 1472774400", "A2 X2 3.0 1300000000", "U9 P1 2.0 1588615855", "U9 Y2 1.0 1588615855"], z)
            XCTAssertEqual(report.duplicates, 1)
            XCTAssertEqual(report.linesMalformed, 1)
            XCTAssertEqual(report.malformed.first?.reason, "missing field asin")
            XCTAssertEqual(report.malformed.first?.examples.first?.line, 6)
        }
    }

    func testMovieLensVariants() throws {
        for name in ["u.data", "ratings.dat", "ratings.csv", "small.inter"] {
            for z in compressions {
                var c = IngestConfig()
                c.format = .movielens
                c.inputs = [Fixtures.path(name + z)]
                let (report, got) = try rows(c)
                XCTAssertEqual(got, ["1 10 5.0 881250949", "1 20 4.0 881250951", "2 10 3.0 881250950"], name + z)
                XCTAssertEqual(report.linesMalformed, 0, name + z)
            }
        }
    }

    func testLightGCNKeepsGivenSplit() throws {
        for z in compressions {
            var c = IngestConfig()
            c.format = .lightgcn
            c.inputs = [Fixtures.path("train.txt" + z), Fixtures.path("test.txt" + z)]
            c.givenValidFraction = 0
            c.idOrder = .external  // the published ids, as dense ids
            let (report, ds, _) = try Fixtures.ingest(c)
            XCTAssertEqual(report.splitMethod, "given")
            XCTAssertEqual(ds.userCount, 3)
            XCTAssertEqual(ds.itemCount, 4)
            let train = try ds.interactions(.train), test = try ds.interactions(.test)
            XCTAssertEqual(train.users, [0, 0, 0, 1, 1, 2])
            XCTAssertEqual(train.items, [0, 1, 2, 2, 3, 0])
            XCTAssertEqual(test.users, [0, 1, 2])
            XCTAssertEqual(test.items, [3, 0, 1])
            XCTAssertNil(train.ratings)
            XCTAssertNil(train.timestamps)
            XCTAssertEqual(try ds.interactions(.valid).count, 0)
            XCTAssertEqual(try ds.userIds(), ["0", "1", "2"])
        }
    }

    func testGroceriesStyleCSVWithCRLFQuotesAndBadLines() throws {
        for z in compressions {
            var c = IngestConfig()
            c.format = .csv
            c.inputs = [Fixtures.path("groceries.csv" + z)]
            c.userColumn = .name("Member_number")
            c.itemColumn = .name("itemDescription")
            c.timestampColumn = .name("Date")
            c.timestampFormat = try DateFormat(name: "%d-%m-%Y")
            c.maxBadLineFraction = 0.5
            let (report, got) = try rows(c)
            XCTAssertEqual(got, ["1808 fruit, tropical 1437523200", "1808 tropical fruit 1437436800",
                                 "2552 whole milk 1420416000", "3000 say \"hi\" 1388534400"], z)
            XCTAssertEqual(report.duplicates, 1)
            XCTAssertEqual(report.linesMalformed, 2)
            XCTAssertEqual(report.linesSkipped, 1)
            XCTAssertEqual(Set(report.malformed.map(\.reason)), ["empty user id", "timestamp does not match the format %d-%m-%Y"])
        }
    }

    func testCSVWithoutHeaderByIndexAndTabs() throws {
        let dir = Fixtures.scratch()
        let path = FilePath.join(dir, "log.tsv")
        Fixtures.write("a\tx\t2\nb\ty\t5\r\nc\tz\n", to: path)
        var c = IngestConfig()
        c.format = .csv
        c.inputs = [path]
        c.delimiter = "\t"
        c.hasHeader = false
        c.userColumn = .index(0)
        c.itemColumn = .index(1)
        c.ratingColumn = .index(2)
        c.maxBadLineFraction = 0.5
        let (report, got) = try rows(c)
        XCTAssertEqual(got, ["a x 2.0", "b y 5.0"])
        XCTAssertEqual(report.malformed.first?.reason, "too few fields (need at least 3)")
    }
}
