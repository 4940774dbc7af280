import XCTest
import Core
import Graph
@testable import Train

final class XSimGCLTests: XCTestCase {
    /// With ε = 0 the perturbed encoder is the clean one, so the step's objective is a smooth
    /// function of Θ: the assembled gradient (BPR + norm regularizer + InfoNCE to layer l*, one
    /// backward) must match finite differences. The noise itself is checked in NoisyPropagationTests.
    func testAssembledGradientMatchesFiniteDifferences() throws {
        for (layers, star) in [(2, 1), (3, 2)] {
            let ctx = try ContrastiveModelFixture.context(model: "xsimgcl", layers: layers,
                                                          options: ["epsilon": .number(0), "lambda": .number(0.7),
                                                                    "contrast_layer": .number(Double(star))])
            let model = try XSimGCL(context: ctx)
            let batch = ContrastiveModelFixture.batch()
            var rng = SeededGenerator(seed: 1)
            _ = try model.lossAndGradient(batch, rng: &rng, threads: 1)
            let gradient = model.table.gradient
            try ContrastiveModelFixture.checkDirectional(table: model.table, gradient: gradient, "xsimgcl L\(layers) l*\(star)") {
                var r = SeededGenerator(seed: 1)
                return try model.lossAndGradient(batch, rng: &r, threads: 1).values.reduce(0, +)
            }
        }
    }

    func testTrainingForwardIsPerturbedAndEvaluationIsClean() throws {
        let ctx = try ContrastiveModelFixture.context(model: "xsimgcl")
        let model = try XSimGCL(context: ctx)
        let a = model.finalEmbeddings(threads: 1), b = model.finalEmbeddings(threads: 2)
        XCTAssertEqual(a.users, b.users)
        // Clean final = mean of layers 1..L (no layer 0).
        var h1 = [Float](repeating: 0, count: model.table.value.count), h2 = h1
        Propagation.multiply(ctx.graph, model.table.value, dim: 4, into: &h1, threads: 1)
        Propagation.multiply(ctx.graph, h1, dim: 4, into: &h2, threads: 1)
        for k in 0..<(ContrastiveModelFixture.users * 4) { XCTAssertEqual(a.users[k], (h1[k] + h2[k]) / 2, accuracy: 1e-6) }
        // Two training passes with different noise give different losses; same rng, same loss.
        let batch = ContrastiveModelFixture.batch()
        var r1 = SeededGenerator(seed: 5), r2 = SeededGenerator(seed: 5), r3 = SeededGenerator(seed: 6)
        let l1 = try model.lossAndGradient(batch, rng: &r1, threads: 1)
        let l2 = try model.lossAndGradient(batch, rng: &r2, threads: 1)
        let l3 = try model.lossAndGradient(batch, rng: &r3, threads: 1)
        XCTAssertEqual(l1, l2)
        XCTAssertNotEqual(l1["bpr"], l3["bpr"])
    }

    func testOptionsAreValidated() throws {
        XCTAssertThrowsError(try XSimGCL(context: ContrastiveModelFixture.context(model: "xsimgcl", options: ["lamda": .number(1)])))
        XCTAssertThrowsError(try XSimGCL(context: ContrastiveModelFixture.context(model: "xsimgcl", layers: 2, options: ["contrast_layer": .number(3)])))
        XCTAssertThrowsError(try XSimGCL(context: ContrastiveModelFixture.context(model: "xsimgcl", options: ["tau": .number(0)])))
    }
}
