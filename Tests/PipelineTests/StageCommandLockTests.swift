import Core
import Foundation
import XCTest
@testable import pipeline

/// Where a stage command run without a manifest puts its lock. Found while extending the lock
/// to every stage command: `accf graph -o /tmp/g.accfgraph` guessed the workdir `/` and failed
/// with exit 73 for a normal user (as root it left `/accf.lock`); `-o ~/rec.sqlite` guessed `/home`.
final class StageCommandLockTests: XCTestCase {
    func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "accf-lock-\(UUID().uuidString)"
        try FilePath.createDirectories(dir)
        addTeardownBlock { FilePath.removeTree(dir) }
        return dir
    }

    func testTheLayoutsWorkdirIsLockedWhenItCanBe() throws {
        let workdir = try temporaryDirectory()
        let lock = try ManifestSection.lockWorkdir(workdir, outputDirectory: workdir + "/graph")
        defer { lock.release() }
        XCTAssertEqual(lock.path, workdir + "/accf.lock")
        XCTAssertTrue(WorkdirLock.isHeld(workdir: workdir))
    }

    func testTheRootIsNeverAWorkdir() throws {
        XCTAssertTrue(ManifestSection.lockDirectoryIsOutsideAnyWorkdir("/"))
        XCTAssertFalse(ManifestSection.lockDirectoryIsOutsideAnyWorkdir("/srv/accf/runs/demo"))
        let output = try temporaryDirectory()
        let lock = try ManifestSection.lockWorkdir("/", outputDirectory: output)
        defer { lock.release() }
        XCTAssertEqual(lock.path, output + "/accf.lock", "the output's own folder, not /accf.lock")
    }

    func testAGuessThatCannotHoldALockFallsBackToTheOutputsFolder() throws {
        let dir = try temporaryDirectory()
        let notADirectory = dir + "/plain-file"
        try AtomicFileWriter.write([1], to: notADirectory)
        let output = dir + "/out"
        let lock = try ManifestSection.lockWorkdir(notADirectory, outputDirectory: output)
        defer { lock.release() }
        XCTAssertEqual(lock.path, output + "/accf.lock")
        // And the fallback lock still excludes a second writer of the same output (exit 75).
        XCTAssertThrowsError(try ManifestSection.lockWorkdir(notADirectory, outputDirectory: output)) { error in
            XCTAssertEqual((error as? AccfError)?.status.rawValue, 75)
        }
    }
}
