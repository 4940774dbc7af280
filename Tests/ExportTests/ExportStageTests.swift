import Core
import Ingest
import Train
import XCTest
@testable import Export

final class ExportStageTests: XCTestCase {
    func export(_ fixture: ExportFixture, _ config: ExportConfig = ExportConfig(), to path: String) throws -> ExportReport {
        try ExportStage.export(input: fixture.input, config: config, destination: path, logger: quietLogger)
    }

    func testRecommendationsExcludeTrainItemsAndScoresAreSortedDotProducts() throws {
        let dir = makeTemporaryDirectory(self)
        let path = dir + "/rec.sqlite"
        let fixture = ExportFixture(users: 23, items: 41, dim: 8)
        var config = ExportConfig()
        config.k = 10
        config.threads = 2
        let report = try export(fixture, config, to: path)
        XCTAssertEqual(report.users, 23)
        XCTAssertEqual(report.recommendationRows, 23 * 10)

        let db = try SQLiteDatabase(path: path, mode: .readOnly)
        var userEmbedding: [Int: [Float]] = [:], itemEmbedding: [Int: [Float]] = [:]
        for (table, key) in [("users", "user_index"), ("items", "item_index")] {
            let stmt = try db.prepare("SELECT \(key), embedding FROM \(table)")
            while try stmt.step() {
                let v = try XCTUnwrap(EmbeddingBlob.decode(stmt.blob(1)))
                XCTAssertEqual(v.count, 8)
                if table == "users" { userEmbedding[Int(stmt.int64(0))] = v } else { itemEmbedding[Int(stmt.int64(0))] = v }
            }
            stmt.finalize()
        }
        XCTAssertEqual(userEmbedding[5], Array(fixture.input.model.userEmbeddings[40..<48]), "BLOBs are the final embeddings")
        var trainItems: [Int: Set<Int>] = [:]
        for (u, i) in zip(fixture.train.users, fixture.train.items) { trainItems[Int(u), default: []].insert(Int(i)) }

        let stmt = try db.prepare("SELECT user_index, rank, item_index, score FROM recommendations ORDER BY user_index, rank")
        var lastUser = -1, lastRank = 0
        var lastScore = Double.infinity
        while try stmt.step() {
            let (u, rank, item, score) = (Int(stmt.int64(0)), Int(stmt.int64(1)), Int(stmt.int64(2)), stmt.double(3))
            if u != lastUser { lastUser = u; lastRank = 0; lastScore = .infinity }
            XCTAssertEqual(rank, lastRank + 1, "ranks are 1, 2, … without holes")
            XCTAssertFalse(trainItems[u, default: []].contains(item), "user \(u) got train item \(item)")
            let dot = zip(userEmbedding[u]!, itemEmbedding[item]!).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            XCTAssertEqual(score, Double(dot), accuracy: 1e-5, "score of (\(u), \(item)) is the dot product of the BLOBs")
            XCTAssertLessThanOrEqual(score, lastScore, "sorted best first")
            // Nothing better was left out: every non-train item outside the list scores ≤ the last kept.
            lastRank = rank
            lastScore = score
        }
        stmt.finalize()
        // Completeness: the 10th score bounds every other candidate.
        for u in 0..<23 {
            let kept = Set(try db.rows("SELECT item_index FROM recommendations WHERE user_index = \(u)").map { Int($0[0]!)! })
            let tenth = Double(try db.rows("SELECT score FROM recommendations WHERE user_index = \(u) AND rank = 10")[0][0]!)!
            for i in 0..<41 where !kept.contains(i) && !trainItems[u, default: []].contains(i) {
                let dot = zip(userEmbedding[u]!, itemEmbedding[i]!).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                XCTAssertLessThanOrEqual(Double(dot), tenth + 1e-6)
            }
        }
        try db.close()
    }

    func testExcludingValidToo() throws {
        let dir = makeTemporaryDirectory(self)
        var fixture = ExportFixture(users: 15, items: 30, dim: 4, seed: 3)
        fixture.input.excluded = [fixture.train, fixture.valid]
        var config = ExportConfig()
        config.k = 15
        config.exclude = [.train, .valid]
        _ = try export(fixture, config, to: dir + "/rec.sqlite")
        let dump = try DumpedExport(path: dir + "/rec.sqlite")
        XCTAssertEqual(dump.meta["exclude"], "train,valid")
        var known = Set<[Int]>()
        for split in [fixture.train, fixture.valid] { for (u, i) in zip(split.users, split.items) { known.insert([Int(u), Int(i)]) } }
        XCTAssertFalse(dump.recommendations.isEmpty)
        for row in dump.recommendations { XCTAssertFalse(known.contains([Int(row[0]!)!, Int(row[2]!)!])) }
    }

    func testMetadataDescribesModelAndRun() throws {
        let dir = makeTemporaryDirectory(self)
        var config = ExportConfig()
        config.runId = "run-42"
        config.manifestHash = "feedface"
        let fixture = ExportFixture()
        _ = try export(fixture, config, to: dir + "/rec.sqlite")
        let meta = try DumpedExport(path: dir + "/rec.sqlite", ignoringKeys: []).meta
        XCTAssertEqual(meta["model"], "accf")
        XCTAssertEqual(meta["run_id"], "run-42")
        XCTAssertEqual(meta["manifest_hash"], "feedface")
        XCTAssertEqual(meta["checkpoint_hash"], ExportStage.hex(fixture.input.model.contentHash))
        XCTAssertEqual(meta["dataset_hash"], "000000000000abcd")
        XCTAssertEqual(meta["graph_hash"], "0000000000001234")
        XCTAssertEqual(meta["test_metrics"], #"{"ndcg@20":0.25,"recall@20":0.3}"#)
        XCTAssertEqual(meta["hyperparameters"], #"{"layers":"3","lr":"0.001"}"#)
        XCTAssertEqual(meta["k"], "20")
        XCTAssertEqual(meta["dim"], "8")
        XCTAssertEqual(meta["exclude"], "train")
        XCTAssertEqual(meta["embedding_dtype"], "float32-le")
        XCTAssertEqual(meta["schema_version"], "1")
        XCTAssertNotNil(meta["created_at"])
    }

    func testDictionariesThatDoNotMatchTheModelAreExit65NamingModelAndFix() throws {
        let dir = makeTemporaryDirectory(self)
        var fixture = ExportFixture()
        fixture.input.userIds.append("extra")
        assertThrowsAccfError(.dataError, mentioning: "/nowhere/model.accfmodel") { _ = try export(fixture, to: dir + "/a.sqlite") }
        assertThrowsAccfError(.dataError, mentioning: "ingest output the model was trained on") { _ = try export(fixture, to: dir + "/a.sqlite") }
        fixture = ExportFixture()
        fixture.input.datasetHash = 0x9999
        assertThrowsAccfError(.dataError, mentioning: "trained on dataset 000000000000abcd") { _ = try export(fixture, to: dir + "/a.sqlite") }
        fixture = ExportFixture()
        fixture.input.model.itemEmbeddings[3] = .nan
        assertThrowsAccfError(.dataError, mentioning: "non-finite") { _ = try export(fixture, to: dir + "/a.sqlite") }
        fixture = ExportFixture()
        fixture.input.itemIds[1] = fixture.input.itemIds[0]
        assertThrowsAccfError(.dataError, mentioning: "/nowhere/ingest") { _ = try export(fixture, to: dir + "/a.sqlite") }
        XCTAssertEqual(FilePath.list(dir), [], "nothing is written for bad input")
    }

    func testUserSubsetByIdsAndFile() throws {
        let dir = makeTemporaryDirectory(self)
        let fixture = ExportFixture(users: 23, items: 41, dim: 8)
        var full = ExportConfig()
        full.k = 5
        _ = try export(fixture, full, to: dir + "/all.sqlite")
        var subset = full
        subset.users = ["user-17", "user-3", "user-9", "user-3"]
        _ = try export(fixture, subset, to: dir + "/subset.sqlite")
        let all = try DumpedExport(path: dir + "/all.sqlite"), part = try DumpedExport(path: dir + "/subset.sqlite", ignoringKeys: [])
        XCTAssertEqual(part.meta["user_selection"], "subset")
        XCTAssertEqual(part.users, all.users.filter { ["3", "9", "17"].contains($0[0]!) })
        XCTAssertEqual(part.recommendations, all.recommendations.filter { ["3", "9", "17"].contains($0[0]!) },
                       "a scattered subset ranks exactly as the full export")
        XCTAssertEqual(part.items, all.items)

        try AtomicFileWriter.write(Array("# wanted\nuser-4\n\nuser-5\r\n".utf8), to: dir + "/users.txt")
        var fromFile = full
        fromFile.usersFile = dir + "/users.txt"
        _ = try export(fixture, fromFile, to: dir + "/file.sqlite")
        XCTAssertEqual(try DumpedExport(path: dir + "/file.sqlite").users.map { $0[0]! }, ["4", "5"])

        var unknown = full
        unknown.users = ["user-3", "nobody"]
        assertThrowsAccfError(.dataError, mentioning: "\"nobody\"") { _ = try export(fixture, unknown, to: dir + "/x.sqlite") }
        try AtomicFileWriter.write(Array("user-1\nghost\n".utf8), to: dir + "/bad.txt")
        var badFile = full
        badFile.usersFile = dir + "/bad.txt"
        assertThrowsAccfError(.dataError, mentioning: dir + "/bad.txt:2") { _ = try export(fixture, badFile, to: dir + "/x.sqlite") }
        badFile.usersFile = dir + "/missing.txt"
        assertThrowsAccfError(.noInput, mentioning: dir + "/missing.txt") { _ = try export(fixture, badFile, to: dir + "/x.sqlite") }
    }

    func testSameInputGivesSameContentWhateverTheThreadCount() throws {
        let dir = makeTemporaryDirectory(self)
        let fixture = ExportFixture(users: 40, items: 70, dim: 16, seed: 9)
        var one = ExportConfig(), two = ExportConfig()
        one.threads = 1
        two.threads = 2
        _ = try export(fixture, one, to: dir + "/1.sqlite")
        _ = try export(fixture, two, to: dir + "/2.sqlite")
        XCTAssertEqual(try DumpedExport(path: dir + "/1.sqlite"), try DumpedExport(path: dir + "/2.sqlite"))
    }

    func testTiesGoToTheLowerItemIndex() throws {
        let dir = makeTemporaryDirectory(self)
        var fixture = ExportFixture(users: 2, items: 6, dim: 2)
        fixture.input.model.userEmbeddings = [1, 0, 0, 1]
        fixture.input.model.itemEmbeddings = [1, 0, 0.5, 0, 1, 0, 0, 1, 0, 1, 0.5, 0]
        fixture.input.excluded = []
        var config = ExportConfig()
        config.k = 4
        _ = try export(fixture, config, to: dir + "/t.sqlite")
        let rows = try DumpedExport(path: dir + "/t.sqlite").recommendations.map { [$0[0]!, $0[1]!, $0[2]!] }
        XCTAssertEqual(rows, [["0", "1", "0"], ["0", "2", "2"], ["0", "3", "1"], ["0", "4", "5"],
                              ["1", "1", "3"], ["1", "2", "4"], ["1", "3", "0"], ["1", "4", "1"]])
    }
}
