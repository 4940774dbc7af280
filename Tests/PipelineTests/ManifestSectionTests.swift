import Core
import Foundation
import Logging
import XCTest
@testable import pipeline

final class ManifestSectionTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "accf-section-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FilePath.createDirectories(root)
    }

    override func tearDown() { FilePath.removeTree(root) }

    private func write(_ text: String) throws -> String {
        let path = root + "/m.toml"
        try AtomicFileWriter.write(Array(text.utf8), to: path)
        return path
    }

    func testFlagsOverrideSingleKeys() throws {
        let path = try write("[synth]\nusers = 50\nitems = 40\n")
        var overrides = ManifestOverrides()
        overrides.set("items", 30)
        overrides.set("seed", UInt64(9))
        overrides.set("clusters", nil as Int?)
        let section = try ManifestSection.load(SynthSection.self, manifest: path, section: "synth", overrides: overrides)
        XCTAssertEqual(section.config.users, 50)
        XCTAssertEqual(section.config.items, 30)
        XCTAssertEqual(section.config.seed, 9)
        XCTAssertEqual(section.config.clusters, SyntheticConfigDefaults.clusters)
    }

    func testOverrideIsValidatedLikeTheManifest() throws {
        let path = try write("[synth]\nusers = 50\n")
        var overrides = ManifestOverrides()
        overrides.set("format", "parquet")
        XCTAssertThrowsError(try ManifestSection.load(SynthSection.self, manifest: path, section: "synth", overrides: overrides)) { error in
            XCTAssertEqual((error as? AccfError)?.status, .usage)
            XCTAssertTrue((error as? AccfError)?.description.contains("synth.format") ?? false, "\(error)")
        }
    }

    func testPipelineDefinitionDefaultsAndValidation() throws {
        let path = try write("[synth]\nusers = 50\nitems = 40\ninteractions = 500\nformat = \"csv\"\n")
        let definition = try PipelineDefinition.load(path: path)
        XCTAssertEqual(definition.settings.name, "m")
        XCTAssertEqual(definition.settings.workdir, root + "/runs/m")
        XCTAssertEqual(definition.settings.prometheusTextfile, root + "/runs/m/accf.prom")
        XCTAssertEqual(definition.stages.map(\.name), ["synth"])
        XCTAssertEqual(definition.stages[0].outputs, [root + "/runs/m/synth/raw.csv.zst"])

        let bad = try write("[pipeline]\nname = \"m\"\n[synth]\nusers = 50\nclusters = 0\n")
        XCTAssertThrowsError(try PipelineDefinition.load(path: bad)) { error in
            let text = (error as? AccfError)?.description ?? ""
            XCTAssertTrue(text.contains("m.toml:5"), text)
            XCTAssertTrue(text.contains("clusters"), text)
        }
    }

    func testStageCommandRunRecordsStateAndRespectsTheLock() throws {
        let path = try write("[pipeline]\nworkdir = \"w\"\n[synth]\nusers = 30\nitems = 20\ninteractions = 300\n")
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let held = try WorkdirLock.acquire(workdir: root + "/w", wait: false)
        XCTAssertThrowsError(try ManifestSection.runStage("synth", manifest: path, logger: logger)) { error in
            XCTAssertEqual((error as? AccfError)?.status.rawValue, 75)
        }
        held.release()
        try ManifestSection.runStage("synth", manifest: path, logger: logger)
        XCTAssertEqual(PipelineState.load(workdir: root + "/w").stages["synth"]?.status, .finished)
        // …and a pipeline run afterwards sees it as up to date.
        let summary = try PipelineDefinition.load(path: path).runner(logger: logger).run(RunOptions())
        XCTAssertEqual(summary.skipped, ["synth"])
        XCTAssertThrowsError(try ManifestSection.runStage("train", manifest: path, logger: logger)) { error in
            XCTAssertEqual((error as? AccfError)?.status, .usage)
        }
    }
}

private enum SyntheticConfigDefaults {
    static let clusters = 8
}
