import XCTest

/// Disk full at CI size: `scripts/disk-full.sh` re-runs each stage (synth, ingest, graph, train,
/// export) with too little room — a file-size limit (`ulimit -f`, unprivileged; accf ignores
/// SIGXFSZ so the write fails with EFBIG), plus a real ENOSPC on a small tmpfs where this
/// machine lets root mount one. Every case must exit 74 with a message naming the file, keep the
/// previous outputs byte-identical, leave no temporary file after the next run, and that run
/// (with room) must end like an undisturbed one.
final class DiskFullTests: XCTestCase {
    func testEveryStageFailsWith74AndKeepsThePreviousOutputs() throws {
        try ReliabilityScripts.require(["bash", "sqlite3", "awk", "cmp", "cksum"])
        let accf = try ReliabilityScripts.accfBinary()
        let (status, output) = try ReliabilityScripts.run("disk-full.sh", ["--accf", accf, "--fs", "both"], timeout: 180)
        XCTAssertEqual(status, 0, "disk-full.sh failed; its output is above")
        let prefix = "DISK-FULL RESULT:"
        let cases = ReliabilityScripts.count("cases", in: output, line: prefix) ?? 0
        XCTAssertGreaterThanOrEqual(cases, 5, "five stages under a file-size limit at least")
        for key in ["exit74", "named", "intact", "clean", "recovered"] {
            XCTAssertEqual(ReliabilityScripts.count(key, in: output, line: prefix), cases, key)
        }
        XCTAssertEqual(ReliabilityScripts.count("failures", in: output, line: prefix), 0)
        for stage in ["synth", "ingest", "graph", "train", "export"] {
            XCTAssertTrue(output.contains("fsize \(stage) ("), "no fsize case for \(stage)")
        }
    }
}
