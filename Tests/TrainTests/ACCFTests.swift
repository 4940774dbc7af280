import XCTest
import Core
import Graph
@testable import Train

final class ACCFTests: XCTestCase {
    let base: [String: ModelOptionValue] = ["perturbation": .string("random"), "epsilon": .number(0.1),
                                            "lambda_adv": .number(0.5), "lambda_cl": .number(0.3), "tau": .number(0.3),
                                            "hidden": .number(8)]

    /// With a random direction Δ does not depend on Θ and δ is an explicit constant, so the
    /// assembled embedding gradient (both views, both InfoNCE halves, one backward, L2) is the
    /// exact derivative of the inner objective.
    func checkInnerGradient(_ options: [String: ModelOptionValue], _ what: String, prepare: (ACCF) -> Void = { _ in },
                            file: StaticString = #filePath, line: UInt = #line) throws {
        let ctx = try ContrastiveModelFixture.context(model: "accf", options: options)
        let model = try ACCF(context: ctx)
        prepare(model)
        let batch = ContrastiveModelFixture.batch()
        let t = NodeTriplets(userCount: ContrastiveModelFixture.users, users: batch.users,
                             positiveItems: batch.positives, negativeItems: batch.negatives)
        // Non-uniform weights: perturb the MLP output layer so δ varies per triplet.
        if let mlp = model.mlp {
            for p in mlp.value.indices { mlp.value[p] += Float(p % 5) * 0.05 - 0.1 }
        }
        Propagation.layerMean(ctx.graph, model.table.value, dim: 4, layers: 2, into: &model.propagated, threads: 1)
        let weights = model.instanceWeights(t, threads: 1)?.1
        if let weights { XCTAssertGreaterThan(weights.max()! - weights.min()!, 1e-3, file: file, line: line) }
        var rng = SeededGenerator(seed: 9)
        let step = model.inner(t, batch: batch, weights: weights, needG: true, rng: &rng, threads: 1)
        XCTAssertGreaterThan(step.total, 0)
        let gradient = model.table.gradient
        ContrastiveModelFixture.checkDirectional(table: model.table, gradient: gradient, what, file: file, line: line) {
            var r = SeededGenerator(seed: 9)
            return model.inner(t, batch: batch, weights: weights, needG: true, rng: &r, threads: 1).total
        }
    }

    func testInnerGradientFullModel() throws { try checkInnerGradient(base, "accf") }

    func testInnerGradientWithoutAdversarialView() throws {
        var o = base
        o["adversarial_view"] = .bool(false)
        try checkInnerGradient(o, "accf BPR+G+W")
    }

    func testInnerGradientWithoutInstanceWeights() throws {
        var o = base
        o["instance_weights"] = .bool(false)
        try checkInnerGradient(o, "accf BPR+G+C")
    }

    /// Δ along a stored previous gradient does not depend on Θ either, so the adversarial
    /// direction itself gets the exact check.
    func testInnerGradientWithDeltaFromThePreviousGradient() throws {
        var o = base
        o["perturbation"] = .string("adversarial")
        o["delta_gradient"] = .string("previous")
        try checkInnerGradient(o, "accf Δ from the previous gradient") { model in
            model.previousGradient = ContrastiveFixture.randomFloats(model.table.value.count, scale: 1, seed: 41)
        }
    }

    /// With `delta_gradient = "previous"` a step after the first skips the backward propagation for
    /// G (except on lookahead steps, which need G), and its Δ follows the gradient the previous
    /// step left behind.
    func testDeltaFromThePreviousStepSkipsThePropagationForG() throws {
        var o = base
        o["perturbation"] = .string("adversarial")
        o["delta_gradient"] = .string("previous")
        o["delta_every"] = .number(1)
        o["outer_every"] = .number(3)
        let ctx = try ContrastiveModelFixture.context(model: "accf", options: o)
        let model = try ACCF(context: ctx)
        let step = stepContext(ctx)
        var propagationsForG: [Int] = []
        for s in 0..<4 {
            let left = model.previousGradient
            propagationsForG.append(try profiledStep(model, step, s))
            XCTAssertEqual(model.previousGradient.count, model.table.value.count)
            XCTAssertNotEqual(model.previousGradient, left, "step \(s) must leave its own gradient")
            if s == 1 {
                let expected = AdversarialPerturbation.delta(gradient: left, dim: 4, epsilon: 0.1, direction: .adversarial,
                                                             relativeToRow: nil, generator: &step.rng)
                XCTAssertEqual(model.delta, expected, "Δ of step 1 follows step 0's gradient")
            }
        }
        // Step 0 has no previous gradient; step 3 is a lookahead step (3 % 3 == 0), as is step 0.
        XCTAssertEqual(propagationsForG, [1, 0, 0, 1])
    }

    /// With `delta_every = 3` steps 1 and 2 reuse step 0's Δ without propagating G (no lookahead
    /// falls on them), and step 3 computes a new one.
    func testDeltaEveryNStepsReusesDeltaBetweenRefreshes() throws {
        var o = base
        o["perturbation"] = .string("adversarial")
        o["delta_every"] = .number(3)
        o["outer_every"] = .number(100)
        let ctx = try ContrastiveModelFixture.context(model: "accf", options: o)
        let model = try ACCF(context: ctx)
        let step = stepContext(ctx)
        var propagationsForG: [Int] = [], deltas: [[Float]] = []
        for s in 0..<4 {
            propagationsForG.append(try profiledStep(model, step, s))
            deltas.append(model.delta)
        }
        XCTAssertEqual(propagationsForG, [1, 0, 0, 1])
        XCTAssertEqual(deltas[1], deltas[0])
        XCTAssertEqual(deltas[2], deltas[0])
        XCTAssertNotEqual(deltas[3], deltas[0])
    }

    /// While Δ is reused, PΔ comes from the cache built at the refresh (one full propagation per
    /// refresh, none on the steps between), and the model trains to the same bytes as with PΔ
    /// propagated on every step; a restored Δ (resume) rebuilds the cache.
    func testReusedDeltaPropagatesOncePerRefreshWithTheSameBytes() throws {
        var o = base
        o["perturbation"] = .string("adversarial")
        o["delta_every"] = .number(3)
        o["outer_every"] = .number(2)
        o["validation_batch"] = .number(16)
        func run(cached: Bool, steps: Int) throws -> (ACCF, [Int]) {
            let ctx = try ContrastiveModelFixture.context(model: "accf", options: o)
            let model = try ACCF(context: ctx)
            model.cachesPropagatedDelta = cached
            let step = stepContext(ctx)
            var fullPropagations: [Int] = []
            for s in 0..<steps {
                let profile = PhaseProfile()
                step.profile = profile
                step.globalStep = s
                _ = try model.trainStep(ContrastiveModelFixture.batch(seed: UInt64(s)), context: step)
                fullPropagations.append(profile.calls["forward PΔ: all rows"] ?? 0)
            }
            return (model, fullPropagations)
        }
        let (cached, full) = try run(cached: true, steps: 7)
        let (perStep, none) = try run(cached: false, steps: 7)
        XCTAssertEqual(full, [1, 0, 0, 1, 0, 0, 1])
        XCTAssertEqual(none, [0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(cached.table.value, perStep.table.value)
        XCTAssertEqual(cached.mlp!.value, perStep.mlp!.value)

        // A Δ restored from a checkpoint invalidates the cache.
        var writer = ByteWriter()
        cached.encodeState(into: &writer)
        XCTAssertTrue(cached.propagatedDeltaIsCurrent)
        try writer.bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw, file: "state")
            try cached.decodeState(from: &reader)
        }
        XCTAssertFalse(cached.propagatedDeltaIsCurrent)
    }

    /// Runs global step `s` with a profile attached; returns how often it propagated G.
    func profiledStep(_ model: ACCF, _ step: StepContext, _ s: Int) throws -> Int {
        let profile = PhaseProfile()
        step.profile = profile
        step.globalStep = s
        _ = try model.trainStep(ContrastiveModelFixture.batch(seed: UInt64(s)), context: step)
        return profile.calls["backward G"] ?? 0
    }

    func stepContext(_ ctx: ModelContext) -> StepContext {
        let valid = ContrastiveFixture.interactions(users: ContrastiveModelFixture.users, items: ContrastiveModelFixture.items,
                                                    perUser: 1, seed: 99)
        return StepContext(config: ctx.config, graph: ctx.graph,
                           validation: TripletSampler(interactions: valid, userCount: ContrastiveModelFixture.users,
                                                      itemCount: ContrastiveModelFixture.items))
    }

    func train(_ options: [String: ModelOptionValue], steps: Int) throws -> (ACCF, [[String: Double]]) {
        let ctx = try ContrastiveModelFixture.context(model: "accf", options: options)
        let model = try ACCF(context: ctx)
        let step = stepContext(ctx)
        var logs: [[String: Double]] = []
        for s in 0..<steps {
            logs.append(try model.trainStep(ContrastiveModelFixture.batch(seed: UInt64(s)), context: step))
        }
        return (model, logs)
    }

    func testOuterUpdatesMoveTheWeightNetworkAndStayBounded() throws {
        for outer in ["lookahead", "alternating"] {
            for meta in ["adam", "sgd"] {
                var o = base
                o["outer_update"] = .string(outer)
                o["meta_optimizer"] = .string(meta)
                o["meta_lr"] = .number(meta == "adam" ? 1e-2 : 10)
                o["weight_clip"] = .number(2)
                o["validation_batch"] = .number(16)
                let ctx = try ContrastiveModelFixture.context(model: "accf", options: o)
                let initial = try ACCF(context: ctx).mlp!.value
                let (model, logs) = try train(o, steps: 5)
                XCTAssertNotEqual(model.mlp!.value, initial, "\(outer)/\(meta): the meta step must move the MLP")
                let monitors = model.takeEpochMonitors()
                XCTAssertEqual(monitors["weight_mean"]!, 1, accuracy: 1e-4, "\(outer)/\(meta)")
                XCTAssertLessThanOrEqual(monitors["weight_max_over_mean"]!, 2 + 1e-4)
                XCTAssertNotNil(monitors["weight_loss_correlation"])
                XCTAssertEqual(monitors["lookahead_valid_bpr"] != nil, outer == "lookahead")
                XCTAssertTrue(logs.allSatisfy { $0["adv"] != nil && $0["cl"] != nil && $0["bpr"]!.isFinite })
            }
        }
    }

    func testSameSeedSameBytes() throws {
        var o = base
        o["perturbation"] = .string("adversarial")
        let (a, _) = try train(o, steps: 3)
        let (b, _) = try train(o, steps: 3)
        XCTAssertEqual(a.table.value, b.table.value)
        XCTAssertEqual(a.mlp!.value, b.mlp!.value)
        XCTAssertEqual(a.parameters.map(\.name), ["embeddings", "accf.weight_mlp"])
    }

    func testAblationsChangeTheParameterListAndLoggedTerms() throws {
        let (noWeights, logs) = try train(["instance_weights": .bool(false)], steps: 1)
        XCTAssertEqual(noWeights.parameters.count, 1)
        XCTAssertNotNil(logs[0]["cl"])
        let (noAdv, advLogs) = try train(["adversarial_view": .bool(false)], steps: 1)
        XCTAssertEqual(noAdv.parameters.count, 2)
        XCTAssertNil(advLogs[0]["adv"])
    }

    func testOptionsAreValidated() throws {
        for bad: [String: ModelOptionValue] in [["eps": .number(0.1)], ["perturbation": .string("gaussian")],
                                                 ["outer_update": .string("both")], ["weight_clip": .number(0.5)],
                                                 ["tau": .number(0)], ["lambda_cl": .bool(true)], ["delta_gradient": .string("stale")],
                                                 ["delta_every": .number(0)]] {
            XCTAssertThrowsError(try ACCF(context: ContrastiveModelFixture.context(model: "accf", options: bad)), "\(bad)")
        }
    }
}
