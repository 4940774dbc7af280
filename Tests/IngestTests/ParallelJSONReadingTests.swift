import XCTest
import Core
@testable import Ingest

/// The block-parallel, double-buffered JSON path must equal the plain line-by-line one, across
/// many block boundaries, lines longer than a block, CRLF, bad lines and a missing final newline.
final class ParallelJSONReadingTests: XCTestCase {
    private func read(_ path: String, blockSize: Int, parallel: Bool) throws -> InputReading {
        var c = IngestConfig()
        c.format = .yelpJSON
        c.inputs = [path]
        c.maxBadLineFraction = 1
        var r = InputReading(config: c)
        r.blockSize = blockSize
        r.parallelJSON = parallel
        try r.readAll()
        return r
    }

    func testParallelEqualsSequentialAcrossBlockBoundaries() throws {
        var rng = SeededGenerator(seed: 11)
        var lines: [String] = []
        for k in 0..<600 {
            let text = String(repeating: "é \\\"x\\\" ", count: rng.nextInt(below: k % 50 == 0 ? 200 : 8))
            switch rng.nextInt(below: 20) {
            case 0: lines.append("{\"user_id\":\"u\(k % 37)\",\"business_id\":\"b\(k)\"")   // truncated
            case 1: lines.append("")
            default:
                lines.append("{\"text\":\"\(text)\",\"user_id\":\"u\\u00e9\(k % 37)\",\"business_id\":\"b\(k % 53)\",\"stars\":\(1 + k % 5),\"date\":\"2018-01-0\(1 + k % 9) 00:00:00\"}" + (k % 7 == 0 ? "\r" : ""))
            }
        }
        let path = FilePath.join(Fixtures.scratch(), "many.json")
        Fixtures.write(lines.joined(separator: "\n"), to: path)   // no final newline
        let reference = try read(path, blockSize: 1 << 20, parallel: false)
        XCTAssertEqual(reference.report.linesRead, 600)
        XCTAssertGreaterThan(reference.report.linesMalformed, 0)
        for blockSize in [64, 256, 1000, 1 << 20] {
            let p = try read(path, blockSize: blockSize, parallel: true)
            XCTAssertEqual(p.report, reference.report, "block size \(blockSize)")
            XCTAssertEqual(p.log.userColumn, reference.log.userColumn)
            XCTAssertEqual(p.log.itemColumn, reference.log.itemColumn)
            XCTAssertEqual(p.log.ratings, reference.log.ratings)
            XCTAssertEqual(p.log.timestamps, reference.log.timestamps)
            XCTAssertEqual(p.log.users.arena, reference.log.users.arena)
            XCTAssertEqual(p.log.items.arena, reference.log.items.arena)
        }
    }

    func testLineReaderGivesTheSameLinesForAnyBlockSize() throws {
        for name in ["groceries.csv", "groceries.csv.gz", "yelp.json.zst"] {
            var reference: [[UInt8]] = []
            try LineReader(path: Fixtures.path(name)).forEachLine { line, _ in reference.append(Array(line)) }
            for blockSize in [16, 33, 100] {
                var got: [[UInt8]] = []
                var numbers: [Int] = []
                try LineReader(path: Fixtures.path(name), blockSize: blockSize).forEachLine { line, n in
                    got.append(Array(line)); numbers.append(n)
                }
                XCTAssertEqual(got, reference, "\(name) block \(blockSize)")
                XCTAssertEqual(numbers, Array(1...reference.count))
            }
        }
    }
}
