import Foundation
import XCTest
import Core
@testable import Ingest

/// The nasty files of issue #10 through the real ingest path (`IngestStage.run` on files): each
/// either reads correctly, is counted and skipped where the format's rules say a line is
/// malformed, or stops with exit 65 naming the file (and line) — never a crash, a hang or a
/// silently wrong id. The CLI's exit codes for the same files: `HostileInputCommandTests`.
final class HostileInputTests: XCTestCase {
    private var dir = ""

    override func setUp() { dir = Fixtures.scratch(name) }

    private func file(_ name: String, _ bytes: [UInt8]) -> String {
        let path = FilePath.join(dir, name)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    private func file(_ name: String, _ text: String) -> String { file(name, Array(text.utf8)) }

    private func config(_ format: InputFormat, _ path: String) -> IngestConfig {
        var c = IngestConfig()
        c.format = format
        c.inputs = [path]
        c.minInteractionsToSplit = 1_000   // everything in train: easy to compare
        if format == .csv { c.userColumn = .name("user"); c.itemColumn = .name("item"); c.ratingColumn = .name("rating") }
        return c
    }

    /// (user, item) pairs of the train split by external id, and the report.
    private func pairs(_ c: IngestConfig) throws -> ([String], IngestReport) {
        let (report, ds, _) = try Fixtures.ingest(c, name: name + "\(c.format)")
        let users = try ds.userIds(), items = try ds.itemIds(), train = try ds.interactions(.train)
        return ((0..<train.count).map { "\(users[Int(train.users[$0])]) \(items[Int(train.items[$0])])" }.sorted(), report)
    }

    private func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let plain = file("plain-\(bytes.count)", bytes)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -c '\(plain)' > '\(plain).gz'"]
        try p.run(); p.waitUntilExit()
        return Array(try Data(contentsOf: URL(fileURLWithPath: plain + ".gz")))
    }

    // MARK: - Long lines

    func testOverlongLineStopsWithFileAndLineOnEveryReadingPath() throws {
        let long = String(repeating: "x", count: 300_000)
        let cases: [(InputFormat, String)] = [
            (.csv, "user,item,rating\na,b,1\nc,d,2\n\(long)\ne,f,3\n"),
            (.movielens, "1\t2\t3\t4\n2\t3\t4\t5\n3\t4\t5\t6\n\(long)"),
            (.lightgcn, "0 1 2\n1 2\n2 0\n\(long)\n"),
            (.yelpJSON, "{\"user_id\":\"u\",\"business_id\":\"b\",\"stars\":1,\"date\":\"2018-01-01\"}\n\n\n\(long)\n"),
        ]
        for (format, text) in cases {
            for compressed in [false, true] {
                let bytes = compressed ? try gzip(Array(text.utf8)) : Array(text.utf8)
                let path = file("long-\(format)\(compressed ? ".gz" : "")", bytes)
                var c = config(format, path)
                c.maxLineLength = 4096
                XCTAssertThrowsAccf(.dataError, "\(path):4: line is longer than max_line_length (4096 bytes)") {
                    _ = try IngestStage.run(config: c, output: FilePath.join(dir, "out"))
                }
                // A limit above the line reads it (and reports the line as malformed).
                c.maxLineLength = 1 << 20
                c.maxBadLineFraction = 0.5
                if format != .csv { XCTAssertEqual(try pairs(c).1.linesMalformed, 1, "\(format)") }
            }
        }
    }

    func testLineLimitIsValidated() {
        var c = config(.csv, "x.csv")
        for bad in [0, -1, IngestConfig.maxLineLengthLimit + 1] {
            c.maxLineLength = bad
            XCTAssertThrowsAccf(.usage, "max_line_length") { try c.validate() }
        }
    }

    // MARK: - Binary and encoding damage

    func testFileOfOnlyNULBytesIsExit65NamingFileAndLine() throws {
        for newlines in [false, true] {
            var bytes = [UInt8](repeating: 0, count: 100_000)
            if newlines { for k in stride(from: 999, to: bytes.count, by: 1000) { bytes[k] = 0x0A } }
            for format in InputFormat.allCases {
                let path = file("nul-\(format)-\(newlines)", bytes)
                do {
                    _ = try IngestStage.run(config: config(format, path), output: FilePath.join(dir, "out"))
                    XCTFail("\(format) accepted NUL bytes")
                } catch let e as AccfError {
                    XCTAssertEqual(e.status, .dataError, e.description)
                    XCTAssertTrue(e.description.contains("\(path):1:"), e.description)
                    XCTAssertLessThan(e.description.utf8.count, 800, "a bounded message: \(e.description.prefix(300))")
                }
            }
        }
    }

    func testInvalidUTF8AndControlBytesInIdsAreCountedAndSkipped() throws {
        // \xff and \xfe would both decode to U+FFFD: two users silently merged in the export.
        var csv = Array("user,item,rating\na,x,1\n".utf8)
        csv += [0xFF] + Array(",x,1\n".utf8) + [0xFE] + Array(",x,1\n".utf8) + Array("b,".utf8) + [0xC3, 0x28] + Array(",1\n".utf8)
        csv += Array("\"c\td\",x,1\n\"e\u{7F}\",y,1\nf,y,1\n".utf8)
        var c = config(.csv, file("bad-utf8.csv", csv))
        c.maxBadLineFraction = 0.9
        let (got, report) = try pairs(c)
        XCTAssertEqual(got, ["a x", "f y"])
        XCTAssertEqual(report.linesMalformed, 5)
        XCTAssertEqual(Set(report.malformed.map(\.reason)), [RawInteractionLog.badUser, RawInteractionLog.badItem])

        var json = Array(#"{"user_id":"u1","business_id":"b1","stars":1,"date":"2018-01-01","text":"ok "#.utf8)
        json += [0xFF, 0xC3] + Array("\"}\n".utf8)                                       // bad text: fine
        json += Array(#"{"user_id":"u"#.utf8) + [0xFF] + Array(#"","business_id":"b1","stars":1,"date":"2018-01-01"}"#.utf8) + [0x0A]
        json += Array(#"{"user_id":"u\tv","business_id":"b1","stars":1,"date":"2018-01-01"}"#.utf8) + [0x0A]
        json += Array(#"{"user_id":"u2","business_id":"b\u0000","stars":1,"date":"2018-01-01"}"#.utf8) + [0x0A]
        var j = config(.yelpJSON, file("bad-utf8.json", json))
        j.maxBadLineFraction = 0.9
        let (jgot, jreport) = try pairs(j)
        XCTAssertEqual(jgot, ["u1 b1"])
        XCTAssertEqual(jreport.linesMalformed, 3)
    }

    func testCRLFAndLFMixReadsLikeLF() throws {
        let lf = "1\t10\t5\t881250949\n2\t10\t3\t881250950\n1\t20\t4\t881250951\n"
        let mixed = "1\t10\t5\t881250949\r\n2\t10\t3\t881250950\n1\t20\t4\t881250951\r\n"
        XCTAssertEqual(try pairs(config(.movielens, file("lf.data", lf))).0,
                       try pairs(config(.movielens, file("mixed.data", mixed))).0)
        XCTAssertEqual(try pairs(config(.movielens, file("mixed2.data", mixed))).0, ["1 10", "1 20", "2 10"])
    }

    func testByteOrderMarkIsDropped() throws {
        let bom = "\u{FEFF}"
        XCTAssertEqual(try pairs(config(.movielens, file("bom.data", bom + "1\t10\t5\t881250949\n2\t10\t3\t881250950\n"))).0,
                       ["1 10", "2 10"])
        XCTAssertEqual(try pairs(config(.lightgcn, file("train.txt", bom + "0 1 2\n1 2\n"))).0, ["0 1", "0 2", "1 2"])
        let (json, report) = try pairs(config(.yelpJSON, file("bom.json", bom + #"{"user_id":"u","business_id":"b","stars":1,"date":"2018-01-01"}"# + "\n")))
        XCTAssertEqual(json, ["u b"])
        XCTAssertEqual(report.linesMalformed, 0)
        XCTAssertEqual(try pairs(config(.csv, file("bom.csv", bom + "user,item,rating\na,b,1\n"))).0, ["a b"])
    }

    // MARK: - Numbers and ids

    func testNumbersOutOfRange() throws {
        let text = "user,item,rating,time\na,x,1e39,1\nb,x,1e400,1\nc,x,5,99999999999999999999\nd,x,5,-9223372036854775807\n"
            + "4294967296,x,2,1\n99999999999999999999,x,2,1\n0,x,2,1\n"
        var c = config(.csv, file("numbers.csv", text))
        c.timestampColumn = .name("time")
        c.timestampFormat = .unixMilliseconds   // -9223372036854775807 ms trapped before the fix
        c.maxBadLineFraction = 0.9
        let (got, report) = try pairs(c)
        XCTAssertEqual(got, ["0 x", "4294967296 x", "99999999999999999999 x", "d x"])
        XCTAssertEqual(Set(report.malformed.map(\.reason)),
                       ["rating is out of range", "rating is not a number", "timestamp does not match the format unix_ms"])

        let json = #"{"reviewerID":"a","asin":"x","overall":1e39,"unixReviewTime":1}"# + "\n"
            + #"{"reviewerID":"b","asin":"x","overall":1,"unixReviewTime":1e300}"# + "\n"
            + #"{"reviewerID":"c","asin":"x","overall":1,"unixReviewTime":1}"# + "\n"
        var j = config(.amazonJSON, file("numbers.json", json))
        j.maxBadLineFraction = 0.9
        let (jgot, jreport) = try pairs(j)
        XCTAssertEqual(jgot, ["c x"])
        XCTAssertEqual(jreport.linesMalformed, 2)
    }

    func testIdsWithQuotesAndTabs() throws {
        var c = config(.csv, file("quotes.csv", "user,item,rating\n\"a\"\"b\",\"x, y\",1\n\"c\td\",x,1\n'e',\"\",1\n"))
        c.maxBadLineFraction = 0.9
        let (got, report) = try pairs(c)
        XCTAssertEqual(got, ["a\"b x, y"])
        XCTAssertEqual(report.linesMalformed, 2)   // a tab inside an id; an empty item id
        // A tab inside a MovieLens id shifts the columns, which can still look like numbers
        // ("u\tv", 10, 5, t reads as user u, item v, rating 10): a headerless file has exactly four.
        var m = config(.movielens, file("tabs.data", "1\t10\t5\t881250949\nu\tv\t10\t5\t881250949\n"))
        m.maxBadLineFraction = 0.9
        let (mgot, mreport) = try pairs(m)
        XCTAssertEqual(mgot, ["1 10"])
        XCTAssertEqual(mreport.malformed.first?.reason, "too many fields (a MovieLens line without a header has 4)")
    }

    func testEmptyInputsAreExit65NamingTheFile() throws {
        for (name, bytes) in [("empty", [UInt8]()), ("newlines", Array("\n\r\n\n".utf8)), ("bom", [0xEF, 0xBB, 0xBF])] {
            for format in InputFormat.allCases {
                let path = file("\(name)-\(format)", bytes)
                XCTAssertThrowsAccf(.dataError, "no interactions in \(path)") {
                    _ = try IngestStage.run(config: config(format, path), output: FilePath.join(dir, "out"))
                }
            }
        }
    }

    func testColumnPositionsAreValidated() {
        for bad in [ColumnRef.index(-1), .index(IngestConfig.maxColumns)] {
            var c = config(.csv, "x.csv")
            c.hasHeader = false
            c.userColumn = bad
            c.itemColumn = .index(1)
            c.ratingColumn = nil
            XCTAssertThrowsAccf(.usage, "user_column") { try c.validate() }
        }
    }

    // MARK: - Compressed streams

    func testTruncatedOrTrailingGarbageStreamsAreExit65() throws {
        for name in ["u.data.gz", "u.data.zst"] {
            let whole = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(name))))
            var variants: [(String, [UInt8])] = [1, 5, whole.count / 2, whole.count - 4, whole.count - 1].map { ("cut\($0)", Array(whole.prefix($0))) }
            variants += [("garbage", whole + Array("garbage after the stream\n".utf8)), ("zeros", whole + [0, 0, 0, 0, 0, 0, 0, 0])]
            for (what, bytes) in variants {
                let path = file("\(what)-\(name)", bytes)
                XCTAssertThrowsAccf(.dataError, path) {
                    _ = try IngestStage.run(config: config(.movielens, path), output: FilePath.join(dir, "out"))
                }
            }
        }
    }

    /// Regression: a read error (damaged stream, long line) while the scan workers still read the
    /// last block handed out freed that block under them (a use-after-free AddressSanitizer sees).
    func testReadErrorWhileJSONWorkersScanLeavesThemTheirBlock() throws {
        var text = ""
        for k in 0..<20_000 { text += #"{"user_id":"u\#(k % 97)","business_id":"b\#(k)","stars":4,"date":"2018-01-01","text":"\#(String(repeating: "z", count: k % 50))"}"# + "\n" }
        let gz = try gzip(Array(text.utf8))
        let path = file("cut.json.gz", Array(gz.prefix(gz.count * 3 / 4)))
        for blockSize in [1 << 10, 1 << 14] {
            var reading = InputReading(config: config(.yelpJSON, path))
            reading.blockSize = blockSize
            XCTAssertThrowsAccf(.dataError, "truncated gzip stream") { try reading.readAll() }
        }
    }
}
