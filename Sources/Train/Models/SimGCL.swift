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
public final class SimGCL: RecommenderModel {
    public static let modelName = "simgcl"
    public static let optionDefaults: [String: ModelOptionValue] = [
        "lambda": .number(0.5), "epsilon": .number(0.1), "tau": .number(0.2),
    ]

    let table: ParameterTensor
    /// InfoNCE's |B|² scratch, reused across steps.
    let infoNCEWorkspace = InfoNCEWorkspace()
    let graph: NormalizedGraph
    let userCount: Int, dim: Int, layers: Int
    let reg: Float, lambda: Float, epsilon: Float, tau: Float

    public init(context: ModelContext) throws {
        let o = context.config.modelOptions
        try o.validate(model: Self.modelName, known: Self.optionDefaults)
        lambda = Float(try o.double("lambda", default: 0.5))
        epsilon = Float(try o.double("epsilon", default: 0.1))
        tau = Float(try o.double("tau", default: 0.2))
        guard lambda >= 0 else { throw AccfError.usage("train.model_options.lambda must be ≥ 0, got \(lambda)") }
        guard epsilon >= 0 else { throw AccfError.usage("train.model_options.epsilon must be ≥ 0, got \(epsilon)") }
        guard tau > 0 else { throw AccfError.usage("train.model_options.tau must be > 0, got \(tau)") }
        guard context.config.layers >= 1 else { throw AccfError.usage("train.layers must be ≥ 1 for simgcl") }
        var ctx = context
        table = EmbeddingTable.make(context: &ctx)
        graph = context.graph
        userCount = context.userCount
        dim = context.config.dim
        layers = context.config.layers
        reg = Float(context.config.reg)
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
        let rec = encode(epsilon: 0, rng: &rng, threads: threads)
        var g = [Float](repeating: 0, count: rec.count)
        let bpr = WeightedBPR.lossAndGradient(embeddings: rec, dim: dim, triplets: t, weights: nil, scale: 1, gradient: &g)
        let l2 = BatchNormRegularizer.lossAndGradient(embeddings: rec, dim: dim, rows: t.users, reg: reg, gradient: &g)
            + BatchNormRegularizer.lossAndGradient(embeddings: rec, dim: dim, rows: t.positives, reg: reg, gradient: &g)
        var cl: Float = 0
        if lambda > 0 {
            let view1 = encode(epsilon: epsilon, rng: &rng, threads: threads)
            let view2 = encode(epsilon: epsilon, rng: &rng, threads: threads)
            var g2 = [Float](repeating: 0, count: rec.count)
            for rows in [t.distinctUsers, t.distinctPositives] {
                cl += InfoNCE.lossAndGradient(view1: view1, view2: view2, dim: dim, rows: rows, temperature: tau,
                                              scale: lambda, gradient1: &g, gradient2: &g2, threads: threads, workspace: infoNCEWorkspace)
            }
            for n in g.indices { g[n] += g2[n] }
        }
        table.gradient = NoisyPropagation.backward(graph: graph, finalGradient: g, contrastGradient: [], count: g.count,
                                                   dim: dim, layers: layers, contrastLayer: layers, threads: threads)
        return ["bpr": Double(bpr.loss), "reg": Double(l2), "cl": Double(lambda * cl)]
    }

    public func finalEmbeddings(threads: Int) -> (users: [Float], items: [Float]) {
        var unused = SeededGenerator(seed: 0)
        return EmbeddingTable.split(encode(epsilon: 0, rng: &unused, threads: threads), userCount: userCount, dim: dim)
    }
}
