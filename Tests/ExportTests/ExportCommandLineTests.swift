import Core
import Foundation
import XCTest
@testable import Export

/// `accf export` as cron runs it: documented exit codes and one stderr line naming the file.
final class ExportCommandLineTests: XCTestCase {
    func accf(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let binary = root.appendingPathComponent(".build/debug/accf").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw XCTSkip("\(binary) is not built (swift build --build-tests builds it)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testExitCodesAndMessages() throws {
        let dir = makeTemporaryDirectory(self)
        var r = try accf(["export", "--workdir", dir + "/nowhere", "--log-format", "json"])
        XCTAssertEqual(r.status, 66)
        XCTAssertTrue(r.stderr.contains(dir + "/nowhere/train/model.accfmodel") && r.stderr.contains("accf train"), r.stderr)
        r = try accf(["export", "--workdir", dir, "--k", "0"])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("export.k"), r.stderr)
        r = try accf(["export", "--workdir", dir, "--shard", "3/2"])
        XCTAssertEqual(r.status, 64)

        // Two parts of a small export, through the binary end to end (bench writes real exports).
        let fixture = ExportFixture(users: 30, items: 20, dim: 4, seed: 8)
        var config = ExportConfig()
        for i in 1...2 {
            config.shard = try ExportShard(index: i, count: 2)
            _ = try ExportStage.export(input: fixture.input, config: config, destination: dir + "/p\(i).sqlite", logger: quietLogger)
        }
        r = try accf(["export", "merge", "-o", dir + "/all.sqlite", dir + "/p2.sqlite", dir + "/p1.sqlite"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try accf(["export", "verify", dir + "/all.sqlite"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try accf(["export", "merge", "-o", dir + "/bad.sqlite", dir + "/p1.sqlite"])
        XCTAssertEqual(r.status, 65)
        XCTAssertTrue(r.stderr.contains("users 15-30 are in no part"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").filter { $0.hasPrefix("accf: error:") }.count, 1)
        try AtomicFileWriter.write([1], to: dir + "/file")
        r = try accf(["export", "merge", "-o", dir + "/file/x.sqlite", dir + "/p1.sqlite", dir + "/p2.sqlite"])
        XCTAssertEqual(r.status, 73)
        r = try accf(["export", "verify", dir + "/missing.sqlite"])
        XCTAssertEqual(r.status, 66)
    }
}
