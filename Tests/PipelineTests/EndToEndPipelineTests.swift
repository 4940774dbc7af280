import Core
import Foundation
import XCTest
@testable import pipeline

/// The real stages through the built `accf` binary: synth → ingest → train → export on a tiny
/// synthetic log, including a run killed (SIGKILL) during training and run again.
final class EndToEndPipelineTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw XCTSkip("the accf binary is not built beside the tests (\(Self.binary.path)); run `swift build` first")
        }
        guard Self.sqlite3 != nil else { throw XCTSkip("the sqlite3 command is not installed (apt-get install sqlite3)") }
        root = NSTemporaryDirectory() + "accf-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FilePath.createDirectories(root)
    }

    override func tearDown() { if !root.isEmpty { FilePath.removeTree(root) } }

    static var binary: URL { Bundle.main.bundleURL.appendingPathComponent("accf") }
    static var sqlite3: String? {
        ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3", "/bin/sqlite3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private func manifest(_ name: String, lr: String = "0.01") throws -> String {
        let path = "\(root)/\(name).toml"
        let text = """
        [pipeline]
        workdir = "runs/\(name)"
        [synth]
        format = "movielens"
        users = 150
        items = 80
        interactions = 3000
        clusters = 4
        seed = 3
        [ingest]
        format = "movielens"
        user_core = 3
        seed = 1
        [graph]
        [train]
        model = "lightgcn"
        dim = 16
        layers = 2
        batch_size = 128
        lr = \(lr)
        max_epochs = 8
        min_epochs = 8
        checkpoint_every_steps = 1
        threads = 1
        [export]
        k = 5
        threads = 1
        """
        try AtomicFileWriter.write(Array(text.utf8), to: path)
        return path
    }

    @discardableResult
    private func accf(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private func lastRun(_ workdir: String) -> RunRecord? { PipelineState.load(workdir: workdir).lastRun }

    private func dump(_ database: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.sqlite3!)
        process.arguments = ["-readonly", database,
                             "SELECT value FROM meta WHERE key = 'content_xxh64'; SELECT * FROM users ORDER BY user_index; "
                             + "SELECT * FROM items ORDER BY item_index; SELECT user_index, rank, item_index, score FROM recommendations ORDER BY user_index, rank;"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return String(decoding: data, as: UTF8.self)
    }

    func testRealStagesSkipResumeAndRerunOnlyWhatChanged() throws {
        let a = try manifest("a"), workA = "\(root)/runs/a"
        let first = try accf(["run", a, "--log-format", "json"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(lastRun(workA)?.ran, ["synth", "ingest", "graph", "train", "export"])
        let lastLine = first.stderr.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(lastLine.contains("\"event\":\"summary\""), "the last line is the summary: \(lastLine)")
        let reference = try dump("\(workA)/export/recommendations.sqlite")
        XCTAssertFalse(reference.isEmpty)

        // A second run right after: nothing runs.
        XCTAssertEqual(try accf(["run", a, "-q"]).status, 0)
        XCTAssertEqual(lastRun(workA)?.ran, [])

        // Touching the raw log without changing it: nothing runs.
        let raw = "\(workA)/synth/raw.tsv.zst"
        var times = [timespec(tv_sec: 1_900_000_000, tv_nsec: 0), timespec(tv_sec: 1_900_000_000, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, raw, &times, 0), 0)
        XCTAssertEqual(try accf(["run", a, "-q"]).status, 0)
        XCTAssertEqual(lastRun(workA)?.ran, [])

        // Deleting the export: export only.
        XCTAssertEqual(unlink("\(workA)/export/recommendations.sqlite"), 0)
        XCTAssertEqual(try accf(["run", a, "-q"]).status, 0)
        XCTAssertEqual(lastRun(workA)?.ran, ["export"])
        XCTAssertEqual(try dump("\(workA)/export/recommendations.sqlite"), reference)

        // Killed during train, then run again: resumes from the checkpoint, same SQLite content.
        let b = try manifest("b"), workB = "\(root)/runs/b"
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["run", b, "-q"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        var waited = 0
        while !FilePath.list("\(workB)/train/checkpoints").contains(where: { $0.hasPrefix("step-") }) && waited < 6000 {
            usleep(5_000)
            waited += 1
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(PipelineState.load(workdir: workB).stages["train"]?.status, .running,
                       "the kill should land during train (increase max_epochs if the machine is very fast)")
        XCTAssertFalse(FilePath.exists("\(workB)/export/recommendations.sqlite"))
        let again = try accf(["run", b, "--log-format", "json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(lastRun(workB)?.ran, ["train", "export"])
        XCTAssertTrue(again.stderr.contains("resuming"), "train resumed from its checkpoint")
        XCTAssertNotNil(PipelineState.load(workdir: workB).stages["train"]?.counts["resumed_from_step"])
        XCTAssertEqual(try dump("\(workB)/export/recommendations.sqlite"), reference)

        // One train parameter changed: train and export only.
        let changed = try manifest("a", lr: "0.02")
        XCTAssertEqual(changed, a)
        XCTAssertEqual(try accf(["run", a, "-q"]).status, 0)
        XCTAssertEqual(lastRun(workA)?.ran, ["train", "export"])
        XCTAssertNotEqual(try dump("\(workA)/export/recommendations.sqlite"), reference)
    }
}
