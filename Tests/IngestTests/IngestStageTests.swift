import XCTest
import Foundation
import Core
@testable import Ingest

/// The stage end to end: determinism, splits, atomic publication and the documented failures.
final class IngestStageTests: XCTestCase {
    /// A seeded synthetic movielens-style log: 60 users × ~15 ratings over 40 items, with duplicates.
    private func syntheticLog(_ dir: String) -> String {
        var rng = SeededGenerator(seed: 99)
        var s = ""
        for u in 0..<60 {
            for k in 0..<(5 + rng.nextInt(below: 20)) {
                s += "\(u)\t\(rng.nextInt(below: 40))\t\(1 + rng.nextInt(below: 5))\t\(1_000_000 + k * 100 + rng.nextInt(below: 50))\n"
            }
        }
        let path = FilePath.join(dir, "u.data")
        Fixtures.write(s, to: path)
        return path
    }

    private func config(_ input: String, _ edit: (inout IngestConfig) -> Void = { _ in }) -> IngestConfig {
        var c = IngestConfig()
        c.format = .movielens
        c.inputs = [input]
        c.shardInteractions = 100
        edit(&c)
        return c
    }

    private func files(_ dir: String) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for f in FilePath.list(dir) { out[f] = try FilePath.readAll(FilePath.join(dir, f)) }
        return out
    }

    func testSameSeedGivesIdenticalBytesAndSplitsArePerUserDisjoint() throws {
        let dir = Fixtures.scratch()
        let input = syntheticLog(dir)
        for method in SplitMethod.allCases where method != .given {
            let c = config(input) {
                $0.split = method; $0.testCutoff = 1_001_500; $0.validCutoff = 1_001_200; $0.noiseFraction = 0.1
            }
            let a = FilePath.join(dir, "a-\(method.rawValue)"), b = FilePath.join(dir, "b-\(method.rawValue)")
            let report = try IngestStage.run(config: c, output: a)
            try IngestStage.run(config: c, output: b)
            XCTAssertEqual(try files(a), try files(b), method.rawValue)
            XCTAssertGreaterThan(report.splits[0].shards, 1, "several shards expected")
            let ds = try IngestedDataset.open(directory: a)
            var seen = Set<UInt64>()
            var total = 0
            for split in Split.allCases {
                let cols = try ds.interactions(split)
                total += cols.count
                for k in 0..<cols.count {
                    let key = UInt64(cols.users[k]) << 32 | UInt64(cols.items[k])
                    XCTAssertTrue(seen.insert(key).inserted, "(user, item) in two splits: \(method)")
                    if k > 0 { XCTAssertTrue((cols.users[k - 1], cols.items[k - 1]) < (cols.users[k], cols.items[k])) }
                }
            }
            XCTAssertEqual(total, report.interactions)
            XCTAssertEqual(report.noiseAdded, report.interactions - (report.interactionsParsed - report.duplicates))
            // Every shard holds whole users: shard user ranges tile 0..<userCount.
            let shards = ds.shards(.train)
            XCTAssertEqual(shards.first?.users.lowerBound, 0)
            XCTAssertEqual(shards.last?.users.upperBound, ds.userCount)
            for k in 1..<shards.count { XCTAssertEqual(shards[k - 1].users.upperBound, shards[k].users.lowerBound) }
        }
        let other = try IngestStage.run(config: config(input) { $0.seed = 5 }, output: FilePath.join(dir, "c"))
        let base = try IngestStage.run(config: config(input), output: FilePath.join(dir, "d"))
        XCTAssertNotEqual(other.contentHash, base.contentHash)
    }

    func testFailuresLeaveThePreviousOutputUntouched() throws {
        let dir = Fixtures.scratch()
        let input = syntheticLog(dir)
        let out = FilePath.join(dir, "out")
        try IngestStage.run(config: config(input), output: out)
        let before = try files(out)
        XCTAssertThrowsAccf(.noInput, "missing.data") {
            try IngestStage.run(config: self.config(FilePath.join(dir, "missing.data")), output: out)
        }
        XCTAssertThrowsAccf(.dataError, "k-core") {
            try IngestStage.run(config: self.config(input) { $0.userCore = 1000 }, output: out)
        }
        XCTAssertThrowsAccf(.dataError, "rating threshold") {
            try IngestStage.run(config: self.config(input) { $0.ratingThreshold = 6 }, output: out)
        }
        let junk = FilePath.join(dir, "junk.data")
        Fixtures.write((0..<100).map { $0 % 10 == 0 ? "1\t2\t3\t4" : "garbage line \($0)" }.joined(separator: "\n"), to: junk)
        XCTAssertThrowsAccf(.dataError, "max_bad_line_fraction") {
            try IngestStage.run(config: self.config(junk), output: out)
        }
        XCTAssertEqual(try files(out), before)
        XCTAssertFalse(FilePath.list(dir).contains { $0.contains("staging") })
    }

    func testBadLinesBelowTheLimitAreCountedAndSampled() throws {
        let dir = Fixtures.scratch()
        let path = FilePath.join(dir, "u.data")
        Fixtures.write((0..<40).map { $0 == 7 || $0 == 30 ? "1\tx\tbad\t4" : "\($0 % 5)\t\($0)\t4\t\($0)" }.joined(separator: "\n"), to: path)
        let (report, _, _) = try Fixtures.ingest(config(path) { $0.maxBadLineFraction = 0.1; $0.maxExamplesPerReason = 1 })
        XCTAssertEqual(report.linesMalformed, 2)
        XCTAssertEqual(report.malformed.first?.count, 2)
        XCTAssertEqual(report.malformed.first?.examples.map(\.line), [8])
        XCTAssertTrue(FilePath.list(FilePath.directory(of: path)).count > 0)
    }

    func testTimeWindowAndRatingThreshold() throws {
        let dir = Fixtures.scratch()
        let input = syntheticLog(dir)
        let (all, _, _) = try Fixtures.ingest(config(input) { $0.deduplicate = false })
        let (filtered, ds, _) = try Fixtures.ingest(config(input) {
            $0.deduplicate = false; $0.ratingThreshold = 4; $0.timeStart = 1_000_300; $0.timeEnd = 1_001_000
        })
        XCTAssertEqual(all.interactions, all.interactionsParsed)
        XCTAssertEqual(filtered.interactions, all.interactions - filtered.belowRatingThreshold - filtered.outsideTimeWindow)
        for split in Split.allCases {
            let c = try ds.interactions(split)
            XCTAssertTrue(c.ratings!.allSatisfy { $0 >= 4 })
            XCTAssertTrue(c.timestamps!.allSatisfy { $0 >= 1_000_300 && $0 < 1_001_000 })
        }
    }

    func testConfigDecodesSnakeCaseWithDefaultsAndValidates() throws {
        let json = #"{"inputs":["a.csv"],"format":"csv","user_column":"Member_number","item_column":2,"timestamp_format":"%d-%m-%Y","user_core":5,"split":"leave-one-out","split_ratios":[0.7,0.2,0.1],"noise_fraction":0.1}"#
        let c = try JSONDecoder().decode(IngestConfig.self, from: Data(json.utf8))
        XCTAssertEqual(c.userColumn, .name("Member_number"))
        XCTAssertEqual(c.itemColumn, .index(2))
        XCTAssertEqual(c.timestampFormat, .pattern("%d-%m-%Y"))
        XCTAssertEqual(c.userCore, 5)
        XCTAssertEqual(c.split, .leaveOneOut)
        XCTAssertEqual(c.maxBadLineFraction, IngestConfig().maxBadLineFraction)
        XCTAssertNoThrow(try c.validate())
        let back = try JSONDecoder().decode(IngestConfig.self, from: try JSONEncoder().encode(c))
        XCTAssertEqual(back, c)
        var bad = c
        bad.splitRatios = [0.5, 0.2]
        XCTAssertThrowsAccf(.usage, "split_ratios") { try bad.validate() }
        bad = c
        bad.split = .timeCutoff
        XCTAssertThrowsAccf(.usage, "test_cutoff") { try bad.validate() }
        bad = c
        bad.noiseFraction = 1.5
        XCTAssertThrowsAccf(.usage, "noise_fraction") { try bad.validate() }
        XCTAssertThrowsAccf(.usage, "inputs") { try IngestConfig().validate() }
    }

    func testTruncatedCompressedInputIsBadData() throws {
        let dir = Fixtures.scratch()
        for name in ["yelp.json.gz", "yelp.json.zst"] {
            let bytes = try FilePath.readAll(Fixtures.path(name))
            let path = FilePath.join(dir, name)
            try AtomicFileWriter.write(Array(bytes.prefix(bytes.count - 12)), to: path)
            var c = IngestConfig()
            c.format = .yelpJSON
            c.inputs = [path]
            c.maxBadLineFraction = 1
            XCTAssertThrowsAccf(.dataError, name) { try IngestStage.run(config: c, output: FilePath.join(dir, "out")) }
        }
    }
}
