import Core
import Foundation
import Logging
import Train
import XCTest
@testable import pipeline

/// `accf run` after a raised `max_epochs` continues the finished training from its checkpoint
/// instead of starting over, and only where that gives the bytes of a fresh run with the new bound.
final class TrainExtensionTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "accf-extend-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FilePath.createDirectories(root)
    }

    override func tearDown() { if !root.isEmpty { FilePath.removeTree(root) } }

    /// A tiny synth → ingest → graph → train pipeline in `runs/<name>`; validation every 2 epochs.
    private func writeManifest(_ name: String, maxEpochs: Int, threads: Int = 1) throws -> String {
        let path = "\(root)/\(name).toml"
        let text = """
        [pipeline]
        workdir = "runs/\(name)"
        [synth]
        format = "movielens"
        users = 120
        items = 60
        interactions = 2000
        clusters = 4
        seed = 5
        [ingest]
        format = "movielens"
        user_core = 3
        seed = 1
        [graph]
        [train]
        model = "lightgcn"
        dim = 8
        layers = 2
        batch_size = 128
        lr = 0.01
        max_epochs = \(maxEpochs)
        min_epochs = 50
        eval_every = 2
        threads = \(threads)
        """
        try AtomicFileWriter.write(Array(text.utf8), to: path)
        return path
    }

    private func run(_ manifest: String) throws -> (summary: RunSummary, train: StageRecord?) {
        let definition = try PipelineDefinition.load(path: manifest)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let summary = try definition.runner(logger: logger).run(RunOptions())
        XCTAssertNil(summary.error, "\(manifest): \(summary.error?.description ?? "")")
        return (summary, PipelineState.load(workdir: "\(root)/runs/\(nameOf(manifest))").stages["train"])
    }

    private func nameOf(_ manifest: String) -> String {
        String(manifest.split(separator: "/").last!.dropLast(".toml".count))
    }

    private func model(_ name: String) throws -> [UInt8] {
        try FilePath.readAll("\(root)/runs/\(name)/train/model.accfmodel")
    }

    func testRaisedMaxEpochsContinuesAndMatchesAFreshRun() throws {
        _ = try run(try writeManifest("fresh", maxEpochs: 8))
        let reference = try model("fresh")

        let first = try run(try writeManifest("extended", maxEpochs: 4))
        XCTAssertEqual(first.train?.counts["epochs"], 4)
        XCTAssertNotEqual(try model("extended"), reference, "4 epochs differ from 8")
        let second = try run(try writeManifest("extended", maxEpochs: 8))
        XCTAssertEqual(second.summary.ran, ["train"], "only train is stale")
        XCTAssertNotNil(second.train?.counts["resumed_from_step"], "continued from the epoch-4 checkpoint")
        XCTAssertEqual(second.train?.counts["epochs"], 8)
        XCTAssertEqual(try model("extended"), reference, "extending 4 → 8 gives the fresh 8-epoch model")
    }

    func testAnOddOldBoundStartsOverBecauseItsFinalEvaluationIsExtra() throws {
        _ = try run(try writeManifest("fresh", maxEpochs: 8))
        // Epoch 3 was validated only because it was the last: a run to 8 validates at 2, 4, 6, 8.
        _ = try run(try writeManifest("odd", maxEpochs: 3))
        let second = try run(try writeManifest("odd", maxEpochs: 8))
        XCTAssertNil(second.train?.counts["resumed_from_step"], "started over")
        XCTAssertEqual(try model("odd"), try model("fresh"))
    }

    func testThreadsOnlyChangeFinishesWithoutRetraining() throws {
        _ = try run(try writeManifest("threads", maxEpochs: 4, threads: 1))
        let before = try model("threads")
        let second = try run(try writeManifest("threads", maxEpochs: 4, threads: 2))
        XCTAssertNotNil(second.train?.counts["resumed_from_step"], "continued, not retrained")
        XCTAssertEqual(try model("threads"), before)
    }

    func testContinuesIsRefusedForOtherChanges() throws {
        let stage = { (lr: Double, maxEpochs: Int) -> TrainPipelineStage in
            var config = TrainConfig()
            config.lr = lr; config.maxEpochs = maxEpochs; config.evalEvery = 2
            return TrainPipelineStage(config: config, ingestDirectory: "/i", graphPath: nil, output: "/o")
        }
        func record(_ s: TrainPipelineStage, _ status: StageRecord.Status, epochs: Double?) -> StageRecord {
            StageRecord(status: status, toolVersion: AccfVersion.string, parameters: s.parameters, inputs: [:], outputs: [:],
                        startedAt: "", finishedAt: nil, durationSeconds: nil,
                        counts: epochs.map { ["epochs": $0] } ?? [:], metrics: [:], error: nil)
        }
        XCTAssertTrue(stage(0.001, 10).continues(record(stage(0.001, 4), .finished, epochs: 4)))
        XCTAssertFalse(stage(0.002, 10).continues(record(stage(0.001, 4), .finished, epochs: 4)), "lr changed")
        XCTAssertFalse(stage(0.001, 3).continues(record(stage(0.001, 4), .finished, epochs: 4)), "bound lowered")
        XCTAssertFalse(stage(0.001, 10).continues(record(stage(0.001, 5), .finished, epochs: 5)), "extra evaluation at 5")
        XCTAssertTrue(stage(0.001, 10).continues(record(stage(0.001, 5), .finished, epochs: 4)), "stopped early at 4")
        XCTAssertFalse(stage(0.001, 10).continues(record(stage(0.001, 5), .failed, epochs: nil)), "unknown how it ended")
        XCTAssertTrue(stage(0.001, 10).continues(record(stage(0.001, 4), .running, epochs: nil)))
    }
}
