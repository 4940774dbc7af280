import XCTest
@testable import Core
import Foundation

final class ChecksummedFileTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "accf-core-\(UUID().uuidString)"
        try FilePath.createDirectories(dir)
    }

    override func tearDown() { FilePath.removeTree(dir) }

    func testRoundTrip() throws {
        let path = dir + "/f.bin"
        let payload = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try ChecksummedFile.write(path: path, magic: "ACCFTEST", version: 3, payload: payload)
        let mapped = try MappedFile(path: path)
        let body = try ChecksummedFile.payload(of: mapped.bytes, path: path, magic: "ACCFTEST", what: "test", supportedVersion: 3)
        XCTAssertEqual(Array(body), payload)
        XCTAssertEqual(FilePath.list(dir), ["f.bin"], "no temporary file left behind")
    }

    func testEveryFlippedByteAndEveryTruncationIsDetected() throws {
        let path = dir + "/f.bin"
        let payload = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        try ChecksummedFile.write(path: path, magic: "ACCFTEST", version: 1, payload: payload)
        let original = try FilePath.readAll(path)
        for i in 0..<original.count {
            var damaged = original
            damaged[i] ^= 0x5A
            XCTAssertThrowsError(try damaged.withUnsafeBytes {
                _ = try ChecksummedFile.payload(of: $0, path: path, magic: "ACCFTEST", what: "test", supportedVersion: 1)
            }, "flip at \(i)") { error in
                XCTAssertEqual((error as? AccfError)?.status, .dataError)
                XCTAssertTrue("\(error)".contains(path))
            }
        }
        for length in [0, 10, 63, 64, 100, original.count - 1] {
            XCTAssertThrowsError(try Array(original[0..<length]).withUnsafeBytes {
                _ = try ChecksummedFile.payload(of: $0, path: path, magic: "ACCFTEST", what: "test", supportedVersion: 1)
            }, "truncated to \(length)")
        }
    }

    func testOtherVersionIsRefusedWithAdvice() throws {
        let path = dir + "/f.bin"
        try ChecksummedFile.write(path: path, magic: "ACCFTEST", version: 2, payload: [1, 2, 3])
        let mapped = try MappedFile(path: path)
        XCTAssertThrowsError(try ChecksummedFile.payload(of: mapped.bytes, path: path, magic: "ACCFTEST", what: "test", supportedVersion: 1)) {
            XCTAssertTrue("\($0)".contains("newer accf"))
        }
    }

    func testAtomicDirectoryPublishReplacesWholeAndRecovers() throws {
        let dest = dir + "/out"
        let s1 = try AtomicDirectory.staging(for: dest)
        try AtomicFileWriter.write([1], to: s1 + "/a")
        try AtomicDirectory.publish(staging: s1, to: dest)
        let s2 = try AtomicDirectory.staging(for: dest)
        try AtomicFileWriter.write([2], to: s2 + "/b")
        try AtomicDirectory.publish(staging: s2, to: dest)
        XCTAssertEqual(FilePath.list(dest), ["b"])
        // Simulate a crash between the two renames: only the old copy exists.
        XCTAssertEqual(rename(dest, dest + ".old-99"), 0)
        AtomicDirectory.recover(dest)
        XCTAssertEqual(FilePath.list(dest), ["b"])
    }
}
