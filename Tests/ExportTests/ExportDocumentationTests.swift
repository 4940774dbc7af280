import Core
import Foundation
import XCTest
@testable import Export

/// The SQL in docs/export.md runs against a real export and gives what it promises.
final class ExportDocumentationTests: XCTestCase {
    func sqlBlocks() throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let doc = try String(contentsOf: root.appendingPathComponent("docs/export.md"), encoding: .utf8)
        return doc.components(separatedBy: "```sql\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    }

    func testSchemaBlockIsTheSchemaTheWriterUses() throws {
        let schema = try XCTUnwrap(sqlBlocks().first)
        let normalize = { (s: String) in s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ") }
        for statement in (ExportSchema.tables + ExportSchema.indexes).split(separator: ";") {
            let text = normalize(String(statement))
            if text.isEmpty { continue }
            let firstLine = String(text.prefix(40))
            XCTAssertTrue(normalize(schema.replacingOccurrences(of: #"--[^\n]*"#, with: "", options: .regularExpression)).contains(text),
                          "docs/export.md does not show: \(firstLine)…")
        }
    }

    func testShellQueriesReadTopKAndRecomputeTheScore() throws {
        let dir = makeTemporaryDirectory(self)
        var fixture = ExportFixture(users: 50, items: 60, dim: 64, seed: 12)
        fixture.input.userIds[42] = "u42"
        _ = try ExportStage.export(input: fixture.input, config: ExportConfig(), destination: dir + "/r.sqlite", logger: quietLogger)
        let blocks = try sqlBlocks()
        XCTAssertEqual(blocks.count, 3)
        let db = try SQLiteDatabase(path: dir + "/r.sqlite", mode: .readOnly)
        let top = try db.rows(blocks[1])
        XCTAssertEqual(top.count, 10)
        XCTAssertEqual(top.map { $0[0]! }, (1...10).map(String.init))
        if (try? db.rows("SELECT pow(2, 3)")) == nil {
            throw XCTSkip("this SQLite library lacks math functions (the sqlite3 shell has them); recompute query not run")
        }
        let result = try db.rows(blocks[2])
        let stored = try XCTUnwrap(Double(result[0][0] ?? "")), recomputed = try XCTUnwrap(Double(result[0][1] ?? ""))
        XCTAssertEqual(recomputed, stored, accuracy: 1e-5)
        XCTAssertEqual(Double(top[0][2]!)!, stored, accuracy: 1e-12)
        try db.close()
    }
}
