import Core
import Foundation
import XCTest
@testable import pipeline

/// Manifest errors through the real stage configs (IngestConfig, TrainConfig, ExportConfig):
/// the key path and line come out right whatever config type decodes the section.
final class RealConfigValidationTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "accf-realcfg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FilePath.createDirectories(root)
        try AtomicFileWriter.write(Array("1\t2\t5\t100\n".utf8), to: root + "/u.data")
    }

    override func tearDown() { FilePath.removeTree(root) }

    private func error(_ body: String) throws -> AccfError? {
        let path = root + "/p.toml"
        try AtomicFileWriter.write(Array(body.utf8), to: path)
        do {
            _ = try PipelineDefinition.load(path: path)
            return nil
        } catch let error as AccfError {
            return error
        }
    }

    private let good = """
    [ingest]
    format = "movielens"
    inputs = ["u.data"]
    [graph]
    [train]
    model = "lightgcn"
    [export]
    k = 10
    """

    func testAValidPipelineLoadsWithPathsResolvedAgainstTheManifest() throws {
        XCTAssertNil(try error(good))
        let definition = try PipelineDefinition.load(path: root + "/p.toml")
        XCTAssertEqual(definition.stages.map(\.name), ["ingest", "graph", "train", "export"])
        XCTAssertEqual(definition.stages[0].inputs, [root + "/u.data"])
        XCTAssertEqual(definition.stages[3].outputs, [root + "/runs/p/export/recommendations.sqlite"])
    }

    func testUnknownKeyInIngest() throws {
        let e = try error(good.replacingOccurrences(of: "inputs = [\"u.data\"]", with: "inputs = [\"u.data\"]\nkcore = 5"))
        XCTAssertEqual(e?.status, .usage)
        XCTAssertTrue(e?.description.contains("p.toml:4: unknown key ingest.kcore") ?? false, e?.description ?? "no error")
    }

    func testWrongTypeInTrain() throws {
        let e = try error(good.replacingOccurrences(of: "model = \"lightgcn\"", with: "model = \"lightgcn\"\ndim = \"64\""))
        XCTAssertEqual(e?.status, .usage)
        XCTAssertTrue(e?.description.contains("p.toml:7: train.dim: expected an integer, found a string") ?? false, e?.description ?? "no error")
    }

    func testBadEnumValueAndOutOfRangeValue() throws {
        let e1 = try error(good.replacingOccurrences(of: "format = \"movielens\"", with: "format = \"parquet\""))
        XCTAssertTrue(e1?.description.contains("p.toml:2: ingest.format") ?? false, e1?.description ?? "no error")
        let e2 = try error(good.replacingOccurrences(of: "k = 10", with: "k = 0"))
        XCTAssertEqual(e2?.status, .usage)
        XCTAssertTrue(e2?.description.contains("p.toml:8: export.k = 0") ?? false, e2?.description ?? "no error")
        let e3 = try error(good.replacingOccurrences(of: "model = \"lightgcn\"", with: "model = \"lightgcn\"\n[train.model_options]\nfoo = 1"))
        XCTAssertEqual(e3?.status, .usage)
        XCTAssertTrue(e3?.description.contains("foo") ?? false, e3?.description ?? "no error")
    }

    func testMissingInputNamesTheKeyAndLine() throws {
        let e = try error(good.replacingOccurrences(of: "u.data", with: "nowhere/u.data"))
        XCTAssertEqual(e?.status, .noInput)
        XCTAssertTrue(e?.description.contains("p.toml:3: ingest.inputs") ?? false, e?.description ?? "no error")
        XCTAssertTrue(e?.description.contains(root + "/nowhere/u.data") ?? false)
    }

    func testExportWithoutTrainIsRejected() throws {
        let e = try error("[ingest]\nformat = \"movielens\"\ninputs = [\"u.data\"]\n[export]\n")
        XCTAssertEqual(e?.status, .usage)
        XCTAssertTrue(e?.description.contains("[export] needs a [train] section") ?? false, e?.description ?? "no error")
    }

    func testWaitBlocksUntilTheOtherRunEnds() throws {
        let p = try FakePipeline("wait")
        let held = try WorkdirLock.acquire(workdir: p.workdir, wait: false)
        let done = DispatchSemaphore(value: 0)
        let runner = p.runner()
        nonisolated(unsafe) var ran: [String] = []
        Thread.detachNewThread {
            ran = (try? runner.run(RunOptions(wait: true)))?.ran ?? ["error"]
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 0.3), .timedOut, "--wait waits while the lock is held")
        held.release()
        XCTAssertEqual(done.wait(timeout: .now() + 20), .success)
        XCTAssertEqual(ran, ["ingest", "graph", "train", "export"])
    }
}
