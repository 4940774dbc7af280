import Core
import Foundation
import XCTest
@testable import pipeline

/// `accf study` killed with SIGKILL in the middle of a cell and run again: cells that finished
/// before the kill keep their files untouched, the killed cell resumes from its checkpoint, and
/// the report covers every cell.
final class StudyKillResumeTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw XCTSkip("the accf binary is not built beside the tests (\(Self.binary.path)); run `swift build` first")
        }
        root = try StudyFixture.folder()
    }

    override func tearDown() { if !root.isEmpty { FilePath.removeTree(root) } }

    static var binary: URL { Bundle.main.bundleURL.appendingPathComponent("accf") }

    private func start(_ manifest: String) throws -> Process {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["study", manifest, "-q"]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    private func modified(_ path: String) throws -> Date {
        try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
    }

    func testKilledStudyResumes() throws {
        let text = StudyFixture.manifestText(study: """
        models = ["bprmf", "lightgcn"]
        seeds = [1, 2]
        proposed = "lightgcn"
        \(StudyFixture.mainTableOnly)
        """).replacingOccurrences(of: "max_epochs = 2\nmin_epochs = 2", with: "max_epochs = 100\nmin_epochs = 100")
        let manifest = try StudyFixture.write(text, in: root)
        let d = try StudyDefinition.load(path: manifest)
        let first = StudyDefinition.Layout.cell(d.settings.workdir, d.grid.cells[0])    // clean/bprmf/s1
        let second = StudyDefinition.Layout.cell(d.settings.workdir, d.grid.cells[1])   // clean/lightgcn/s1

        let process = try start(manifest)
        let deadline = Date().addingTimeInterval(120)
        // Wait until the first cell finished and the second has a checkpoint, then kill.
        while Date() < deadline {
            if FilePath.exists(FilePath.join(first, "results.json")),
               !FilePath.list(FilePath.join(second, "checkpoints")).filter({ $0.hasSuffix(".ckpt") }).isEmpty { break }
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        guard !FilePath.exists(FilePath.join(second, "results.json")) else {
            throw XCTSkip("the second cell finished before the kill landed (machine too fast for this test's sizes)")
        }
        let firstResults = FilePath.join(first, "results.json")
        let bytes = try FilePath.readAll(firstResults), stamp = try modified(firstResults)
        XCTAssertEqual(PipelineState.load(workdir: d.settings.workdir).stages["train:\(d.grid.cells[1].id)"]?.status, .running)

        let rerun = try start(manifest)
        rerun.waitUntilExit()
        XCTAssertEqual(rerun.terminationStatus, 0)
        XCTAssertEqual(try FilePath.readAll(firstResults), bytes)
        XCTAssertEqual(try modified(firstResults), stamp, "a finished cell was trained again")
        let state = PipelineState.load(workdir: d.settings.workdir)
        XCTAssertFalse(state.lastRun?.ran.contains("train:\(d.grid.cells[0].id)") ?? true)
        XCTAssertNotNil(state.stages["train:\(d.grid.cells[1].id)"]?.counts["resumed_from_step"], "the killed cell resumed")
        let results = try StudyResults.load(grid: d.grid, workdir: d.settings.workdir)
        XCTAssertEqual(results.cells.count, d.grid.cells.count)
        let markdown = String(decoding: try FilePath.readAll(FilePath.join(d.settings.reportDir, "report.md")), as: UTF8.self)
        XCTAssertTrue(markdown.contains("4 of 4 training cells finished"))
    }
}
