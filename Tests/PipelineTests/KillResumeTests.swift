import Core
import Foundation
import XCTest
@testable import pipeline

/// A run killed with SIGKILL in the middle of a stage, then run again.
///
/// The run happens in a forked child so the kill is a real kill -9: no handler runs, the kernel
/// drops the flock, and whatever the child wrote stays as it was.
final class KillResumeTests: XCTestCase {
    func testKilledDuringTrainResumesAndEndsIdentically() throws {
        let reference = try FakePipeline("reference")
        XCTAssertNil(try reference.run().error)

        let p = try FakePipeline("killed")
        let marker = p.root + "/pause"
        try AtomicFileWriter.write([], to: marker)
        p.pauseMarker = marker
        let runner = p.runner()
        let child = fork()
        if child == 0 {
            _ = try? runner.run(RunOptions())
            _exit(0)
        }
        XCTAssertGreaterThan(child, 0)
        var waited = 0
        while !FilePath.exists(marker + ".reached") && waited < 300 { usleep(100_000); waited += 1 }
        XCTAssertTrue(FilePath.exists(marker + ".reached"), "the child never reached train")

        // While the child runs, a second run of the same workdir exits 75 (two processes).
        XCTAssertThrowsError(try p.run()) { error in XCTAssertEqual((error as? AccfError)?.status.rawValue, 75) }
        XCTAssertTrue(WorkdirLock.isHeld(workdir: p.workdir))

        kill(child, SIGKILL)
        var status: Int32 = 0
        waitpid(child, &status, 0)
        XCTAssertFalse(WorkdirLock.isHeld(workdir: p.workdir), "the kernel released the lock")
        XCTAssertEqual(PipelineState.load(workdir: p.workdir).stages["train"]?.status, .running)
        XCTAssertFalse(FilePath.exists(p.trainOut), "a killed stage never publishes")

        unlink(marker)
        p.pauseMarker = nil
        let plan = try p.runner().plan(RunOptions())
        XCTAssertEqual(plan.filter(\.willRun).map(\.name), ["train", "export"])
        XCTAssertEqual(plan[2].reasons.first, "interrupted (the last run stopped during this stage)")
        let summary = try p.run()
        XCTAssertEqual(summary.ran, ["train", "export"])
        XCTAssertEqual(p.counter.count("ingest"), 0, "finished stages are skipped")
        let train = PipelineState.load(workdir: p.workdir).stages["train"]
        XCTAssertEqual(train?.counts["resumable"], 1, "the runner told train it may resume")
        XCTAssertEqual(train?.counts["resumed"], 1, "train resumed from its checkpoint")
        XCTAssertEqual(PipelineState.load(workdir: p.workdir).stages["export"]?.counts["resumable"], 0)
        XCTAssertEqual(try FilePath.readAll(p.exportOut), try FilePath.readAll(reference.exportOut))
        XCTAssertEqual(try ContentHash.of(p.trainOut), try ContentHash.of(reference.trainOut))
        XCTAssertEqual(try p.run().ran, [])
    }
}
