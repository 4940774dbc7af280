import XCTest
import Core
@testable import Train

final class SimGCLTests: XCTestCase {
    /// ε = 0: both views equal the clean encoder; the summed upstream gradients and the single
    /// backward must match finite differences of BPR + regularizer + InfoNCE(view, view).
    func testAssembledGradientMatchesFiniteDifferences() throws {
        let ctx = try ContrastiveModelFixture.context(model: "simgcl", layers: 3, options: ["epsilon": .number(0)])
        let model = try SimGCL(context: ctx)
        let batch = ContrastiveModelFixture.batch()
        var rng = SeededGenerator(seed: 1)
        _ = try model.lossAndGradient(batch, rng: &rng, threads: 1)
        let gradient = model.table.gradient
        try ContrastiveModelFixture.checkDirectional(table: model.table, gradient: gradient, "simgcl") {
            var r = SeededGenerator(seed: 1)
            return try model.lossAndGradient(batch, rng: &r, threads: 1).values.reduce(0, +)
        }
    }

    func testNoisyViewsDiffer() throws {
        let model = try SimGCL(context: ContrastiveModelFixture.context(model: "simgcl"))
        var rng = SeededGenerator(seed: 2)
        let a = model.encode(epsilon: 0.1, rng: &rng, threads: 1), b = model.encode(epsilon: 0.1, rng: &rng, threads: 1)
        XCTAssertNotEqual(a, b)
        XCTAssertThrowsError(try SimGCL(context: ContrastiveModelFixture.context(model: "simgcl", options: ["eps": .number(0.1)])))
    }
}
