import XCTest
import Core
@testable import Train

final class SGLTests: XCTestCase {
    func testAssembledGradientMatchesFiniteDifferences() throws {
        let ctx = try ContrastiveModelFixture.context(model: "sgl", options: ["drop_rate": .number(0.3), "lambda": .number(0.5)])
        let model = try SGL(context: ctx)
        try model.buildViews(epoch: 0)
        let batch = ContrastiveModelFixture.batch()
        var rng = SeededGenerator(seed: 1)
        _ = try model.lossAndGradient(batch, rng: &rng, threads: 1)
        let gradient = model.table.gradient
        try ContrastiveModelFixture.checkDirectional(table: model.table, gradient: gradient, "sgl") {
            try model.lossAndGradient(batch, rng: &rng, threads: 1).values.reduce(0, +)
        }
    }

    func testViewsDependOnlyOnSeedAndEpoch() throws {
        let ctx = try ContrastiveModelFixture.context(model: "sgl", options: ["drop_rate": .number(0.3)])
        let a = try SGL(context: ctx), b = try SGL(context: ctx)
        try a.buildViews(epoch: 4)
        try b.buildViews(epoch: 3)
        try b.buildViews(epoch: 4)
        XCTAssertEqual(a.views.map(\.contentHash), b.views.map(\.contentHash))
        XCTAssertNotEqual(a.views[0].contentHash, a.views[1].contentHash)
        XCTAssertLessThan(a.views[0].nonzeroCount, ctx.graph.nonzeroCount)
        XCTAssertThrowsError(try SGL(context: ContrastiveModelFixture.context(model: "sgl", options: ["drop_rate": .number(1)])))
    }
}
