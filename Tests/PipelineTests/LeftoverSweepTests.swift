import Core
import Foundation
import XCTest
@testable import pipeline

/// The sweep of temporary files that killed writers leave behind (found by the kill soak: every
/// SIGKILL during synth, train or export left a `.NAME.tmp-PID-HEX` file that nothing removed).
final class LeftoverSweepTests: XCTestCase {
    /// A pid that is certainly not running: a child that has exited and been reaped.
    func deadPID() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    func testRecognizesTheWritersNameShapesOnly() {
        XCTAssertEqual(LeftoverSweep.writerPID(of: ".raw.jsonl.zst.tmp-15212-2fc2bc15", directory: false), 15212)
        XCTAssertEqual(LeftoverSweep.writerPID(of: ".recommendations.sqlite.tmp-77-abc-journal", directory: false), 77)
        XCTAssertEqual(LeftoverSweep.writerPID(of: ".ingest.staging-901", directory: true), 901)
        XCTAssertNil(LeftoverSweep.writerPID(of: "raw.tmp-12-ab", directory: false), "not hidden: not ours")
        XCTAssertNil(LeftoverSweep.writerPID(of: ".notes.tmp-draft", directory: false))
        XCTAssertNil(LeftoverSweep.writerPID(of: ".x.tmp-12-zz", directory: false))
        XCTAssertNil(LeftoverSweep.writerPID(of: ".ingest.staging-901", directory: false), "a file is never a staging directory")
        XCTAssertNil(LeftoverSweep.writerPID(of: "ingest.old-12", directory: true), "AtomicDirectory.recover's to decide")
    }

    func testRemovesDeadWritersFilesKeepsLiveOnesAndEverythingElse() throws {
        let root = NSTemporaryDirectory() + "accf-sweep-\(UUID().uuidString)"
        defer { FilePath.removeTree(root) }
        let dead = try deadPID(), live = getppid()
        try FilePath.createDirectories(root + "/train/checkpoints")
        try FilePath.createDirectories(root + "/.ingest.staging-\(dead)")
        try FilePath.createDirectories(root + "/ingest.old-\(dead)")
        let garbage = ["/synth/.raw.jsonl.zst.tmp-\(dead)-1f", "/train/checkpoints/.step-000000000010.ckpt.tmp-\(dead)-abc",
                       "/.accf.state.json.tmp-\(dead)-0", "/.ingest.staging-\(dead)/users.dict"]
        let kept = ["/synth/raw.jsonl.zst", "/train/.model.accfmodel.tmp-\(live)-2a", "/train/checkpoints/step-000000000010.ckpt",
                    "/ingest.old-\(dead)/users.dict", "/train/.notes.tmp-draft"]
        try FilePath.createDirectories(root + "/synth")
        for path in garbage + kept { try AtomicFileWriter.write([1, 2, 3], to: root + path) }
        let removed = LeftoverSweep.sweep(root)
        XCTAssertEqual(Set(removed), Set([root + "/synth/.raw.jsonl.zst.tmp-\(dead)-1f",
                                          root + "/train/checkpoints/.step-000000000010.ckpt.tmp-\(dead)-abc",
                                          root + "/.accf.state.json.tmp-\(dead)-0", root + "/.ingest.staging-\(dead)"]))
        for path in kept { XCTAssertTrue(FilePath.exists(root + path), "\(path) must stay") }
        XCTAssertFalse(FilePath.exists(root + "/.ingest.staging-\(dead)"))
    }

    /// The runner sweeps when it takes the workdir: a killed writer's file is gone after the next run.
    func testARunRemovesAKilledWritersTemporaryFile() throws {
        let p = try FakePipeline("sweep")
        XCTAssertNil(try p.run().error)
        let dead = try deadPID()
        let junk = p.workdir + "/.accf.state.json.tmp-\(dead)-beef"
        try AtomicFileWriter.write(Array(repeating: 7, count: 4096), to: junk)
        XCTAssertNil(try p.run().error)
        XCTAssertFalse(FilePath.exists(junk), "the next run removed the leftover")
    }
}
