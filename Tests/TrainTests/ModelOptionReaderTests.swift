import XCTest
import Foundation
import Logging
@testable import Train

/// `ModelOptionReader`: defaults come from the declared table only, values are typed, and every
/// model turns a bad value into a usage error that names the key and the value.
final class ModelOptionReaderTests: XCTestCase {
    enum Mode: String { case fast, exact }
    static let defaults: [String: ModelOptionValue] = [
        "tau": .number(0.2), "hidden": .number(64), "weighted": .bool(true), "mode": .string("fast"),
    ]

    func reader(_ values: [String: ModelOptionValue]) throws -> ModelOptionReader {
        try ModelOptionReader(model: "m", options: ModelOptions(values), defaults: Self.defaults)
    }

    func testAbsentKeysReadTheDeclaredDefaults() throws {
        let o = try reader([:])
        XCTAssertEqual(try o.number("tau"), 0.2)
        XCTAssertEqual(try o.integer("hidden"), 64)
        XCTAssertEqual(try o.flag("weighted"), true)
        XCTAssertEqual(try o.choice("mode", Mode.self), .fast)
    }

    func testGivenValuesOverrideTheDefaults() throws {
        let o = try reader(["tau": .number(0.5), "hidden": .number(8), "weighted": .bool(false), "mode": .string("exact")])
        XCTAssertEqual(try o.number("tau"), 0.5)
        XCTAssertEqual(try o.integer("hidden"), 8)
        XCTAssertEqual(try o.flag("weighted"), false)
        XCTAssertEqual(try o.choice("mode", Mode.self), .exact)
    }

    func testUnknownKeysWrongTypesAndBadChoicesAreUsageErrors() throws {
        XCTAssertThrowsError(try reader(["taus": .number(1)])) { XCTAssertTrue("\($0)".contains("unknown option taus"), "\($0)") }
        XCTAssertThrowsError(try reader(["tau": .string("x")]).number("tau")) { XCTAssertTrue("\($0)".contains("tau must be a number"), "\($0)") }
        XCTAssertThrowsError(try reader(["hidden": .number(2.5)]).integer("hidden")) { XCTAssertTrue("\($0)".contains("integer"), "\($0)") }
        XCTAssertThrowsError(try reader(["mode": .string("slow")]).choice("mode", Mode.self)) {
            XCTAssertTrue("\($0)".contains("mode: unknown value \"slow\""), "\($0)")
        }
        XCTAssertThrowsError(try reader([:]).require(false, "tau", "must be > 0", got: Float(-1))) {
            XCTAssertTrue("\($0)".contains("train.model_options.tau must be > 0, got -1"), "\($0)")
        }
        XCTAssertNoThrow(try reader([:]).require(true, "tau", "must be > 0", got: Float(1)))
    }

    /// Each model rejects an out-of-range value by the key's name (the reader is wired to it).
    func testEveryContrastiveModelRejectsANonPositiveTemperature() throws {
        for model in ["accf", "xsimgcl", "simgcl", "sgl"] {
            var c = TrainerTests.smallConfig(model: model)
            c.modelOptions = ModelOptions(["tau": .number(0)])
            c.maxEpochs = 1; c.minEpochs = 1
            let dir = NSTemporaryDirectory() + "accf-options-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            XCTAssertThrowsError(try TrainStage.run(config: c, data: TrainerTests.data, outputDirectory: dir,
                                                    options: TrainOptions(restart: false, showProgress: false),
                                                    logger: TrainerTests.logger), model) {
                XCTAssertTrue("\($0)".contains("train.model_options.tau must be > 0, got 0"), "\(model): \($0)")
            }
        }
    }
}
