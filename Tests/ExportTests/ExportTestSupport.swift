import Core
import Ingest
import Logging
@testable import Train
import XCTest
@testable import Export

/// Small random exports for the tests: a FinalModel, dictionaries and train/valid interactions.
struct ExportFixture {
    var input: ExportInput
    var train: InteractionColumns
    var valid: InteractionColumns

    init(users: Int = 23, items: Int = 41, dim: Int = 8, seed: UInt64 = 1, modelName: String = "accf") {
        var rng = SeededGenerator(seed: seed)
        let u = (0..<users * dim).map { _ in rng.nextUnitFloat() - 0.5 }
        let v = (0..<items * dim).map { _ in rng.nextUnitFloat() - 0.5 }
        var train = InteractionColumns(), valid = InteractionColumns()
        for user in 0..<users {
            for item in 0..<items {
                let roll = rng.nextInt(below: 10)
                if roll < 2 { train.users.append(UInt32(user)); train.items.append(UInt32(item)) }
                else if roll == 2 { valid.users.append(UInt32(user)); valid.items.append(UInt32(item)) }
            }
        }
        let model = FinalModel(modelName: modelName, dim: dim, userEmbeddings: u, itemEmbeddings: v,
                               hyperparameters: ["lr": "0.001", "layers": "3"], testMetrics: ["ndcg@20": 0.25, "recall@20": 0.3],
                               datasetHash: 0xABCD, graphHash: 0x1234)
        input = ExportInput(model: model, modelPath: "/nowhere/model.accfmodel",
                            userIds: (0..<users).map { "user-\($0)" }, itemIds: (0..<items).map { "item-\($0)" },
                            dictionarySource: "/nowhere/ingest", datasetHash: 0xABCD, excluded: [train])
        self.train = train
        self.valid = valid
    }
}

/// A fresh temporary directory per test, removed afterwards.
func makeTemporaryDirectory(_ test: XCTestCase) -> String {
    var template = Array("/tmp/accf-export-test-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    test.addTeardownBlock { FilePath.removeTree(path) }
    return path
}

let quietLogger: Logger = {
    var logger = Logger(label: "export-test", factory: { _ in SwiftLogNoOpLogHandler() })
    logger.logLevel = .critical
    return logger
}()

/// The content of an exported file as plain values, for comparisons.
struct DumpedExport: Equatable {
    var userVersion: Int64
    var meta: [String: String]
    var users: [[String?]]
    var items: [[String?]]
    var recommendations: [[String?]]

    init(path: String, ignoringKeys: Set<String> = ExportSchema.perPartKeys) throws {
        let db = try SQLiteDatabase(path: path, mode: .readOnly)
        userVersion = try db.scalarInt("PRAGMA user_version")
        meta = [:]
        for row in try db.rows("SELECT key, value FROM meta") where !ignoringKeys.contains(row[0]!) { meta[row[0]!] = row[1]! }
        users = try db.rows("SELECT user_index, external_id, hex(embedding) FROM users ORDER BY user_index")
        items = try db.rows("SELECT item_index, external_id, hex(embedding) FROM items ORDER BY item_index")
        recommendations = try db.rows("SELECT user_index, rank, item_index, score FROM recommendations ORDER BY user_index, rank")
        try db.close()
    }
}

func assertThrowsAccfError(_ status: ExitStatus, mentioning fragment: String, file: StaticString = #filePath, line: UInt = #line,
                           _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected an AccfError \(status)", file: file, line: line)
    } catch let error as AccfError {
        XCTAssertEqual(error.status, status, error.description, file: file, line: line)
        XCTAssertTrue(error.description.contains(fragment), "\"\(error.description)\" does not mention \(fragment)", file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}
