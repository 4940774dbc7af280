import Core
import XCTest
@testable import pipeline

final class StatusRenderingTests: XCTestCase {
    private func record(_ status: StageRecord.Status, error: String? = nil) -> StageRecord {
        StageRecord(status: status, toolVersion: AccfVersion.string, parameters: "{}", inputs: [:], outputs: [:],
                    startedAt: "2026-11-27T22:00:00.000Z", finishedAt: nil, durationSeconds: nil, counts: [:], metrics: [:],
                    error: error)
    }

    func testEachStageShowsUpToDateStaleFailedOrRunning() {
        var state = PipelineState()
        state.stages["graph"] = record(.failed, error: "graph.accfgraph: no space left")
        state.stages["train"] = record(.running)
        let plan = [PlannedStage(name: "ingest", reasons: []),
                    PlannedStage(name: "graph", reasons: ["failed last time: graph.accfgraph: no space left"]),
                    PlannedStage(name: "train", reasons: ["interrupted (the last run stopped during this stage)"]),
                    PlannedStage(name: "export", reasons: ["output missing: /w/export/r.sqlite"])]
        let whileRunning = StatusCommand.render(plan: plan, state: state, running: true, dryRun: false)
        XCTAssertEqual(whileRunning, ["  ingest  up to date",
                                      "  graph   failed: graph.accfgraph: no space left",
                                      "  train   running (since 2026-11-27T22:00:00.000Z)",
                                      "  export  stale: output missing: /w/export/r.sqlite"])
        // Without a live lock holder, a "running" record is a run that died: stale.
        let afterCrash = StatusCommand.render(plan: plan, state: state, running: false, dryRun: false)
        XCTAssertEqual(afterCrash[2], "  train   stale: interrupted (the last run stopped during this stage)")
        let dry = StatusCommand.render(plan: plan, state: state, running: false, dryRun: true)
        XCTAssertEqual(dry[0], "  ingest  up to date")
        XCTAssertEqual(dry[3], "  export  would run: output missing: /w/export/r.sqlite")
    }

    func testSummaryLine() {
        var ok = RunSummary()
        ok.ran = ["train", "export"]
        ok.skipped = ["ingest", "graph"]
        ok.durationSeconds = 12.3456
        XCTAssertEqual(RunCommand.summaryLine(name: "ml-100k", summary: ok),
                       "accf run ml-100k: ok in 12.346 s — ran train, export; up to date: ingest, graph")
        var failed = RunSummary()
        failed.failedStage = "ingest"
        failed.error = AccfError.missingInput("/data/x.zst")
        XCTAssertTrue(RunCommand.summaryLine(name: "m", summary: failed).hasPrefix("accf run m: FAILED at ingest (exit 66) in 0.0 s — /data/x.zst"))
    }

    func testStateFileRoundTripsAndIgnoresGarbage() throws {
        let dir = NSTemporaryDirectory() + "accf-state-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { FilePath.removeTree(dir) }
        try FilePath.createDirectories(dir)
        var state = PipelineState()
        state.stages["train"] = record(.finished)
        try state.save(workdir: dir)
        XCTAssertEqual(PipelineState.load(workdir: dir), state)
        try AtomicFileWriter.write(Array("{not json".utf8), to: dir + "/" + PipelineState.fileName)
        XCTAssertEqual(PipelineState.load(workdir: dir), PipelineState(), "an unreadable state re-runs everything")
    }

    func testDirectoryHashCoversNamesAndContentButNotTransientFiles() throws {
        let dir = NSTemporaryDirectory() + "accf-hash-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { FilePath.removeTree(dir) }
        try FilePath.createDirectories(dir + "/sub")
        try AtomicFileWriter.write([1, 2, 3], to: dir + "/sub/a")
        let h0 = try ContentHash.of(dir)
        try AtomicFileWriter.write([9], to: dir + "/.b.tmp-123-abc")
        XCTAssertEqual(try ContentHash.of(dir), h0, "a crashed writer's temporary file is not content")
        XCTAssertEqual(rename(dir + "/sub/a", dir + "/sub/b"), 0)
        XCTAssertNotEqual(try ContentHash.of(dir), h0, "a renamed file changes the hash")
        XCTAssertEqual(rename(dir + "/sub/b", dir + "/sub/a"), 0)
        XCTAssertEqual(try ContentHash.of(dir), h0)
        try AtomicFileWriter.write([1, 2, 4], to: dir + "/sub/a")
        XCTAssertNotEqual(try ContentHash.of(dir), h0)
        XCTAssertNil(try ContentHash.of(dir + "/missing"))
    }
}
