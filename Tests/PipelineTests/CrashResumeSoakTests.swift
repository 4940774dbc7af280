import XCTest

/// Crash-resume soak at CI size: `scripts/soak-kill.sh` SIGKILLs `accf run` ≥ 20 times at seeded
/// random moments in every stage of a small synthetic pipeline, re-runs it to the end each round,
/// and requires outputs identical to an uninterrupted run, no temporary file left, and a next run
/// with nothing to do. By hand at full size: `scripts/soak-kill.sh --size full --kills 200`.
final class CrashResumeSoakTests: XCTestCase {
    func testTwentyKillsInEveryStageThenResumeEndsIdentical() throws {
        try ReliabilityScripts.require(["bash", "sqlite3", "awk", "cmp", "cksum"])
        let accf = try ReliabilityScripts.accfBinary()
        let (status, output) = try ReliabilityScripts.run("soak-kill.sh", ["--accf", accf, "--kills", "20", "--seed", "11"], timeout: 240)
        XCTAssertEqual(status, 0, "soak-kill.sh failed; its output is above")
        let prefix = "SOAK-KILL RESULT:"
        let kills = ReliabilityScripts.count("kills", in: output, line: prefix) ?? 0
        XCTAssertGreaterThanOrEqual(kills, 20)
        for stage in ["synth", "ingest", "graph", "train", "export"] {
            XCTAssertGreaterThan(ReliabilityScripts.count(stage, in: output, line: prefix) ?? 0, 0, "no kill landed in \(stage)")
        }
        XCTAssertEqual(ReliabilityScripts.count("failures", in: output, line: prefix), 0)
        let rounds = ReliabilityScripts.count("rounds", in: output, line: prefix) ?? -1
        XCTAssertEqual(ReliabilityScripts.count("identical", in: output, line: prefix), rounds, "every round identical")
    }
}
