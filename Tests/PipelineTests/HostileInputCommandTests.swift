import Core
import Foundation
import XCTest

/// The hostile files of issue #10 through the `accf` binary: exit 65 with one line on stderr
/// naming the file and line for unusable data, exit 64 for a broken manifest — never a signal.
/// (The library-level cases, one per kind of damage: `IngestTests/HostileInputTests`.)
final class HostileInputCommandTests: XCTestCase {
    private func scratch() -> String {
        let dir = NSTemporaryDirectory() + "accf-hostile-cli-\(getpid())-\(name.filter { $0.isLetter })"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    private func assertOneLineError(_ outcome: CommandLineExitCodeTests.Outcome, status: Int32, naming fragment: String,
                                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(outcome.status, status, outcome.stderr, file: file, line: line)
        let lines = outcome.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, outcome.stderr, file: file, line: line)
        XCTAssertTrue(outcome.stderr.contains(fragment), "\(outcome.stderr) lacks \(fragment)", file: file, line: line)
        XCTAssertLessThan(outcome.stderr.utf8.count, 1000, file: file, line: line)
    }

    func testNULFileIsExit65NamingFileAndLine() throws {
        let dir = scratch()
        let input = FilePath.join(dir, "zeros.data")
        _ = FileManager.default.createFile(atPath: input, contents: Data(count: 200_000))
        let outcome = try CommandLineExitCodeTests.run(["ingest", "--format", "movielens", input, "-o", FilePath.join(dir, "out"), "-q"])
        assertOneLineError(outcome, status: 65, naming: "\(input):1:")
        XCTAssertFalse(FileManager.default.fileExists(atPath: FilePath.join(dir, "out")), "nothing published")
    }

    func testOverlongLineIsExit65NamingFileAndLine() throws {
        let dir = scratch()
        let input = FilePath.join(dir, "long.json")
        let text = "{\"user_id\":\"u\",\"business_id\":\"b\",\"stars\":1,\"date\":\"2018-01-01\"}\n" + String(repeating: "{", count: 100_000)
        _ = FileManager.default.createFile(atPath: input, contents: Data(text.utf8))
        let outcome = try CommandLineExitCodeTests.run(["ingest", "--format", "yelp-json", input, "-o", FilePath.join(dir, "out"),
                                                        "--max-line-length", "10000", "-q"])
        assertOneLineError(outcome, status: 65, naming: "\(input):2: line is longer than max_line_length (10000 bytes)")
    }

    func testTruncatedGzipIsExit65() throws {
        let dir = scratch()
        let input = FilePath.join(dir, "cut.data.gz")
        // A gzip header and the start of a deflate stream, then nothing.
        _ = FileManager.default.createFile(atPath: input, contents: Data([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03, 0x33, 0x34]))
        let outcome = try CommandLineExitCodeTests.run(["ingest", "--format", "movielens", input, "-o", FilePath.join(dir, "out"), "-q"])
        assertOneLineError(outcome, status: 65, naming: input)
    }

    /// Regression: `[[[` aborted accf (signal 6) inside TOMLKit.
    func testManifestThatCrashedTOMLKitIsExit64() throws {
        let dir = scratch()
        let manifest = FilePath.join(dir, "broken.toml")
        _ = FileManager.default.createFile(atPath: manifest, contents: Data("[pipeline]\nname = \"b\"\n[[[train]]]\n".utf8))
        let outcome = try CommandLineExitCodeTests.run(["status", manifest])
        assertOneLineError(outcome, status: 64, naming: "\(manifest):3: TOML syntax error")
    }
}
