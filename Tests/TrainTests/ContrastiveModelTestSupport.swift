import XCTest
import Core
import Graph
import Ingest
@testable import Train

/// Small model fixtures for the contrastive models' tests: a context over a random bipartite graph,
/// a batch, and a directional finite-difference check of a model's assembled gradient.
enum ContrastiveModelFixture {
    static let users = 6, items = 9

    static func context(model: String, dim: Int = 4, layers: Int = 2, reg: Double = 0.01,
                        options: [String: ModelOptionValue] = [:], seed: UInt64 = 7) throws -> ModelContext {
        var config = TrainConfig()
        config.model = model
        config.dim = dim
        config.layers = layers
        config.reg = reg
        config.seed = seed
        config.threads = 1
        config.modelOptions = ModelOptions(options)
        let train = ContrastiveFixture.interactions(users: users, items: items, perUser: 3, seed: seed)
        let graph = try GraphBuilder.build(userCount: users, itemCount: items, train: train)
        return ModelContext(config: config, userCount: users, itemCount: items, graph: graph, train: train,
                            initRNG: SeededGenerator(seed: seed, stream: 1))
    }

    static func batch(count: Int = 10, seed: UInt64 = 3) -> TripletBatch {
        let t = ContrastiveFixture.triplets(users: users, items: items, count: count, seed: seed)
        return TripletBatch(users: t.users.map { UInt32($0) }, positives: t.positives.map { UInt32($0 - users) },
                            negatives: t.negatives.map { UInt32($0 - users) })
    }

    /// Checks ⟨gradient, v⟩ against a Richardson-extrapolated central difference of `loss` along a
    /// few random directions v. Float arithmetic inside the model: tolerance 2e-3 (the term-level
    /// checks in double precision meet 1e-3).
    static func checkDirectional(table: ParameterTensor, gradient: [Float], tolerance: Double = 2e-3,
                                 _ what: String, file: StaticString = #filePath, line: UInt = #line,
                                 loss: () throws -> Double) rethrows {
        let base = table.value
        for seed in 1...4 as ClosedRange<UInt64> {
            let v = ContrastiveFixture.randomFloats(base.count, scale: 1, seed: 100 + seed)
            func at(_ h: Float) throws -> Double {
                table.value = zip(base, v).map { $0 + h * $1 }
                return try loss()
            }
            func central(_ h: Float) throws -> Double { (try at(h) - (try at(-h))) / (2 * Double(h)) }
            let d1 = try central(2e-2), d2 = try central(1e-2)
            let numeric = (4 * d2 - d1) / 3
            table.value = base
            let analytic = zip(gradient, v).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            // Relative to the larger of |numeric| and the typical size of a random directional
            // derivative, ‖g‖‖v‖/√n (a direction nearly orthogonal to g has only rounding left).
            let typical = (gradient.reduce(0.0) { $0 + Double($1) * Double($1) }).squareRoot()
                * (v.reduce(0.0) { $0 + Double($1) * Double($1) }).squareRoot() / Double(v.count).squareRoot()
            XCTAssertGreaterThan(typical, 1e-4, "\(what): gradient too small to check", file: file, line: line)
            let rel = abs(analytic - numeric) / max(abs(numeric), typical)
            XCTAssertLessThanOrEqual(rel, tolerance, "\(what): direction \(seed) analytic \(analytic) numeric \(numeric)",
                                     file: file, line: line)
        }
    }
}
