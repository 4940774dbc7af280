import Core
import Foundation
import XCTest
@testable import pipeline

final class PipelineRunnerTests: XCTestCase {
    func testFirstRunRunsEverythingAndSecondRunNothing() throws {
        let p = try FakePipeline("second")
        let first = try p.run()
        XCTAssertNil(first.error)
        XCTAssertEqual(first.ran, ["ingest", "graph", "train", "export"])
        let second = try p.run()
        XCTAssertEqual(second.ran, [])
        XCTAssertEqual(second.skipped, ["ingest", "graph", "train", "export"])
        XCTAssertEqual(p.counter.count("train"), 1)
        XCTAssertTrue(try p.runner().plan(RunOptions()).allSatisfy { !$0.willRun })
    }

    func testChangingATrainParameterRerunsTrainAndExportOnly() throws {
        let p = try FakePipeline("param")
        _ = try p.run()
        p.trainParameters = "{\"dim\":64,\"lr\":0.002}"
        let plan = try p.runner().plan(RunOptions())
        XCTAssertEqual(plan.filter(\.willRun).map(\.name), ["train", "export"])
        XCTAssertEqual(plan[2].reasons, ["parameters changed: lr"])
        XCTAssertEqual(plan[3].reasons, ["upstream train runs"])
        let summary = try p.run()
        XCTAssertEqual(summary.ran, ["train", "export"])
        XCTAssertEqual(PipelineState.load(workdir: p.workdir).stages["train"]?.counts["resumable"], 0,
                       "a changed config starts training over")
        XCTAssertEqual(try p.run().ran, [])
    }

    func testTouchingTheRawInputWithoutChangingItRunsNothing() throws {
        let p = try FakePipeline("touch")
        _ = try p.run()
        var times = [timespec(tv_sec: 2_000_000_000, tv_nsec: 0), timespec(tv_sec: 2_000_000_000, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, p.raw, &times, 0), 0)
        XCTAssertEqual(try p.run().ran, [])
        // …whereas new content re-runs everything downstream of it.
        try AtomicFileWriter.write(Array("u1,i1\nu3,i2\n".utf8), to: p.raw)
        XCTAssertEqual(try p.run().ran, ["ingest", "graph", "train", "export"])
    }

    func testDeletingTheExportRerunsExportOnly() throws {
        let p = try FakePipeline("delete")
        _ = try p.run()
        let before = try FilePath.readAll(p.exportOut)
        XCTAssertEqual(unlink(p.exportOut), 0)
        let plan = try p.runner().plan(RunOptions())
        XCTAssertEqual(plan[3].reasons, ["output missing: \(p.exportOut)"])
        XCTAssertEqual(try p.run().ran, ["export"])
        XCTAssertEqual(try FilePath.readAll(p.exportOut), before)
    }

    func testAlteredOutputIsRebuilt() throws {
        let p = try FakePipeline("alter")
        _ = try p.run()
        try AtomicFileWriter.write(Array("tampered".utf8), to: p.graphOut)
        let summary = try p.run()
        // graph re-runs; its output is the same as before the tampering, so train and export stay.
        XCTAssertEqual(summary.ran, ["graph"])
    }

    func testForceAndFrom() throws {
        let p = try FakePipeline("force")
        _ = try p.run()
        XCTAssertEqual(try p.run(RunOptions(force: ["graph"])).ran, ["graph"], "same graph bytes: downstream stays up to date")
        XCTAssertEqual(try p.run(RunOptions(from: "train")).ran, ["train", "export"])
        XCTAssertEqual(try p.runner().plan(RunOptions(from: "graph")).filter(\.willRun).map(\.name), ["graph", "train", "export"])
        XCTAssertThrowsError(try p.run(RunOptions(force: ["trian"]))) { error in
            XCTAssertEqual((error as? AccfError)?.status, .usage)
        }
    }

    func testDryRunRunsNothing() throws {
        let p = try FakePipeline("dry")
        let plan = try p.runner().plan(RunOptions(dryRun: true))
        XCTAssertEqual(plan.map(\.reasons), [["never run"], ["never run", "upstream ingest runs"],
                                              ["never run", "upstream ingest runs", "upstream graph runs"],
                                              ["never run", "upstream train runs", "upstream ingest runs"]])
        XCTAssertEqual(p.counter.count("ingest"), 0)
        XCTAssertFalse(FilePath.exists(p.workdir + "/" + PipelineState.fileName))
    }

    func testFailedStageIsRecordedAndRerun() throws {
        let p = try FakePipeline("fail")
        unlink(p.raw)
        let summary = try p.run()
        XCTAssertEqual(summary.failedStage, "ingest")
        XCTAssertEqual(summary.status, .noInput)
        XCTAssertEqual(summary.ran, [])
        XCTAssertEqual(PipelineState.load(workdir: p.workdir).stages["ingest"]?.status, .failed)
        let prom = String(decoding: try FilePath.readAll(p.workdir + "/accf.prom"), as: UTF8.self)
        XCTAssertTrue(prom.contains("accf_last_run_status{pipeline=\"fake\"} 66\n"), prom)
        XCTAssertTrue(prom.contains("accf_stage_failed{pipeline=\"fake\",stage=\"ingest\"} 1\n"), prom)
        try AtomicFileWriter.write(Array("u1,i1\n".utf8), to: p.raw)
        XCTAssertTrue(try p.runner().plan(RunOptions())[0].reasons[0].hasPrefix("failed last time: \(p.raw): no such file"))
        XCTAssertEqual(try p.run().ran, ["ingest", "graph", "train", "export"])
    }

    func testConcurrentRunExits75() throws {
        let p = try FakePipeline("lock")
        let held = try WorkdirLock.acquire(workdir: p.workdir, wait: false)
        XCTAssertTrue(WorkdirLock.isHeld(workdir: p.workdir))
        XCTAssertThrowsError(try p.run()) { error in
            XCTAssertEqual((error as? AccfError)?.status, .temporaryFailure)
            XCTAssertEqual((error as? AccfError)?.status.rawValue, 75)
        }
        XCTAssertEqual(p.counter.count("ingest"), 0)
        held.release()
        XCTAssertFalse(WorkdirLock.isHeld(workdir: p.workdir))
        XCTAssertEqual(try p.run().ran.count, 4)
    }

    func testPrometheusTextfileHasStatusDurationsAndMetrics() throws {
        let p = try FakePipeline("prom")
        _ = try p.run()
        let text = String(decoding: try FilePath.readAll(p.workdir + "/accf.prom"), as: UTF8.self)
        XCTAssertTrue(text.contains("accf_last_run_status{pipeline=\"fake\"} 0\n"), text)
        XCTAssertTrue(text.contains("accf_stage_ran{pipeline=\"fake\",stage=\"train\"} 1\n"), text)
        XCTAssertTrue(text.contains("accf_stage_duration_seconds{pipeline=\"fake\",stage=\"export\"}"), text)
        XCTAssertTrue(text.contains("accf_metric{pipeline=\"fake\",stage=\"train\",metric=\"test_ndcg@20\"} 0.25\n"), text)
        _ = try p.run()
        let again = String(decoding: try FilePath.readAll(p.workdir + "/accf.prom"), as: UTF8.self)
        XCTAssertTrue(again.contains("accf_stage_ran{pipeline=\"fake\",stage=\"train\"} 0\n"), again)
        XCTAssertTrue(again.contains("metric=\"test_ndcg@20\"} 0.25\n"), "metrics survive a run that skipped train")
    }
}
