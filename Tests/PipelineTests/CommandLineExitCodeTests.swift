import Foundation
import XCTest

/// Runs the built `accf` binary and checks the documented exit codes and one-line errors.
final class CommandLineExitCodeTests: XCTestCase {
    struct Outcome { var status: Int32; var stdout: String; var stderr: String }

    static var binary: URL { Bundle.main.bundleURL.appendingPathComponent("accf") }

    static func run(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                       stderr: String(decoding: e, as: UTF8.self))
    }

    func testVersionAndHelp() throws {
        XCTAssertEqual(try Self.run(["--version"]).status, 0)
        let help = try Self.run(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("Exit codes"))
    }

    /// The kernel benchmark prints every phase and a total per thread count, and rejects a bad size with 64.
    func testBenchInfoNCEPrintsEachThreadCountAndRejectsBadSizes() throws {
        let outcome = try Self.run(["bench", "infonce", "--rows", "40", "--dim", "8", "--threads", "1,2", "--repetitions", "2"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let totals = outcome.stdout.split(separator: "\n").filter { $0.contains("total") }
        XCTAssertEqual(totals.count, 2, outcome.stdout)
        for phase in ["gather", "row blocks", "Gᵀ a", "scatter"] { XCTAssertTrue(outcome.stdout.contains(phase), phase) }
        let bad = try Self.run(["bench", "infonce", "--rows", "0"])
        XCTAssertEqual(bad.status, 64, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--rows"), bad.stderr)
    }

    func testUnknownFlagIsUsage64() throws {
        XCTAssertEqual(try Self.run(["synth", "--no-such-flag"]).status, 64)
    }

    func testBadValueIsUsage64WithOneLine() throws {
        let outcome = try Self.run(["synth", "-o", "/tmp/x.json", "--malformed-fraction", "2", "--log-format", "json"])
        XCTAssertEqual(outcome.status, 64)
        let lines = outcome.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("malformed_fraction"))
    }

    func testUncreatableOutputIs73() throws {
        let outcome = try Self.run(["synth", "-o", "/nonexistent-dir/x.json", "--interactions", "10", "-q"])
        XCTAssertEqual(outcome.status, 73, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("/nonexistent-dir/x.json"))
    }

    func testSynthTwiceGivesIdenticalFilesAndJSONLogs() throws {
        let dir = NSTemporaryDirectory() + "accf-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var files: [Data] = []
        for name in ["a", "b"] {
            let outcome = try Self.run(["synth", "--format", "csv", "-o", "\(dir)/\(name).csv.zst", "--interactions", "500",
                                        "--seed", "4", "--log-format", "json"])
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            let object = try JSONSerialization.jsonObject(with: Data(outcome.stderr.utf8)) as? [String: Any]
            XCTAssertEqual(object?["event"] as? String, "stage_done")
            XCTAssertEqual(object?["lines"] as? Int, 500)
            files.append(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name).csv.zst")))
        }
        XCTAssertEqual(files[0], files[1])
    }
}
