import Core
import Ingest
import XCTest
@testable import pipeline

/// A config shaped like the stage configs: every key defaulted, decoded with `decodeIfPresent`.
private struct SampleConfig: Codable, Equatable {
    struct Split: Codable, Equatable {
        var method = "random"
        var ratios = [0.8, 0.1, 0.1]
        init() {}
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            method = try c.decodeIfPresent(String.self, forKey: .method) ?? method
            ratios = try c.decodeIfPresent([Double].self, forKey: .ratios) ?? ratios
        }
    }
    var input = ""
    var dim = 64
    var lr = 0.001
    var seed: UInt64 = 42
    var split = Split()
    var extra: [String: Double] = [:]

    enum CodingKeys: String, CodingKey { case input, dim, lr, seed, split, extra }

    init() {}
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        input = try c.decodeIfPresent(String.self, forKey: .input) ?? input
        dim = try c.decodeIfPresent(Int.self, forKey: .dim) ?? dim
        lr = try c.decodeIfPresent(Double.self, forKey: .lr) ?? lr
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
        split = try c.decodeIfPresent(Split.self, forKey: .split) ?? split
        extra = try c.decodeIfPresent([String: Double].self, forKey: .extra) ?? extra
    }
}

final class ManifestTests: XCTestCase {
    private func manifest(_ text: String, path: String = "/tmp/accf-manifest-tests/m.toml") throws -> Manifest {
        try Manifest(text: text, path: path)
    }

    private func assertUsageError(_ text: String, contains fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                                  _ body: (Manifest) throws -> Void = { _ = try $0.decode(SampleConfig.self, section: "train") }) {
        do {
            try body(try manifest(text))
            XCTFail("expected an error", file: file, line: line)
        } catch let error as AccfError {
            XCTAssertEqual(error.status, .usage, error.description, file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue(error.description.contains(fragment), "\"\(error.description)\" lacks \"\(fragment)\"", file: file, line: line)
            }
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }

    func testDecodesValuesAndKeepsDefaults() throws {
        let m = try manifest("""
        [train]
        dim = 32
        lr = 1          # an integer where a float is expected is fine
        split = { method = "temporal", ratios = [0.7, 0.2, 0.1] }
        [train.extra]
        a = 1.5
        """)
        let config = try m.decode(SampleConfig.self, section: "train")
        XCTAssertEqual(config.dim, 32)
        XCTAssertEqual(config.lr, 1.0)
        XCTAssertEqual(config.seed, 42)
        XCTAssertEqual(config.split.method, "temporal")
        XCTAssertEqual(config.split.ratios, [0.7, 0.2, 0.1])
        XCTAssertEqual(config.extra, ["a": 1.5])
        XCTAssertEqual(try m.decode(SampleConfig.self, section: "graph"), SampleConfig(), "a missing section is all defaults")
    }

    func testIngestIdOrderKey() throws {
        XCTAssertEqual(try manifest("[ingest]\ninputs = [\"a.csv\"]\n").decode(IngestConfig.self, section: "ingest").idOrder, .locality)
        XCTAssertEqual(try manifest("[ingest]\nid_order = \"external\"\n").decode(IngestConfig.self, section: "ingest").idOrder, .external)
        assertUsageError("[ingest]\nid_order = \"sorted\"\n", contains: ["m.toml:2", "ingest.id_order"]) {
            _ = try $0.decode(IngestConfig.self, section: "ingest")
        }
    }

    func testUnknownKeyNamesPathAndLine() {
        assertUsageError("[pipeline]\nname = \"x\"\n\n[train]\ndim = 8\ndimm = 3\n", contains: ["m.toml:6", "unknown key train.dimm"])
    }

    func testUnknownKeyInsideInlineTable() {
        assertUsageError("[train]\nsplit = { method = \"random\", ratio = [0.8, 0.2] }\n",
                         contains: ["m.toml:2", "train.split.ratio"])
    }

    func testUnknownKeyInSubtable() {
        assertUsageError("[train]\ndim = 8\n[train.accf]\nepsilon = 0.1\n", contains: ["m.toml:3", "unknown key train.accf"])
    }

    func testWrongTypeNamesPathLineAndTypes() {
        assertUsageError("[train]\nlr = 0.01\ndim = \"64\"\n", contains: ["m.toml:3", "train.dim", "expected an integer", "a string"])
        assertUsageError("[train]\nlr = \"fast\"\n", contains: ["m.toml:2", "train.lr", "expected a number"])
        assertUsageError("[train]\nsplit = { method = \"random\", ratios = [0.8, \"x\"] }\n",
                         contains: ["m.toml:2", "train.split.ratios[1]", "expected a number"])
        assertUsageError("[train]\nseed = -1\n", contains: ["m.toml:2", "train.seed", "out of range"])
    }

    func testUnknownSectionAndSyntaxError() {
        assertUsageError("[pipeline]\n[trian]\ndim = 3\n", contains: ["m.toml:2", "unknown section [trian]"]) { _ in }
        assertUsageError("[train]\ndim = = 3\n", contains: ["m.toml:2", "TOML syntax error"]) { _ in }
        assertUsageError("train = 3\n", contains: ["m.toml:1", "must be a section"]) { _ in }
    }

    func testRelativePathsResolveAgainstTheManifestFolder() throws {
        let m = try manifest("[train]\n", path: "/srv/accf/pipelines/m.toml")
        XCTAssertEqual(m.resolve("../../shared/data/x.zst"), "/srv/shared/data/x.zst")
        XCTAssertEqual(m.resolve("runs/a/./b"), "/srv/accf/pipelines/runs/a/b")
        XCTAssertEqual(m.resolve("/abs/path"), "/abs/path")
    }

    func testMissingInputNamesKeyAndLineWithExit66() throws {
        let m = try manifest("[ingest]\nformat = \"csv\"\ninput = \"nowhere/raw.csv\"\n")
        XCTAssertThrowsError(try m.requireExisting(m.resolve("nowhere/raw.csv"), key: "ingest.input")) { error in
            let e = error as? AccfError
            XCTAssertEqual(e?.status, .noInput)
            XCTAssertTrue(e?.description.contains("m.toml:3: ingest.input") ?? false, "\(String(describing: e))")
            XCTAssertTrue(e?.description.contains("/tmp/accf-manifest-tests/nowhere/raw.csv") ?? false)
        }
    }

    func testMissingManifestFileIsExit66() {
        XCTAssertThrowsError(try Manifest.load(path: "/nonexistent/accf/m.toml")) { error in
            XCTAssertEqual((error as? AccfError)?.status, .noInput)
        }
    }
}
