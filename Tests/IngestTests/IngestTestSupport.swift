import Foundation
import XCTest
import Core
@testable import Ingest

/// Fixture paths, scratch directories and a one-call ingest for the tests.
enum Fixtures {
    static var directory: String {
        Bundle.module.path(forResource: "Fixtures", ofType: nil)!
    }

    static func path(_ name: String) -> String { FilePath.join(directory, name) }

    /// A fresh empty directory under the system temp directory.
    static func scratch(_ name: String = #function) -> String {
        let clean = name.filter { $0.isLetter || $0.isNumber }
        let dir = NSTemporaryDirectory() + "accf-ingest-tests-\(getpid())-\(clean)-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// `../shared/data/<sub>` relative to the package root, or a skip.
    static func realData(_ sub: String, file: StaticString = #filePath) throws -> String {
        let root = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.deletingLastPathComponent().appendingPathComponent("shared/data/\(sub)").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("real data \(path) is not present (needs /work/shared/data); skipping")
        }
        return path
    }

    /// Runs ingest into a scratch directory and opens the result.
    static func ingest(_ config: IngestConfig, name: String = #function) throws -> (IngestReport, IngestedDataset, String) {
        let out = FilePath.join(scratch(name), "dataset")
        let report = try IngestStage.run(config: config, output: out)
        return (report, try IngestedDataset.open(directory: out), out)
    }

    static func write(_ text: String, to path: String) {
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }
}

/// A table from (user, item, time) triples, in dense ids, for transform tests.
func table(_ rows: [(UInt32, UInt32, Int64)], rating: Float = .nan) -> InteractionTable {
    var t = InteractionTable()
    for (u, i, ts) in rows {
        t.users.append(u); t.items.append(i); t.ratings.append(rating); t.timestamps.append(ts); t.splits.append(0)
    }
    return t
}

func XCTAssertThrowsAccf(_ status: ExitStatus, _ contains: String = "", file: StaticString = #filePath, line: UInt = #line,
                         _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected an AccfError \(status)", file: file, line: line)
    } catch let e as AccfError {
        XCTAssertEqual(e.status, status, e.description, file: file, line: line)
        if !contains.isEmpty { XCTAssertTrue(e.description.contains(contains), "\(e.description) lacks \(contains)", file: file, line: line) }
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}
