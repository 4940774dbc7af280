import XCTest
import Core
@testable import Ingest

/// Ingest of the real public data in `../shared/data`; skipped when it is absent.
final class RealDataTests: XCTestCase {
    func testMovieLens100K() throws {
        let dir = try Fixtures.realData("ml-100k")
        var c = IngestConfig()
        c.format = .movielens
        c.inputs = [FilePath.join(dir, "ml-100k.inter.zst")]
        c.idOrder = .external
        let (report, ds, _) = try Fixtures.ingest(c)
        XCTAssertEqual(report.usersParsed, 943)
        XCTAssertEqual(report.itemsParsed, 1682)
        XCTAssertEqual(report.interactionsParsed, 100_000)
        XCTAssertEqual(report.linesMalformed, 0)
        XCTAssertEqual(report.duplicates, 0)
        XCTAssertEqual(ds.userCount, 943)
        XCTAssertEqual(ds.itemCount, 1682)
        let counts = try Split.allCases.map { try ds.interactions($0).count }
        XCTAssertEqual(counts.reduce(0, +), 100_000)
        XCTAssertEqual(try ds.userIds().prefix(3), ["1", "2", "3"])
        // ml-100k users have ≥ 20 ratings, so every user has valid and test items.
        XCTAssertEqual(report.splits.map(\.users), [943, 943, 943])
    }

    func testYelp2018LightGCNSplit() throws {
        let dir = try Fixtures.realData("lightgcn-yelp2018")
        var c = IngestConfig()
        c.format = .lightgcn
        c.inputs = [FilePath.join(dir, "train.txt.zst"), FilePath.join(dir, "test.txt.zst")]
        c.givenValidFraction = 0
        c.idOrder = .external
        let (report, ds, _) = try Fixtures.ingest(c)
        XCTAssertEqual(ds.userCount, 31_668)
        XCTAssertEqual(ds.itemCount, 38_048)
        XCTAssertEqual(try ds.interactions(.train).count, 1_237_259)
        XCTAssertEqual(try ds.interactions(.test).count, 324_147)
        XCTAssertEqual(report.duplicates, 0)
        // Dense ids equal the published remapped ids.
        let items = try ds.itemIds()
        XCTAssertEqual(items.first, "0")
        XCTAssertEqual(items.last, "38047")
    }

    func testAmazonReviews2018Duplicates() throws {
        let dir = try Fixtures.realData("amazon-reviews-2018")
        for (file, reviews, users, items, dups) in [("AMAZON_FASHION_5.json.gz", 3176, 406, 31, 134),
                                                    ("All_Beauty_5.json.gz", 5269, 991, 85, 1177)] {
            var c = IngestConfig()
            c.format = .amazonJSON
            c.inputs = [FilePath.join(dir, file)]
            let (report, ds, out) = try Fixtures.ingest(c, name: file)
            XCTAssertEqual(report.interactionsParsed, reviews, file)
            XCTAssertEqual(report.linesMalformed, 0, file)
            XCTAssertEqual(report.duplicates, dups, file)
            XCTAssertEqual(ds.userCount, users, file)
            XCTAssertEqual(ds.itemCount, items, file)
            let text = String(decoding: try FilePath.readAll(FilePath.join(out, "report.txt")), as: UTF8.self)
            XCTAssertTrue(text.contains("duplicate (user, item) removed: \(dups)"), text)
        }
    }

    func testYelpReviewSamples() throws {
        let dir = try Fixtures.realData("yelp-academic-reviews-sample")
        for (file, lines, users, items) in [("yelp_academic_dataset_review.sample_a.json.zst", 3610, 3494, 2219),
                                            ("yelp_academic_dataset_review.sample_b.json.zst", 500, 499, 443)] {
            var c = IngestConfig()
            c.format = .yelpJSON
            c.inputs = [FilePath.join(dir, file)]
            let (report, ds, _) = try Fixtures.ingest(c, name: file)
            XCTAssertEqual(report.linesRead, lines, file)
            XCTAssertEqual(report.interactionsParsed, lines, file)
            XCTAssertEqual(report.linesMalformed, 0, file)
            XCTAssertEqual(ds.userCount, users, file)
            XCTAssertEqual(ds.itemCount, items, file)
            XCTAssertTrue(ds.hasTimestamps && ds.hasRatings)
        }
    }

    func testGroceriesCSV() throws {
        let dir = try Fixtures.realData("groceries-transactions")
        var c = IngestConfig()
        c.format = .csv
        c.inputs = [FilePath.join(dir, "Groceries_dataset.csv.zst")]
        c.userColumn = .name("Member_number")
        c.itemColumn = .name("itemDescription")
        c.timestampColumn = .name("Date")
        c.timestampFormat = try DateFormat(name: "%d-%m-%Y")
        let (report, ds, _) = try Fixtures.ingest(c)
        XCTAssertEqual(report.linesRead, 38_766)
        XCTAssertEqual(report.interactionsParsed, 38_765)
        XCTAssertEqual(report.linesMalformed, 0)
        XCTAssertEqual(ds.userCount, 3898)
        XCTAssertEqual(ds.itemCount, 167)
        // Repeat purchases of an item by a member collapse to the latest.
        XCTAssertEqual(report.duplicates, 38_765 - report.interactions)
        XCTAssertGreaterThan(report.duplicates, 0)
    }
}
