import XCTest
import Core
import Logging
@testable import Train
#if canImport(Glibc)
import Glibc
#endif

final class TrainerTests: XCTestCase {
    static let logger = Logger(label: "train-tests") { _ in SwiftLogNoOpLogHandler() }

    func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "accf-train-\(UUID().uuidString)"
        try FilePath.createDirectories(dir)
        addTeardownBlock { FilePath.removeTree(dir) }
        return dir
    }

    static func smallConfig(model: String = "lightgcn") -> TrainConfig {
        var c = TrainConfig()
        c.model = model
        c.dim = 16; c.layers = 2; c.batchSize = 64; c.lr = 0.01; c.reg = 1e-4
        c.maxEpochs = 6; c.minEpochs = 6; c.patience = 3; c.evalEvery = 1
        c.checkpointEverySteps = 5; c.keepCheckpoints = 2; c.seed = 11; c.threads = 2
        return c
    }

    static let data = TestData.planted(users: 60, items: 50, perUser: 15, seed: 2)

    func run(_ config: TrainConfig, _ dir: String, restart: Bool = false) throws -> TrainReport {
        try TrainStage.run(config: config, data: Self.data, outputDirectory: dir,
                           options: TrainOptions(restart: restart, showProgress: false), logger: Self.logger)
    }

    func testTrainingLearnsThePlantedStructureForBothModels() throws {
        for model in ["bprmf", "lightgcn"] {
            var config = Self.smallConfig(model: model)
            config.maxEpochs = 30; config.minEpochs = 30
            let dir = try temporaryDirectory()
            let report = try run(config, dir)
            // Random ranking of ~45 candidates with ~1.5 test items gives NDCG@10 ≈ 0.15.
            XCTAssertGreaterThan(report.testMetrics["ndcg@10"]!, 0.3, model)
            let final = try FinalModel.read(path: dir + "/model.accfmodel")
            XCTAssertEqual(final.modelName, model)
            XCTAssertEqual(final.testMetrics, report.testMetrics)
            #if os(Linux)
            // In bytes, not ru_maxrss's KiB: the peak is at least what is resident now.
            let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
            XCTAssertGreaterThanOrEqual(report.peakResidentBytes, Int(statm[1])! * Int(sysconf(Int32(_SC_PAGESIZE))) / 2, model)
            #endif
            XCTAssertEqual(final.userCount, 60)
            XCTAssertEqual(final.itemCount, 50)
            let results = String(decoding: try FilePath.readAll(dir + "/results.json"), as: UTF8.self)
            XCTAssertTrue(results.contains("\"best_epoch\""))
            let lines = String(decoding: try FilePath.readAll(dir + "/metrics.jsonl"), as: UTF8.self).split(separator: "\n")
            XCTAssertEqual(lines.count, 30)
            XCTAssertTrue(lines[0].hasPrefix("{\"epoch\":1,"))
        }
    }

    func testSameSeedGivesByteIdenticalCheckpointsAcrossRunsAndThreadCounts() throws {
        let a = try temporaryDirectory(), b = try temporaryDirectory()
        var config = Self.smallConfig()
        _ = try run(config, a)
        config.threads = 1
        _ = try run(config, b)
        let files = FilePath.list(a + "/checkpoints").sorted()
        XCTAssertEqual(files, FilePath.list(b + "/checkpoints").sorted())
        XCTAssertFalse(files.isEmpty)
        for f in files + ["../best.ckpt", "../model.accfmodel"] {
            XCTAssertEqual(try FilePath.readAll(a + "/checkpoints/" + f), try FilePath.readAll(b + "/checkpoints/" + f), f)
        }
        XCTAssertLessThanOrEqual(files.count, config.keepCheckpoints)
    }

    func testEarlyStoppingRespectsMinEpochsAndPatience() throws {
        var config = Self.smallConfig()
        config.lr = 1e-6   // no progress: every evaluation after the first is "no gain"
        config.maxEpochs = 40; config.minEpochs = 8; config.patience = 2
        let report = try run(config, try temporaryDirectory())
        XCTAssertGreaterThanOrEqual(report.epochs, 8)
        XCTAssertLessThan(report.epochs, 40)
    }

    func testCorruptLatestCheckpointFallsBackAndResumesExactly() throws {
        var config = Self.smallConfig()
        let reference = try temporaryDirectory()
        _ = try run(config, reference)
        let dir = try temporaryDirectory()
        config.maxEpochs = 3
        _ = try run(config, dir)
        // Flip a byte in the newest checkpoint: the next run must warn and use the previous one.
        let store = CheckpointStore(outputDirectory: dir, keep: 2)
        let newest = store.files().last!
        var bytes = try FilePath.readAll(newest)
        bytes[bytes.count / 2] ^= 0xFF
        try AtomicFileWriter.write(bytes, to: newest)
        XCTAssertThrowsError(try Checkpoint.read(path: newest)) { XCTAssertTrue("\($0)".contains("checksum")) }
        config.maxEpochs = 6   // extend the finished run (max_epochs is not in the config hash)
        let report = try run(config, dir)
        XCTAssertNotNil(report.resumedFromStep)
        XCTAssertLessThan(report.resumedFromStep ?? .max, try Checkpoint.read(path: store.files().last!).progress.globalStep + 1)
        XCTAssertEqual(try FilePath.readAll(dir + "/model.accfmodel"), try FilePath.readAll(reference + "/model.accfmodel"))
        XCTAssertEqual(try FilePath.readAll(dir + "/metrics.jsonl").count > 0, true)
    }

    func testCheckpointOfAnotherConfigIsRefusedUnlessRestarting() throws {
        let dir = try temporaryDirectory()
        var config = Self.smallConfig()
        config.maxEpochs = 1
        _ = try run(config, dir)
        config.lr = 0.02
        XCTAssertThrowsError(try run(config, dir)) { error in
            XCTAssertEqual((error as? AccfError)?.status, .usage)
            XCTAssertTrue("\(error)".contains("another train config"))
        }
        XCTAssertNil(try run(config, dir, restart: true).resumedFromStep)
    }

    func testCheckpointRoundTripAndRejectsTruncation() throws {
        let dir = try temporaryDirectory()
        var config = Self.smallConfig()
        config.maxEpochs = 1
        _ = try run(config, dir)
        let path = CheckpointStore(outputDirectory: dir, keep: 2).files().last!
        let c = try Checkpoint.read(path: path)
        XCTAssertEqual(c.progress.epoch, 1)
        XCTAssertEqual(c.tensors.count, 1)
        let copy = dir + "/copy.ckpt"
        try c.write(to: copy)
        XCTAssertEqual(try FilePath.readAll(copy), try FilePath.readAll(path))
        XCTAssertEqual(try Checkpoint.read(path: copy), c)
        let bytes = try FilePath.readAll(path)
        try AtomicFileWriter.write(Array(bytes.dropLast(9)), to: copy)
        XCTAssertThrowsError(try Checkpoint.read(path: copy))
    }

    func testConfigValidationNamesTheKey() throws {
        var c = TrainConfig()
        c.model = "nosuchmodel"
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("train.model")) }
        c = TrainConfig(); c.metric = "ndcg@50"
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("train.metric")) }
        c = TrainConfig(); c.modelOptions = ModelOptions(["eps": .number(0.1)])
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("unknown option eps")) }
        let json = #"{"model": "bprmf", "batch_size": 512, "ks": [5, 20], "model_options": {}}"#
        let decoded = try JSONDecoder().decode(TrainConfig.self, from: Data(json.utf8))
        XCTAssertEqual(decoded.batchSize, 512)
        XCTAssertEqual(decoded.dim, 64)
        XCTAssertNoThrow(try decoded.validate())
    }
}
