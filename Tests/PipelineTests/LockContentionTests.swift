import XCTest

/// Concurrency at CI size: `scripts/lock-contention.sh` holds a workdir with a real `accf run`
/// and checks that a second run and every stage command writing that workdir (synth, ingest,
/// graph, train, export, with --manifest and with explicit paths) exit 75 at once with one clear
/// line, that `accf status` still answers, that `--wait` waits and then has nothing to do, and
/// that two runs started together never both run.
final class LockContentionTests: XCTestCase {
    func testEveryWriterOfAHeldWorkdirExits75AndWaitWaits() throws {
        try ReliabilityScripts.require(["bash", "sqlite3", "awk"])
        let accf = try ReliabilityScripts.accfBinary()
        let (status, output) = try ReliabilityScripts.run("lock-contention.sh", ["--accf", accf, "--pairs", "5"], timeout: 180)
        XCTAssertEqual(status, 0, "lock-contention.sh failed; its output is above")
        let prefix = "LOCK RESULT:"
        let checks = ReliabilityScripts.count("checks", in: output, line: prefix) ?? 0
        XCTAssertGreaterThanOrEqual(checks, 12)
        XCTAssertEqual(ReliabilityScripts.count("refused", in: output, line: prefix), checks)
        XCTAssertEqual(ReliabilityScripts.count("wait_ok", in: output, line: prefix), 1)
        XCTAssertEqual(ReliabilityScripts.count("failures", in: output, line: prefix), 0)
        XCTAssertTrue(output.contains("refused (75 in") && output.contains("accf synth -o"), "synth is refused too")
    }
}
