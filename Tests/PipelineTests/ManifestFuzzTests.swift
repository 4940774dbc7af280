import Core
import Foundation
import XCTest
@testable import pipeline

/// The CI layer of manifest fuzzing (issue #10): seeded mutants of the shipped manifests through
/// the real decoding path (`Manifest` → TOMLKit → `PipelineDefinition`, which decodes and
/// validates every section and checks inputs exist). Every mutant must either give a pipeline
/// whose configs validate, or fail with exit 64 naming the manifest (or 66 naming a missing
/// input) — no crash, no other error, no hang. `Fuzz/` has the libFuzzer harness for longer runs.
final class ManifestFuzzTests: XCTestCase {
    private let inputs = 2_000
    private let secondsPerInput = 2.0

    private static var pipelinesFolder: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("pipelines").path
    }

    /// Text pieces that break TOML and the decoders: structure, quotes, extreme numbers, dates,
    /// every section and a few keys of each (so duplicates and wrong types come up).
    private static let tokens = [
        "[", "]", "[[", "]]", "=", "\"", "'", "'''", "\"\"\"", "#", "\n", ".", ",", "{", "}", "\\", "\\u0000", "\t", "\r\n",
        "-1", "0", "-0.0", "1e400", "1e-400", "nan", "inf", "-inf", "9223372036854775807", "-9223372036854775808",
        "99999999999999999999", "0x7FFFFFFFFFFFFFFF", "0b1", "1_000", "true", "1979-05-27T07:32:00Z", "07:32:00",
        "[pipeline]", "[synth]", "[ingest]", "[graph]", "[train]", "[export]", "[train.model_options]", "[nope]",
        "dim = ", "seed = ", "format = ", "inputs = ", "user_column = ", "max_line_length = ", "split_ratios = ",
        "model = ", "k = ", "workdir = ", "name = ", "threads = ", "layers = ", "lr = ", "batch_size = ", "\u{FEFF}", "ü",
    ]

    private struct Mutator {
        var rng: SeededGenerator
        let seeds: [String]
        mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : rng.nextInt(below: n) }

        mutating func next() -> String {
            var s = Array(seeds[below(seeds.count)].unicodeScalars)
            for _ in 0..<(1 + below(3)) {
                let at = below(s.count + 1)
                switch below(7) {
                case 0, 1: s.insert(contentsOf: ManifestFuzzTests.tokens[below(ManifestFuzzTests.tokens.count)].unicodeScalars, at: at)
                case 2 where !s.isEmpty:  // delete a range
                    let a = min(at, s.count - 1); s.removeSubrange(a..<min(s.count, a + 1 + below(40)))
                case 3 where !s.isEmpty:  // duplicate a line-sized piece (duplicate keys and sections)
                    let a = below(s.count); let piece = Array(s[a..<min(s.count, a + 1 + below(80))]); s.insert(contentsOf: piece, at: at)
                case 4:  // replace a number with an extreme one
                    if let k = s.indices.dropFirst(below(s.count)).first(where: { s[$0].properties.numericType != nil }) {
                        var e = k; while e < s.count, s[e].properties.numericType != nil || s[e] == "." { e += 1 }
                        s.replaceSubrange(k..<e, with: ["0", "-1", "1e400", "99999999999999999999", "-9223372036854775808", "nan"][below(6)].unicodeScalars)
                    }
                case 5:  // deep nesting
                    let depth = 1 + below(3000)
                    let open = below(2) == 0 ? "[" : "{a="
                    let close = open == "[" ? "]" : "}"
                    s.insert(contentsOf: ("x = " + String(repeating: open, count: depth) + String(repeating: close, count: depth) + "\n").unicodeScalars, at: at)
                default: if !s.isEmpty { s[below(s.count)] = Unicode.Scalar(UInt8(truncatingIfNeeded: rng.next() % 127)) }
                }
            }
            var out = String.UnicodeScalarView(); out.append(contentsOf: s); return String(out)
        }
    }

    func testManifestMutants() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.pipelinesFolder).filter { $0.hasSuffix(".toml") }.sorted()
        XCTAssertFalse(names.isEmpty)
        let seeds = try names.map { try String(contentsOfFile: FilePath.join(Self.pipelinesFolder, $0), encoding: .utf8) }
        let folder = NSTemporaryDirectory() + "accf-manifest-fuzz-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = FilePath.join(folder, "fuzz.toml")
        var mutator = Mutator(rng: SeededGenerator(seed: 10), seeds: seeds)
        var accepted = 0, usage = 0, missing = 0, slowest = 0.0
        for k in 0..<inputs {
            let text = k < seeds.count ? seeds[k] : mutator.next()
            let started = DispatchTime.now().uptimeNanoseconds
            do {
                let definition = try PipelineDefinition(manifest: try Manifest(text: text, path: path))
                accepted += 1
                XCTAssertFalse(definition.settings.name.isEmpty)
                XCTAssertTrue(definition.settings.workdir.hasPrefix("/"))
            } catch let e as AccfError {
                switch e.status {
                case .usage:
                    usage += 1
                    XCTAssertTrue(e.description.contains(path), "exit 64 without the manifest's name: \(e) for \(text.debugDescription)")
                case .noInput: missing += 1
                default: XCTFail("unexpected \(e) for \(text.debugDescription)")
                }
            } catch {
                XCTFail("not an AccfError: \(error) for \(text.debugDescription)")
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            slowest = max(slowest, seconds)
            XCTAssertLessThan(seconds, secondsPerInput, "slow: \(text.debugDescription)")
            if testRun?.failureCount ?? 0 > 20 { return }
        }
        print("ManifestFuzzTests: \(inputs) manifests, \(accepted) accepted, \(usage) exit 64, \(missing) exit 66, slowest \(String(format: "%.3f", slowest)) s")
        XCTAssertGreaterThan(accepted, inputs / 50, "some mutants should still be valid pipelines")
    }

    /// Regression: these lines aborted accf inside TOMLKit (an `assert` in toml++, enabled in
    /// release builds) instead of failing; `TOMLPreflight` reports them first. Brackets in
    /// strings, comments and multi-line values must still parse.
    func testLinesThatCrashedTOMLKitAreUsageErrorsWithTheirLine() throws {
        for header in ["[[[", "[[[train]]]", "[[.a]]", "[[=]]", "[[#]]", "[[ [a]]", "[[{a]]", "[.]", "[[ü]]", "[[!]]", "[[\n",
                       "s=[}", "s=[1,}", "s=[ #c\n }", "s=[[}]]"] {
            let text = "[pipeline]\nname = \"x\"\n" + header.replacingOccurrences(of: "\\n", with: "\n") + "\n"
            XCTAssertThrowsError(try Manifest(text: text, path: "/tmp/m.toml"), header) { error in
                XCTAssertEqual((error as? AccfError)?.status, .usage, "\(error)")
                XCTAssertNotNil("\(error)".range(of: "/tmp/m.toml:[34]: TOML syntax error", options: .regularExpression), "\(error)")
            }
        }
        let fine = "[pipeline]\nname = \"x\" # [[[\nworkdir = '[[[w'\n[train]\nmodel_options = { a = \"\"\"\n[[[\"\"\" }\n"
        XCTAssertNoThrow(try Manifest(text: fine, path: "/tmp/m.toml"))
        XCTAssertNoThrow(try Manifest(text: "[pipeline]\nx = [\n[[[1]]],\n]\ny = [{}, {a = [1]}]\n", path: "/tmp/m.toml"))
    }

    /// Regression: a negative or huge column position decoded fine and crashed ingest on its first line.
    func testColumnPositionsOutOfRangeAreUsageErrors() throws {
        for value in ["-1", "9223372036854775807"] {
            let text = "[ingest]\nformat = \"csv\"\ninputs = [\"/dev/null\"]\nhas_header = false\nuser_column = \(value)\nitem_column = 1\n"
            let manifest = try Manifest(text: text, path: "/tmp/m.toml")
            XCTAssertThrowsError(try PipelineDefinition(manifest: manifest)) { error in
                XCTAssertEqual((error as? AccfError)?.status, .usage, "\(error)")
                XCTAssertTrue("\(error)".contains("user_column"), "\(error)")
            }
        }
    }
}
