import Core
import Graph

/// SimGCL (Yu et al. 2022) as SELFRec `model/graph/SimGCL.py` trains it: BPR on the *clean*
/// encoder (mean of layers 1..L), InfoNCE between two *noisy* encodings (uniform sign noise of norm
/// ε after every layer) over the batch's distinct users and distinct positive items, and
/// reg·Σ‖batch rows‖_F/batch on the clean user and positive-item rows.
///
/// Why one backward pass: all three encodings are the same affine map of E⁽⁰⁾ (the noise is a
/// constant), so their upstream gradients are summed and propagated back once.
/// Defaults: the paper's setting (λ 0.5, ε 0.1, τ 0.2).
public final class SimGCL: RecommenderModel, NodeTableModel {
    public static let modelName = "simgcl"
    public static let optionDefaults: [String: ModelOptionValue] = [
        "lambda": .number(0.5), "epsilon": .number(0.1), "tau": .number(0.2),
    ]

    let basics: NodeTableBasics
    /// InfoNCE's |B|² scratch, reused across steps.
    let infoNCEWorkspace = InfoNCEWorkspace()
    let lambda: Float, epsilon: Float, tau: Float
    /// The clean encoder (also runs the backward) and the noisy one, used twice per step.
    let clean: NoisyEncoder, noisy: NoisyEncoder
    /// The first noisy view (exact on the step's rows) and the gradients, zero outside them between steps.
    var view1: [Float], g: [Float], g2: [Float]

    public init(context: ModelContext) throws {
        let o = try ModelOptionReader(model: Self.modelName, options: context.config.modelOptions, defaults: Self.optionDefaults)
        (lambda, epsilon, tau) = try (o.number("lambda"), o.number("epsilon"), o.number("tau"))
        try o.require(lambda >= 0, "lambda", "must be ≥ 0", got: lambda)
        try o.require(epsilon >= 0, "epsilon", "must be ≥ 0", got: epsilon)
        try o.require(tau > 0, "tau", "must be > 0", got: tau)
        guard context.config.layers >= 1 else { throw AccfError.usage("train.layers must be ≥ 1 for simgcl") }
        var ctx = context
        basics = NodeTableBasics(context: &ctx)
        let (graph, dim, layers) = (basics.graph, basics.dim, basics.layers)
        clean = NoisyEncoder(graph: graph, dim: dim, layers: layers, contrastLayer: layers)
        noisy = NoisyEncoder(graph: graph, dim: dim, layers: layers, contrastLayer: layers)
        view1 = [Float](repeating: 0, count: basics.table.value.count)
        g = view1
        g2 = view1
    }

    public var parameters: [ParameterTensor] { [table] }

    func encode(epsilon: Float, rng: inout SeededGenerator, threads: Int) -> [Float] {
        NoisyPropagation.forward(graph: graph, initial: table.value, dim: dim, layers: layers, epsilon: epsilon,
                                 contrastLayer: layers, generator: &rng, threads: threads).final
    }

    public func trainStep(_ batch: TripletBatch, context: StepContext) throws -> [String: Double] {
        let terms = try lossAndGradient(batch, rng: &context.rng, threads: context.threads)
        context.step(table)
        return terms
    }

    /// Fills `table.gradient` with the derivative of the step's objective (the sum of the returned
    /// terms) for the noise drawn from `rng`; the optimizer step is the caller's.
    func lossAndGradient(_ batch: TripletBatch, rng: inout SeededGenerator, threads: Int) throws -> [String: Double] {
        let t = NodeTriplets(userCount: userCount, users: batch.users, positiveItems: batch.positives, negativeItems: batch.negatives)
        // Every term reads the batch's rows only: last layers there alone, gradients zero elsewhere.
        let rows = batch.nodeRows(userCount: userCount)
        clean.forward(table.value, epsilon: 0, generator: &rng, rows: rows, threads: threads)
        let rec = clean.final
        let bpr = WeightedBPR.lossAndGradient(embeddings: rec, dim: dim, triplets: t, weights: nil, scale: 1, gradient: &g)
        let l2 = BatchNormRegularizer.lossAndGradient(embeddings: rec, dim: dim, rows: t.users, reg: reg, gradient: &g)
            + BatchNormRegularizer.lossAndGradient(embeddings: rec, dim: dim, rows: t.positives, reg: reg, gradient: &g)
        var cl: Float = 0
        if lambda > 0 {
            noisy.forward(table.value, epsilon: epsilon, generator: &rng, rows: rows, threads: threads)
            RowOps.copyRows(noisy.final, into: &view1, rows: rows, dim: dim)
            noisy.forward(table.value, epsilon: epsilon, generator: &rng, rows: rows, threads: threads)
            let view2 = noisy.final
            for rows in [t.distinctUsers, t.distinctPositives] {
                cl += InfoNCE.lossAndGradient(view1: view1, view2: view2, dim: dim, rows: rows, temperature: tau,
                                              scale: lambda, gradient1: &g, gradient2: &g2, threads: threads, workspace: infoNCEWorkspace)
            }
            RowOps.combine(g2, scale: 1, [], addB: false, into: &g, rows: rows, dim: dim, overwrite: false, threads: threads)
            g2.zeroRows(rows, dim: dim)
        }
        clean.backward(finalGradient: g, contrastGradient: [], rows: rows, into: &table.gradient, threads: threads)
        g.zeroRows(rows, dim: dim)
        return ["bpr": Double(bpr.loss), "reg": Double(l2), "cl": Double(lambda * cl)]
    }

    public func finalEmbeddings(threads: Int) -> (users: [Float], items: [Float]) {
        var unused = SeededGenerator(seed: 0)
        return EmbeddingTable.split(encode(epsilon: 0, rng: &unused, threads: threads), userCount: userCount, dim: dim)
    }
}
