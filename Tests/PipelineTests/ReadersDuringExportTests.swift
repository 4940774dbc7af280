import XCTest

/// Readers during re-export at CI size: `scripts/readers-during-export.sh` re-exports 20 times
/// while a reader opens the SQLite file in a loop (integrity_check, meta present, row counts
/// equal meta, k recommendations per user, `accf export verify` every 4th read). Zero failures,
/// zero partial views; the script first proves its checks catch a torn and a half-loaded file.
/// By hand: `scripts/readers-during-export.sh --size full --exports 100`.
final class ReadersDuringExportTests: XCTestCase {
    func testTwentyReexportsUnderAReadingLoopShowOnlyWholeFiles() throws {
        try ReliabilityScripts.require(["bash", "sqlite3", "awk"])
        let accf = try ReliabilityScripts.accfBinary()
        let (status, output) = try ReliabilityScripts.run("readers-during-export.sh", ["--accf", accf, "--exports", "20"], timeout: 180)
        XCTAssertEqual(status, 0, "readers-during-export.sh failed; its output is above")
        let prefix = "READERS RESULT:"
        XCTAssertEqual(ReliabilityScripts.count("exports", in: output, line: prefix), 20)
        XCTAssertEqual(ReliabilityScripts.count("failures", in: output, line: prefix), 0)
        XCTAssertEqual(ReliabilityScripts.count("partial", in: output, line: prefix), 0)
        let reads = ReliabilityScripts.count("reads", in: output, line: prefix) ?? 0
        XCTAssertGreaterThan(reads, 20, "the reader should overlap many exports")
        XCTAssertEqual(ReliabilityScripts.count("ok", in: output, line: prefix), reads)
        XCTAssertGreaterThan(ReliabilityScripts.count("versions_seen", in: output, line: prefix) ?? 0, 2,
                             "the reader saw the file change under it")
        XCTAssertTrue(output.contains("control: a torn file is caught") && output.contains("control: a partial file is caught"))
    }
}
