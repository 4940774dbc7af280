import XCTest
import Train
@testable import pipeline

/// `accf bench train --models` entries with options, for timing model variants side by side.
final class BenchModelSpecTests: XCTestCase {
    func testModelWithOptionsParsesNumbersFlagsAndStrings() throws {
        let (model, options) = try BenchTrainCommand.modelSpec("accf:delta_gradient=previous:epsilon=0.2:epsilon_relative=true")
        XCTAssertEqual(model, "accf")
        XCTAssertEqual(options, ModelOptions(["delta_gradient": .string("previous"), "epsilon": .number(0.2),
                                              "epsilon_relative": .bool(true)]))
        let (plain, none) = try BenchTrainCommand.modelSpec("lightgcn")
        XCTAssertEqual(plain, "lightgcn")
        XCTAssertEqual(none, ModelOptions())
    }

    func testAnOptionWithoutAValueIsAUsageError() {
        XCTAssertThrowsError(try BenchTrainCommand.modelSpec("accf:delta_gradient")) { error in
            XCTAssertTrue("\(error)".contains("MODEL:KEY=VALUE"), "\(error)")
        }
    }
}
