import Core
import Foundation
import XCTest
@testable import Export

final class ExportConfigTests: XCTestCase {
    func testDecodesSnakeCaseKeysWithDefaults() throws {
        let empty = try JSONDecoder().decode(ExportConfig.self, from: Data("{}".utf8))
        XCTAssertEqual(empty, ExportConfig())
        XCTAssertEqual(empty.k, 20)
        XCTAssertEqual(empty.exclude, [.train])
        let json = #"{"k": 50, "exclude": ["train", "valid", "test"], "embeddings": false, "shard": "2/4", "threads": 2, "users_file": "u.txt", "run_id": "r", "manifest_hash": "h", "destination": "out.sqlite"}"#
        let config = try JSONDecoder().decode(ExportConfig.self, from: Data(json.utf8))
        XCTAssertEqual(config.k, 50)
        XCTAssertEqual(config.exclude, [.train, .valid, .test])
        XCTAssertFalse(config.embeddings)
        XCTAssertTrue(config.recommendations)
        XCTAssertEqual(config.shard, try ExportShard(index: 2, count: 4))
        XCTAssertEqual(config.usersFile, "u.txt")
        XCTAssertEqual(config.runId, "r")
        XCTAssertEqual(config.manifestHash, "h")
        XCTAssertEqual(config.destination, "out.sqlite")
        let again = try JSONDecoder().decode(ExportConfig.self, from: JSONEncoder().encode(config))
        XCTAssertEqual(again, config)
        XCTAssertThrowsError(try JSONDecoder().decode(ExportConfig.self, from: Data(#"{"shard": "5/4"}"#.utf8)))
    }

    func testValidateNamesTheKey() throws {
        var c = ExportConfig()
        c.k = 0
        assertThrowsAccfError(.usage, mentioning: "export.k") { try c.validate() }
        c = ExportConfig()
        c.threads = -1
        assertThrowsAccfError(.usage, mentioning: "export.threads") { try c.validate() }
        c = ExportConfig()
        c.exclude = [.train, .train]
        assertThrowsAccfError(.usage, mentioning: "export.exclude") { try c.validate() }
        c = ExportConfig()
        c.embeddings = false
        c.recommendations = false
        assertThrowsAccfError(.usage, mentioning: "nothing to export") { try c.validate() }
        c = ExportConfig()
        c.users = ["a"]
        c.shard = try ExportShard(index: 1, count: 2)
        assertThrowsAccfError(.usage, mentioning: "exclusive") { try c.validate() }
        c = ExportConfig()
        c.users = []
        assertThrowsAccfError(.usage, mentioning: "export.users") { try c.validate() }
        XCTAssertNoThrow(try ExportConfig().validate())
    }
}
