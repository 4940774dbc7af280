import Foundation
import XCTest
import Core
@testable import Ingest

/// The CI layer of the hostile-input fuzzing (issue #10): seeded mutants of the fixtures through
/// each format's real reading path (`BufferReading`: line reader, parser, counting, limits).
///
/// Every input must either read to a sane result (`ParsedInput.problems()` empty: columns and
/// counts consistent, ids in range, unique, valid UTF-8 without control bytes, finite ratings) or
/// fail with an exit-65 `AccfError` naming the file and line. Each input is read twice — tiny
/// blocks and reads on the parallel JSON path, one big block line by line — and both readings
/// must agree exactly, so block boundaries and threads cannot change a result. Each input is
/// time-boxed. The libFuzzer harnesses in `Fuzz/` (scripts/fuzz.sh) run the same checks longer.
final class ParserFuzzTests: XCTestCase {
    /// Inputs per format: ~2–4 s each in a debug build.
    private let inputsPerFormat = 1_500
    /// A single input taking longer than this is a hang (generous: debug build, shared cores).
    private let secondsPerInput = 2.0

    private func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(name))))
    }

    private static let csvSeeds: [String] = [
        "user_id,item_id,rating,timestamp\n1,10,5.0,881250949\n2,\"a, b\",3,881250950\r\n\"x\"\"y\",20,4,881250951\n",
        "user_id;item_id;rating;timestamp\nu1;i1;1;1514764800\nu2;i2;2.5;1514764801\n",
        "1\t10\t5\t881250949\n2\t10\t3\t881250950\n",
        "a::b::4::2018-01-02T03:04:05Z\nc::d::1::2018-01-02\n",
    ]

    /// Mutates `seeds` and checks every mutant read under `configure`d configs.
    private func fuzz(_ name: String, seeds: [[UInt8]], path: String = "fuzz-input.txt", seed: UInt64,
                      configure: (inout IngestConfig, Int) -> Void) throws {
        var mutator = ByteMutator(seed: seed, seeds: seeds)
        var accepted = 0, refused = 0, slowest = 0.0
        for k in 0..<inputsPerFormat {
            let input = k < seeds.count ? seeds[k] : mutator.next()
            var config = IngestConfig()
            config.maxBadLineFraction = k % 4 == 0 ? 0.05 : 1
            config.maxLineLength = 1024
            configure(&config, k)
            let started = DispatchTime.now().uptimeNanoseconds
            let small = Result { try BufferReading.read(input, config: config, path: path, blockSize: 64, chunk: 7, parallelJSON: true) }
            let big = Result { try BufferReading.read(input, config: config, path: path, blockSize: 1 << 16, chunk: 1 << 16, parallelJSON: false) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            slowest = max(slowest, seconds)
            let context = "\(name) input \(k): \(String(decoding: input.prefix(200), as: UTF8.self).debugDescription)"
            XCTAssertLessThan(seconds, secondsPerInput, "slow: \(context)")
            switch (small, big) {
            case (.success(let a), .success(let b)):
                accepted += 1
                XCTAssertEqual(a.problems(), [], context)
                XCTAssertTrue(Self.same(a, b), "block size or scan path changed the result: \(context)")
                XCTAssertLessThanOrEqual(a.users.count, input.count, context)
            case (.failure(let a), .failure(let b)):
                refused += 1
                guard let e = a as? AccfError else { XCTFail("not an AccfError: \(a) for \(context)"); continue }
                XCTAssertEqual(e.status, .dataError, context)
                XCTAssertNotNil(e.description.range(of: "\(path):[0-9]+", options: .regularExpression), "\(e) for \(context)")
                XCTAssertEqual(e, b as? AccfError, context)
            default:
                XCTFail("one reading failed, the other did not: \(small) vs \(big) for \(context)")
            }
            if testRun?.failureCount ?? 0 > 20 { return }
        }
        print("ParserFuzzTests \(name): \(inputsPerFormat) inputs, \(accepted) read, \(refused) refused (exit 65), slowest \(String(format: "%.3f", slowest)) s")
        XCTAssertGreaterThan(accepted, inputsPerFormat / 10, "the mutants should not all be refused")
    }

    private static func same(_ a: ParsedInput, _ b: ParsedInput) -> Bool {
        a.report == b.report && a.userIds == b.userIds && a.itemIds == b.itemIds && a.users == b.users && a.items == b.items
            && a.timestamps == b.timestamps && a.ratings.map(\.bitPattern) == b.ratings.map(\.bitPattern)
    }

    func testYelpJSONMutants() throws {
        try fuzz("yelp-json", seeds: [try fixture("yelp.json"), try fixture("amazon.json")], seed: 11) { c, _ in c.format = .yelpJSON }
    }

    func testAmazonJSONMutants() throws {
        try fuzz("amazon-json", seeds: [try fixture("amazon.json"), try fixture("yelp.json")], seed: 12) { c, _ in c.format = .amazonJSON }
    }

    func testCSVMutants() throws {
        let seeds = Self.csvSeeds.map { Array($0.utf8) } + [try fixture("groceries.csv")]
        try fuzz("csv", seeds: seeds, seed: 13) { c, k in
            c.format = .csv
            c.delimiter = [",", ";", "\t", "::"][k % 4]
            c.hasHeader = k % 3 != 2
            c.userColumn = c.hasHeader ? .name("user_id") : .index(0)
            c.itemColumn = c.hasHeader ? .name("item_id") : .index(1)
            c.ratingColumn = k % 5 == 0 ? nil : (c.hasHeader ? .name("rating") : .index(2))
            c.timestampColumn = k % 7 == 0 ? nil : (c.hasHeader ? .name("timestamp") : .index(3))
            c.timestampFormat = [.unixSeconds, .unixMilliseconds, .iso8601][k % 3]
        }
    }

    func testMovieLensAndRecBoleMutants() throws {
        let seeds = try ["u.data", "ratings.dat", "ratings.csv", "small.inter"].map(fixture)
        try fuzz("movielens", seeds: seeds, seed: 14) { c, _ in c.format = .movielens }
    }

    func testLightGCNMutants() throws {
        let seeds = try ["train.txt", "test.txt"].map(fixture) + [Array("0 1 2 3\n1 4294967296 99999999999999999999\n\n7\n".utf8)]
        try fuzz("lightgcn", seeds: seeds, path: "train.txt", seed: 15) { c, _ in c.format = .lightgcn }
    }
}
