import Core
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Creating an output on a full disk is exit 74 (retry after freeing space), not 73 (fix a path).
/// Found by scripts/disk-full.sh: with no free inode, `accf graph -o <new folder>/g.accfgraph`
/// said "cannot create … check that the directory exists and is writable" and exited 73, which
/// the documented Kubernetes policy treats as permanent.
final class CreateFailureTests: XCTestCase {
    func testFullDiskAndDeviceErrorsAreIOErrors() {
        for code in [ENOSPC, EDQUOT, EIO] {
            let error = AccfError.cannotCreate("/w/graph", errno: code)
            XCTAssertEqual(error.status, .ioError, String(cString: strerror(code)))
            XCTAssertTrue(error.description.hasPrefix("/w/graph: cannot create: "))
            XCTAssertTrue(error.description.contains("free disk space"))
        }
    }

    func testPathAndPermissionProblemsStayCannotCreate() {
        for code in [EACCES, EROFS, ENOTDIR, ENOENT, EPERM] {
            XCTAssertEqual(AccfError.cannotCreate("/w/graph", errno: code).status, .cannotCreate, String(cString: strerror(code)))
        }
    }

    func testCreateDirectoriesUnderAPlainFileIsStill73() throws {
        let dir = NSTemporaryDirectory() + "accf-create-\(UUID().uuidString)"
        try FilePath.createDirectories(dir)
        defer { FilePath.removeTree(dir) }
        try AtomicFileWriter.write([1], to: dir + "/file")
        XCTAssertThrowsError(try FilePath.createDirectories(dir + "/file/sub")) { error in
            XCTAssertEqual((error as? AccfError)?.status, .cannotCreate)
        }
    }
}
