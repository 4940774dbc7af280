import Core
import Graph

/// XSimGCL (Yu et al. 2023) as its reference code (SELFRec `model/graph/XSimGCL.py`) trains it.
///
/// The training forward pass is the *perturbed* encoder (`NoisyPropagation`: uniform sign noise of
/// norm ε after every layer, final = mean of layers 1..L); BPR and the InfoNCE both use it, the
/// contrastive partner being the noisy output of layer l*; InfoNCE over the batch's distinct users
/// and distinct positive items; the regularizer is reg·Σ‖batch rows‖_F/batch on the propagated user
/// and positive-item rows (`BatchNormRegularizer`). Evaluation uses the clean encoder. One backward
/// pass serves all terms because the noise is a constant.
/// Defaults: the paper's yelp2018 setting (λ 0.2, ε 0.2, τ 0.15, l* 1; set `layers = 2`).
public final class XSimGCL: RecommenderModel, NodeTableModel {
    public static let modelName = "xsimgcl"
    public static let optionDefaults: [String: ModelOptionValue] = [
        "lambda": .number(0.2), "epsilon": .number(0.2), "tau": .number(0.15), "contrast_layer": .number(1),
    ]

    let basics: NodeTableBasics
    /// InfoNCE's |B|² scratch, reused across steps.
    let infoNCEWorkspace = InfoNCEWorkspace()
    let lambda: Float, epsilon: Float, tau: Float, contrastLayer: Int
    var monitors = EpochMonitor()
    /// The noisy encoder and the upstream gradients (zero outside the batch's rows between steps).
    let encoder: NoisyEncoder
    var gFinal: [Float], gContrast: [Float]

    public init(context: ModelContext) throws {
        let o = try ModelOptionReader(model: Self.modelName, options: context.config.modelOptions, defaults: Self.optionDefaults)
        (lambda, epsilon, tau) = try (o.number("lambda"), o.number("epsilon"), o.number("tau"))
        contrastLayer = try o.integer("contrast_layer")
        try o.require(lambda >= 0, "lambda", "must be ≥ 0", got: lambda)
        try o.require(epsilon >= 0, "epsilon", "must be ≥ 0", got: epsilon)
        try o.require(tau > 0, "tau", "must be > 0", got: tau)
        guard context.config.layers >= 1 else { throw AccfError.usage("train.layers must be ≥ 1 for xsimgcl") }
        guard (1...context.config.layers).contains(contrastLayer) else {
            throw AccfError.usage("train.model_options.contrast_layer must be in 1...\(context.config.layers), got \(contrastLayer)")
        }
        var ctx = context
        basics = NodeTableBasics(context: &ctx)
        encoder = NoisyEncoder(graph: basics.graph, dim: basics.dim, layers: basics.layers, contrastLayer: contrastLayer)
        gFinal = [Float](repeating: 0, count: basics.table.value.count)
        gContrast = gFinal
    }

    public var parameters: [ParameterTensor] { [table] }

    public func trainStep(_ batch: TripletBatch, context: StepContext) throws -> [String: Double] {
        let terms = try lossAndGradient(batch, rng: &context.rng, threads: context.threads, profile: context.profile)
        context.step(table)
        return terms
    }

    /// Fills `table.gradient` with the derivative of the step's objective (the sum of the returned
    /// terms) for the noise drawn from `rng`; the optimizer step is the caller's.
    func lossAndGradient(_ batch: TripletBatch, rng: inout SeededGenerator, threads: Int, profile: PhaseProfile? = nil) throws -> [String: Double] {
        let t = NodeTriplets(userCount: userCount, users: batch.users, positiveItems: batch.positives, negativeItems: batch.negatives)
        // Every term reads the batch's rows only: the last layer is computed there alone, and the
        // gradients are zero elsewhere.
        let rows = batch.nodeRows(userCount: userCount)
        profile.measure("forward") {
            encoder.forward(table.value, epsilon: epsilon, generator: &rng, rows: rows, threads: threads)
        }
        let out = (final: encoder.final, contrastLayer: encoder.contrast)
        let bpr = profile.measure("bpr") {
            WeightedBPR.lossAndGradient(embeddings: out.final, dim: dim, triplets: t, weights: nil, scale: 1, gradient: &gFinal)
        }
        let l2 = profile.measure("reg") {
            BatchNormRegularizer.lossAndGradient(embeddings: out.final, dim: dim, rows: t.users, reg: reg, gradient: &gFinal)
            + BatchNormRegularizer.lossAndGradient(embeddings: out.final, dim: dim, rows: t.positives, reg: reg, gradient: &gFinal)
        }
        var cl: Float = 0
        if lambda > 0 {
            profile.measure("infonce") {
                for rows in [t.distinctUsers, t.distinctPositives] {
                    cl += InfoNCE.lossAndGradient(view1: out.final, view2: out.contrastLayer, dim: dim, rows: rows, temperature: tau,
                                                  scale: lambda, gradient1: &gFinal, gradient2: &gContrast, threads: threads, workspace: infoNCEWorkspace)
                }
            }
        }
        profile.measure("backward") {
            encoder.backward(finalGradient: gFinal, contrastGradient: gContrast, rows: rows, into: &table.gradient, threads: threads)
            gFinal.zeroRows(rows, dim: dim)
            gContrast.zeroRows(rows, dim: dim)
        }
        return ["bpr": Double(bpr.loss), "reg": Double(l2), "cl": Double(lambda * cl)]
    }

    public func finalEmbeddings(threads: Int) -> (users: [Float], items: [Float]) {
        var unused = SeededGenerator(seed: 0)
        let clean = NoisyPropagation.forward(graph: graph, initial: table.value, dim: dim, layers: layers, epsilon: 0,
                                             contrastLayer: contrastLayer, generator: &unused, threads: threads)
        return EmbeddingTable.split(clean.final, userCount: userCount, dim: dim)
    }
}
