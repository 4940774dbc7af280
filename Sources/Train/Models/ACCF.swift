import Core
import Graph

/// ACCF: LightGCN with an adversarial view, adversarial contrastive InfoNCE and instance-weighted
/// BPR whose weight network is learned bi-level (DESIGN.md, "ACCF, precisely").
///
/// One step: E = PΘ; δ = bound(MLP(E)) (constant for the embeddings); G = P·∂L_ibpr/∂E; Δ = FGM(G)
/// (or a random direction of the same norm); Ẽ = E + PΔ; L = L_ibpr(E) + λ_adv L_ibpr(Ẽ) + λ_cl
/// (InfoNCE_users(E, Ẽ) + InfoNCE_items(E, Ẽ)) + reg; one backward propagation for both views.
/// Every `outer_every` steps the weight network takes a meta step on the exact one-step-lookahead
/// hypergradient of a validation batch's BPR (`Hypergradient`), or — the seed article's
/// "alternating" variant, kept for the comparison — on the weighted training loss itself.
///
/// Why these defaults: the reference measurements (ml-100k) put ε 0.1, λ_adv 0.5, λ_cl 0.05, τ 0.2
/// best; uniform weights are the bar to beat, so the MLP starts uniform, weights are normalized to
/// batch mean 1 and clipped at 3, and the meta step is small (Adam, 1e-4) and taken every 10 steps
/// to amortize the lookahead's three extra propagations: on ml-100k every 5, 10 and 20 steps gave
/// the same test NDCG@20 to four digits (0.3236), and 10 instead of 5 saves ~5 s of a ~90 s
/// yelp2018 epoch (docs/accf-models.md). Δ is recomputed every 4 steps (`delta_every`): against
/// every step, valid NDCG@20 was equal on ml-100k (0.2753 vs 0.2752) and ahead on yelp2018 (0.0663
/// vs 0.0657) and gowalla (0.1057 vs 0.1026 at 20 epochs), at 2.26–2.39× LightGCN's yelp2018 epoch
/// instead of 2.61–2.73× (docs/accf-models.md, "Cheaper Δ"). PΔ is cached while Δ is reused
/// (`propagatedDelta`), with the same bytes: 1.96–2.18× (docs/accf-models.md, "PΔ cached").
/// Ablations: `adversarial_view = false` (BPR+G+W), `instance_weights = false` (BPR+G+C),
/// `perturbation = "random"`.
/// `delta_gradient = "previous"` takes Δ's direction from the previous step's gradient of the whole
/// inner objective instead of this step's G, as "free" adversarial training does (Shafahi et al.
/// 2019): the step already computed that gradient, so it saves the backward propagation for G, one
/// of the four a step needs. `delta_every = n` recomputes Δ every n steps and reuses it in between,
/// which skips that propagation on the other steps (docs/accf-models.md, "Cheaper Δ").
public final class ACCF: RecommenderModel, NodeTableModel {
    public static let modelName = "accf"
    public static let optionDefaults: [String: ModelOptionValue] = [
        "epsilon": .number(0.1), "epsilon_relative": .bool(false), "perturbation": .string("adversarial"),
        "delta_gradient": .string("current"), "delta_every": .number(4),
        "lambda_adv": .number(0.5), "lambda_cl": .number(0.05), "tau": .number(0.2),
        "adversarial_view": .bool(true), "instance_weights": .bool(true),
        "hidden": .number(64), "weight_clip": .number(3),
        "outer_update": .string("lookahead"), "outer_every": .number(10),
        "meta_optimizer": .string("adam"), "meta_lr": .number(1e-4), "lookahead_step": .number(1e-3),
        "validation_batch": .number(2048),
    ]

    enum OuterUpdate: String { case lookahead, alternating }
    enum MetaOptimizer: String { case adam, sgd }
    /// Which gradient Δ follows: this step's G (exact FGM) or the previous step's training gradient.
    enum DeltaGradient: String { case current, previous }

    let basics: NodeTableBasics
    /// InfoNCE's |B|² scratch, reused across steps.
    let infoNCEWorkspace = InfoNCEWorkspace()
    let mlp: ParameterTensor?
    var network: InstanceWeightNetwork?
    let epsilon: Float, epsilonRelative: Bool, direction: AdversarialPerturbation.Direction
    let deltaGradient: DeltaGradient
    /// Δ is recomputed on steps with globalStep % deltaEvery == 0 and reused in between.
    let deltaEvery: Int
    let lambdaAdv: Float, lambdaCL: Float, tau: Float
    let adversarialView: Bool
    let bounding: WeightBounding
    let outerUpdate: OuterUpdate, outerEvery: Int, metaOptimizer: MetaOptimizer, metaLR: Float
    let lookaheadStep: Float, validationBatch: Int
    var monitors = EpochMonitor()
    /// The step's phase profile (`accf bench train --profile`), nil in training.
    var profile: PhaseProfile?
    /// Propagation scratch reused across calls.
    let workspace = PropagationWorkspace()
    /// Work buffers (N × d), reused across steps. `propagated` and `scratch` (Ẽ) are exact on the
    /// step's batch rows only; `upstream` and `upstreamTilde` are all zero between steps.
    var propagated: [Float], upstream: [Float], upstreamTilde: [Float], trainingGradient: [Float], scratch: [Float]
    /// Δ of the step: every element written on the steps that recompute it, kept on the others.
    var delta: [Float] = []
    /// PΔ on every row while Δ is reused (`delta_every` > 1): P and Δ are fixed between refreshes,
    /// so the steps that reuse Δ copy their batch rows from here instead of propagating Δ again
    /// (one chain of L sparse products saved on those steps). `Propagation.layerMean` gives the
    /// same bytes on a row whether it computes all rows or only the batch's, so the cache changes
    /// no result. Not checkpointed: a resumed run rebuilds it from the restored Δ.
    var propagatedDelta: [Float] = []
    var propagatedDeltaIsCurrent = false
    /// Whether the forward PΔ goes through `propagatedDelta` (set in init; a test turns it off to
    /// compare against the per-step propagation).
    var cachesPropagatedDelta: Bool
    /// With `delta_gradient = "previous"`: the last step's ∂L_inner/∂Θ (checkpointed), or empty
    /// before the first step, which computes G instead.
    var previousGradient: [Float] = []
    let lookaheadBuffers = LookaheadBuffers()

    public init(context: ModelContext) throws {
        let o = try ModelOptionReader(model: Self.modelName, options: context.config.modelOptions, defaults: Self.optionDefaults)
        epsilon = try o.number("epsilon")
        epsilonRelative = try o.flag("epsilon_relative")
        direction = try o.choice("perturbation", AdversarialPerturbation.Direction.self)
        deltaGradient = try o.choice("delta_gradient", DeltaGradient.self)
        deltaEvery = try o.integer("delta_every")
        try o.require(deltaEvery > 0, "delta_every", "must be positive", got: deltaEvery)
        lambdaAdv = try o.number("lambda_adv")
        lambdaCL = try o.number("lambda_cl")
        tau = try o.number("tau")
        adversarialView = try o.flag("adversarial_view")
        let useWeights = try o.flag("instance_weights")
        let hidden = try o.integer("hidden")
        let clip = try o.number("weight_clip")
        outerUpdate = try o.choice("outer_update", OuterUpdate.self)
        outerEvery = try o.integer("outer_every")
        metaOptimizer = try o.choice("meta_optimizer", MetaOptimizer.self)
        metaLR = try o.number("meta_lr")
        lookaheadStep = try o.number("lookahead_step")
        validationBatch = try o.integer("validation_batch")
        try o.require(epsilon >= 0, "epsilon", "must be ≥ 0", got: epsilon)
        try o.require(lambdaAdv >= 0, "lambda_adv", "must be ≥ 0", got: lambdaAdv)
        try o.require(lambdaCL >= 0, "lambda_cl", "must be ≥ 0", got: lambdaCL)
        try o.require(tau > 0, "tau", "must be > 0", got: tau)
        try o.require(hidden > 0, "hidden", "must be positive", got: hidden)
        try o.require(clip == 0 || clip > 1, "weight_clip", "must be 0 (unbounded weights) or > 1", got: clip)
        try o.require(outerEvery > 0, "outer_every", "must be positive", got: outerEvery)
        try o.require(metaLR >= 0, "meta_lr", "must be ≥ 0", got: metaLR)
        try o.require(lookaheadStep > 0, "lookahead_step", "must be > 0", got: lookaheadStep)
        try o.require(validationBatch > 0, "validation_batch", "must be positive", got: validationBatch)
        bounding = clip == 0 ? .none : .meanOneClipped(clip: clip)

        var ctx = context
        basics = NodeTableBasics(context: &ctx)
        if useWeights {
            let net = InstanceWeightNetwork(dim: context.config.dim, hidden: hidden, generator: &ctx.initRNG)
            network = net
            mlp = ParameterTensor(name: "accf.weight_mlp", rows: 1, columns: net.parameterCount,
                                  value: net.parameters, learningRate: metaLR)
        } else {
            network = nil
            mlp = nil
        }
        propagated = [Float](repeating: 0, count: basics.table.value.count)
        upstream = propagated; upstreamTilde = propagated; trainingGradient = propagated; scratch = propagated
        cachesPropagatedDelta = deltaEvery > 1
    }

    public var parameters: [ParameterTensor] { mlp.map { [table, $0] } ?? [table] }

    /// What one inner step computed, for the outer step and the log.
    struct InnerStep {
        var clean: WeightedBPR.Result
        var adversarial: Float = 0
        var contrastive: Float = 0
        var l2: Double = 0
        /// The total inner objective (BPR + λ_adv·adv + λ_cl·cl + reg), for gradient checks.
        var total: Double = 0
    }

    /// Fills `table.gradient` with ∂L_inner/∂Θ for fixed `weights` (δ is a constant) and returns the
    /// loss terms. Leaves G = ∇_Θ L_ibpr in `trainingGradient` when `needG` (the adversarial view
    /// needs it; so does the lookahead). With `perturbation = "random"` Δ does not depend on Θ, so
    /// `table.gradient` is the exact derivative of `total` (the model-level gradient check).
    func inner(_ t: NodeTriplets, batch: TripletBatch, weights: [Float]?, needG: Bool, forwardDone: Bool = false,
               refreshDelta: Bool = true, rng: inout SeededGenerator, threads: Int) -> InnerStep {
        let profile = self.profile
        // Every loss term reads the batch's rows only: E and Ẽ are needed there alone, and the
        // upstream gradients are zero elsewhere (both buffers are all zero between steps).
        let rows = batch.nodeRows(userCount: userCount)
        if !forwardDone {
            profile.measure("forward") {
                Propagation.layerMean(graph, table.value, dim: dim, layers: layers, into: &propagated, inputRows: nil, outputRows: rows,
                                      threads: threads, workspace: workspace)
            }
        }
        var step = profile.measure("bpr") {
            InnerStep(clean: WeightedBPR.lossAndGradient(embeddings: propagated, dim: dim, triplets: t,
                                                         weights: weights, scale: 1, gradient: &upstream))
        }
        let refresh = refreshDelta || delta.isEmpty
        let followPrevious = adversarialView && deltaGradient == .previous && !previousGradient.isEmpty
        if needG || (adversarialView && refresh && !followPrevious) {
            profile.measure("backward G") {
                Propagation.layerMean(graph, upstream, dim: dim, layers: layers, into: &trainingGradient, inputRows: rows, outputRows: nil,
                                      threads: threads, workspace: workspace)
            }
        }
        if adversarialView && refresh {
            profile.measure("delta") {
                AdversarialPerturbation.delta(gradient: followPrevious ? previousGradient : trainingGradient, dim: dim, epsilon: epsilon,
                                              direction: direction, relativeToRow: epsilonRelative ? table.value : nil,
                                              generator: &rng, into: &delta, threads: threads)
            }
            propagatedDeltaIsCurrent = false
        }
        if adversarialView {
            profile.measure("forward PΔ") {
                if cachesPropagatedDelta {
                    if !propagatedDeltaIsCurrent {
                        profile.measure("forward PΔ: all rows") {
                            Propagation.layerMean(graph, delta, dim: dim, layers: layers, into: &propagatedDelta, threads: threads,
                                                  workspace: workspace)
                        }
                        propagatedDeltaIsCurrent = true
                    }
                    RowOps.copyRows(propagatedDelta, into: &scratch, rows: rows, dim: dim)
                } else {
                    Propagation.layerMean(graph, delta, dim: dim, layers: layers, into: &scratch, inputRows: nil, outputRows: rows,
                                          threads: threads, workspace: workspace)
                }
                RowOps.combine(propagated, scale: 1, [], addB: false, into: &scratch, rows: rows, dim: dim, overwrite: false,
                               threads: threads)  // Ẽ = E + PΔ
            }
            step.adversarial = profile.measure("bpr adv") {
                WeightedBPR.lossAndGradient(embeddings: scratch, dim: dim, triplets: t, weights: weights,
                                            scale: lambdaAdv, gradient: &upstreamTilde).loss
            }
            if lambdaCL > 0 {
                profile.measure("infonce") {
                    for rows in [t.distinctUsers, t.distinctPositives] {
                        step.contrastive += InfoNCE.lossAndGradient(view1: propagated, view2: scratch, dim: dim, rows: rows,
                                                                    temperature: tau, scale: lambdaCL, gradient1: &upstream,
                                                                    gradient2: &upstreamTilde, threads: threads, workspace: infoNCEWorkspace,
                                                                    profile: profile)
                    }
                }
            }
            // One backward propagation for both views.
            profile.measure("backward") {
                RowOps.combine(upstreamTilde, scale: 1, [], addB: false, into: &upstream, rows: rows, dim: dim, overwrite: false,
                               threads: threads)
                upstreamTilde.zeroRows(rows, dim: dim)
                Propagation.layerMean(graph, upstream, dim: dim, layers: layers, into: &table.gradient, inputRows: rows, outputRows: nil,
                                      threads: threads, workspace: workspace)
            }
        } else if needG {
            table.gradient = trainingGradient
        } else {
            profile.measure("backward") {
                Propagation.layerMean(graph, upstream, dim: dim, layers: layers, into: &table.gradient, inputRows: rows, outputRows: nil,
                                      threads: threads, workspace: workspace)
            }
        }
        upstream.zeroRows(rows, dim: dim)
        step.l2 = profile.measure("l2") {
            BPRLoss.l2(initial: table.value, dim: dim, userCount: userCount, batch: batch, lambda: reg, gradient: &table.gradient, threads: threads)
        }
        step.total = Double(step.clean.loss) + Double(lambdaAdv * step.adversarial)
            + Double(lambdaCL * step.contrastive) + step.l2
        return step
    }

    /// The instance weights of a batch (bounded), with the activations the meta step needs.
    func instanceWeights(_ t: NodeTriplets, threads: Int) -> (InstanceWeightNetwork.Activations, [Float])? {
        guard var net = network, let mlp else { return nil }
        net.parameters = mlp.value
        network = net
        let act = net.forward(embeddings: propagated, triplets: t, threads: threads)
        return (act, bounding.apply(act.weights))
    }

    public func trainStep(_ batch: TripletBatch, context: StepContext) throws -> [String: Double] {
        let t = NodeTriplets(userCount: userCount, users: batch.users, positiveItems: batch.positives, negativeItems: batch.negatives)
        let threads = context.threads
        profile = context.profile
        // The weights read E = PΘ, which `inner` then reuses.
        var weighting: (InstanceWeightNetwork.Activations, [Float])?
        if network != nil {
            context.phase("forward") {
                Propagation.layerMean(graph, table.value, dim: dim, layers: layers, into: &propagated, inputRows: nil,
                                      outputRows: batch.nodeRows(userCount: userCount), threads: threads, workspace: workspace)
            }
            weighting = context.phase("weights") { instanceWeights(t, threads: threads) }
        }
        let outerNow = weighting != nil && context.globalStep % outerEvery == 0
        let step = inner(t, batch: batch, weights: weighting?.1, needG: outerNow && outerUpdate == .lookahead,
                         forwardDone: weighting != nil, refreshDelta: context.globalStep % deltaEvery == 0,
                         rng: &context.rng, threads: threads)

        // Outer (meta) step before Θ moves: the lookahead starts from the current Θ.
        var validationLoss: Double?
        let outerWatch = Stopwatch()
        if outerNow, let (act, w) = weighting, var net = network, let mlp {
            var weightGradient: [Float]?
            switch outerUpdate {
            case .lookahead:
                let val = context.validationBatch(size: validationBatch)
                if val.count > 0 {
                    let v = NodeTriplets(userCount: userCount, users: val.users, positiveItems: val.positives, negativeItems: val.negatives)
                    let r = Hypergradient.lookahead(graph: graph, layers: layers, dim: dim, threads: threads,
                                                    initial: table.value, propagated: propagated,
                                                    trainingGradient: trainingGradient, triplets: t, slopes: step.clean.slopes,
                                                    weights: w, validation: v, stepSize: lookaheadStep,
                                                    workspace: workspace, buffers: lookaheadBuffers)
                    weightGradient = r.weightGradient
                    validationLoss = Double(r.validationLoss)
                }
            case .alternating:
                weightGradient = WeightedBPR.weightGradient(tripletLosses: step.clean.tripletLosses, weights: w)
            }
            if let g = weightGradient {
                mlp.gradient = net.backward(act, weightGradient: bounding.backward(raw: act.weights, gradient: g), threads: threads)
                switch metaOptimizer {
                case .adam: context.step(mlp)
                case .sgd:
                    for p in mlp.value.indices { mlp.value[p] -= metaLR * mlp.gradient[p] }
                    zero(&mlp.gradient)
                }
                net.parameters = mlp.value
                network = net
            }
        }
        context.profile?.add("outer", outerWatch.seconds)
        if adversarialView && deltaGradient == .previous {
            // Keep this step's gradient for the next Δ; the next backward overwrites every element
            // of the buffer swapped in.
            context.stepKeepingGradient(table)
            if previousGradient.isEmpty { previousGradient = trainingGradient }
            swap(&table.gradient, &previousGradient)
        } else {
            context.step(table)
        }

        if let (act, w) = weighting {
            let mean = w.reduce(0.0) { $0 + Double($1) } / Double(max(w.count, 1))
            monitors.mean("weight_mean", mean)
            monitors.max("weight_max_over_mean", Double(w.max() ?? 0) / max(mean, 1e-30))
            monitors.mean("weight_raw_mean", act.weights.reduce(0.0) { $0 + Double($1) } / Double(max(w.count, 1)))
            monitors.mean("weight_loss_correlation", EpochMonitor.correlation(w, step.clean.tripletLosses))
        }
        if let validationLoss { monitors.mean("lookahead_valid_bpr", validationLoss) }
        var out: [String: Double] = ["bpr": Double(step.clean.loss), "reg": step.l2]
        if adversarialView { out["adv"] = Double(step.adversarial); out["cl"] = Double(lambdaCL * step.contrastive) }
        return out
    }

    public func finalEmbeddings(threads: Int) -> (users: [Float], items: [Float]) {
        var out = [Float](repeating: 0, count: table.value.count)
        Propagation.layerMean(graph, table.value, dim: dim, layers: layers, into: &out, threads: threads)
        return EmbeddingTable.split(out, userCount: userCount, dim: dim)
    }

    public func takeEpochMonitors() -> [String: Double] { monitors.take() }

    /// The previous step's gradient when Δ follows it, and Δ when it is reused (a resumed run must
    /// take the same Δ).
    public func encodeState(into writer: inout ByteWriter) {
        guard adversarialView else { return }
        if deltaGradient == .previous { append(previousGradient, to: &writer) }
        if deltaEvery > 1 { append(delta, to: &writer) }
    }

    public func decodeState(from reader: inout ByteReader) throws {
        guard adversarialView else { return }
        if deltaGradient == .previous { previousGradient = try read(&reader, "the previous gradient") }
        if deltaEvery > 1 { delta = try read(&reader, "Δ"); propagatedDeltaIsCurrent = false }
    }

    private func append(_ x: [Float], to writer: inout ByteWriter) {
        writer.append(UInt64(x.count))
        writer.append(contentsOf: x)
    }

    /// A node-table-shaped buffer, or an empty one (state saved before the first step).
    private func read(_ reader: inout ByteReader, _ what: String) throws -> [Float] {
        let count = Int(try reader.read(UInt64.self, "the length of \(what)"))
        guard count == 0 || count == table.value.count else {
            throw AccfError.corrupt(reader.file, "holds \(what) of \(count) floats, the model has \(table.value.count)")
        }
        return try reader.readFloats(count: count, what)
    }

    private func zero(_ x: inout [Float]) {
        x.withUnsafeMutableBufferPointer { p in p.update(repeating: 0) }
    }
}
