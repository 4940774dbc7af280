import Foundation
import XCTest
@testable import Core
@testable import Ingest

final class SyntheticLogGeneratorTests: XCTestCase {
    private func bytes(_ config: SyntheticConfig) throws -> ([UInt8], SyntheticLogGenerator.Summary) {
        var out: [UInt8] = []
        let summary = try SyntheticLogGenerator(config: config).generate { out.append(contentsOf: $0) }
        return (out, summary)
    }

    private func config(_ format: SyntheticFormat, seed: UInt64 = 1, lines: Int = 5_000, malformed: Double = 0) -> SyntheticConfig {
        var c = SyntheticConfig()
        c.format = format
        c.seed = seed
        c.interactions = lines
        c.malformedFraction = malformed
        c.reviewWords = 8
        return c
    }

    func testSameSeedSameBytesDifferentSeedDifferentBytes() throws {
        for format in SyntheticFormat.allCases {
            let (a, _) = try bytes(config(format, seed: 1))
            let (b, _) = try bytes(config(format, seed: 1))
            let (c, _) = try bytes(config(format, seed: 2))
            XCTAssertEqual(a, b, "\(format): same seed must give the same bytes")
            XCTAssertNotEqual(a, c, "\(format): different seeds must differ")
        }
    }

    func testMalformedFractionIsHonouredWithinTenPercentRelative() throws {
        // Counted independently of the generator: a MovieLens line is valid iff it has four
        // tab-separated numeric fields.
        let (out, summary) = try bytes(config(.movielens, seed: 5, lines: 40_000, malformed: 0.05))
        let lines = String(decoding: out, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, 40_000)
        let invalid = lines.filter { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            return f.count != 4 || f.contains { Int($0) == nil }
        }.count
        XCTAssertEqual(invalid, summary.malformedLines)
        XCTAssertEqual(Double(invalid) / 40_000, 0.05, accuracy: 0.005)
    }

    func testJSONLinesAreValidJSONWithNastyText() throws {
        for format in [SyntheticFormat.amazonJSON, .yelpJSON] {
            let (out, _) = try bytes(config(format, lines: 300))
            let lines = out.split(separator: 10)
            XCTAssertEqual(lines.count, 300)
            var sawEscape = false
            for line in lines {
                let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
                XCTAssertNotNil(object)
                let text = (object?["reviewText"] ?? object?["text"]) as? String ?? ""
                if text.contains("\"") || text.contains("é") { sawEscape = true }
            }
            XCTAssertTrue(sawEscape, "\(format): review text should exercise escapes")
        }
    }

    func testPlantedClusterStructureAndRatingAffinity() throws {
        var c = config(.movielens, seed: 7, lines: 30_000)
        c.clusters = 8
        let generator = try SyntheticLogGenerator(config: c)
        var out: [UInt8] = []
        let summary = try generator.generate { out.append(contentsOf: $0) }
        // Random pairing would put ~1/8 of interactions in the user's cluster.
        let share = Double(summary.inClusterInteractions) / Double(summary.lines)
        XCTAssertGreaterThan(share, 0.6)
        // Ratings follow affinity: in-cluster interactions are rated clearly higher.
        var inSum = 0.0, inCount = 0.0, outSum = 0.0, outCount = 0.0
        for line in String(decoding: out, as: UTF8.self).split(separator: "\n") {
            let f = line.split(separator: "\t")
            let u = Int(f[0])! - 1, i = Int(f[1])! - 1, r = Double(f[2])!
            if generator.population.userCluster[u] == generator.population.itemCluster[i] {
                inSum += r; inCount += 1
            } else {
                outSum += r; outCount += 1
            }
        }
        XCTAssertGreaterThan(inSum / inCount - outSum / outCount, 1.0)
    }

    func testPopularityIsSkewedButNotEverything() throws {
        let (out, _) = try bytes(config(.movielens, seed: 11, lines: 30_000))
        var counts: [Int: Int] = [:]
        for line in String(decoding: out, as: UTF8.self).split(separator: "\n") {
            counts[Int(line.split(separator: "\t")[1])!, default: 0] += 1
        }
        let sorted = counts.values.sorted(by: >)
        let top10 = Double(sorted.prefix(10).reduce(0, +)) / 30_000
        XCTAssertGreaterThan(top10, 0.1, "Zipf popularity: a head of popular items")
        XCTAssertLessThan(top10, 0.6, "but clusters keep the tail alive")
    }

    func testCompressedOutputsDecompressToTheSameBytes() throws {
        let dir = NSTemporaryDirectory() + "accf-synth-\(UUID().uuidString)"
        try FilePath.createDirectories(dir)
        defer { FilePath.removeTree(dir) }
        let c = config(.yelpJSON, lines: 2_000)
        let (plain, _) = try bytes(c)
        for ext in ["gz", "zst"] {
            let path = "\(dir)/log.json.\(ext)"
            _ = try SyntheticLogGenerator(config: c).write(to: path)
            let tool = ext == "gz" ? ["gzip", "-dc", path] : ["zstd", "-dcq", path]
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = tool
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "\(ext) must decompress")
            XCTAssertEqual(Array(data), plain, "\(ext) content")
        }
        XCTAssertFalse(FilePath.list(dir).contains { $0.hasPrefix(".") }, "no temporary files left")
    }

    func testInvalidConfigIsAUsageError() {
        var c = SyntheticConfig()
        c.malformedFraction = 1.5
        XCTAssertThrowsError(try SyntheticLogGenerator(config: c)) {
            XCTAssertEqual(($0 as? AccfError)?.status, .usage)
        }
    }
}
