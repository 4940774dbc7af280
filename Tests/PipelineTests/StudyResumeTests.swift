import Core
import Foundation
import XCTest
@testable import pipeline

/// An interrupted study continues where it stopped: finished cells are not trained again (their
/// files stay byte-for-byte and untouched), missing cells train, a half-trained cell resumes
/// from its checkpoint, and the workdir lock keeps a second study out.
final class StudyResumeTests: XCTestCase {
    private var root = ""
    override func setUpWithError() throws { root = try StudyFixture.folder() }
    override func tearDown() { if !root.isEmpty { FilePath.removeTree(root) } }

    private let study = """
    models = ["bprmf", "lightgcn"]
    seeds = [1, 2]
    proposed = "lightgcn"
    [study.cold_start]
    models = ["bprmf"]
    [study.noise]
    fractions = [0, 0.1]
    models = ["bprmf"]
    [study.ablation]
    enabled = false
    [study.sensitivity]
    enabled = false
    """

    private func snapshot(_ d: StudyDefinition) throws -> [String: (bytes: [UInt8], modified: Date)] {
        var out: [String: (bytes: [UInt8], modified: Date)] = [:]
        for cell in d.grid.cells {
            let path = FilePath.join(StudyDefinition.Layout.cell(d.settings.workdir, cell), "results.json")
            guard FilePath.exists(path) else { continue }
            let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
            out[cell.id] = (try FilePath.readAll(path), modified)
        }
        return out
    }

    func testInterruptedStudyRedoesOnlyWhatIsMissing() throws {
        let d = try StudyFixture.definition(StudyFixture.manifestText(study: study), in: root)
        XCTAssertEqual(d.grid.cells.count, 4 + 1 + 1)
        let first = try d.run(logger: StudyFixture.logger)
        XCTAssertNil(first.summary.error)
        XCTAssertEqual(first.results.cells.count, 6)
        let before = try snapshot(d)
        XCTAssertEqual(before.count, 6)

        // A second run with nothing changed trains nothing.
        let again = try d.run(logger: StudyFixture.logger)
        XCTAssertEqual(again.summary.ran, [])

        // Interrupt: one cell's folder is gone (never trained), another was killed mid-training
        // (state "running", checkpoints kept, no results yet).
        let gone = StudyCell(data: .clean, model: "lightgcn", overrides: [:], seed: 2)
        let half = StudyCell(data: .noise(0.1), model: "bprmf", overrides: [:], seed: 1)
        FilePath.removeTree(StudyDefinition.Layout.cell(d.settings.workdir, gone))
        let halfDirectory = StudyDefinition.Layout.cell(d.settings.workdir, half)
        for name in ["results.json", "model.accfmodel"] { unlink(FilePath.join(halfDirectory, name)) }
        XCTAssertTrue(FilePath.exists(FilePath.join(halfDirectory, "checkpoints")), "the train stage keeps checkpoints")
        var state = PipelineState.load(workdir: d.settings.workdir)
        state.stages["train:\(half.id)"]?.status = .running
        try state.save(workdir: d.settings.workdir)

        let second = try d.run(logger: StudyFixture.logger)
        XCTAssertNil(second.summary.error)
        XCTAssertEqual(Set(second.summary.ran), ["train:\(gone.id)", "train:\(half.id)"])
        let resumed = PipelineState.load(workdir: d.settings.workdir).stages["train:\(half.id)"]
        XCTAssertNotNil(resumed?.counts["resumed_from_step"], "the killed cell resumed from its checkpoint")
        let after = try snapshot(d)
        for (id, old) in before where id != gone.id && id != half.id {
            XCTAssertEqual(after[id]?.bytes, old.bytes, id)
            XCTAssertEqual(after[id]?.modified, old.modified, "\(id) was rewritten")
        }
        // The retrained cells give the same numbers (same seed, same data).
        XCTAssertEqual(after[gone.id]?.bytes, before[gone.id]?.bytes)
        XCTAssertEqual(after[half.id]?.bytes, before[half.id]?.bytes)
        XCTAssertEqual(second.results.cells.count, 6)
    }

    func testAHeldWorkdirLockExits75() throws {
        let d = try StudyFixture.definition(StudyFixture.manifestText(study: study), in: root)
        try FilePath.createDirectories(d.settings.workdir)
        let lock = try WorkdirLock.acquire(workdir: d.settings.workdir, wait: false)
        defer { lock.release() }
        XCTAssertThrowsError(try d.run(logger: StudyFixture.logger)) { error in
            XCTAssertEqual((error as? AccfError)?.status, .temporaryFailure)
        }
    }
}
