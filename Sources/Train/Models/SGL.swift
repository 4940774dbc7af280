import Core
import Graph
import Ingest

/// SGL-ED (Wu et al. 2021): LightGCN plus InfoNCE between two edge-dropout views of the graph,
/// redrawn every epoch, over the batch's distinct users and distinct positive items.
///
/// Each view keeps every train interaction with probability 1 − ρ and is renormalized
/// (`EdgeDropout` + `GraphBuilder`). The views depend only on (seed, epoch), so a run resumed in the
/// middle of an epoch rebuilds exactly the same views in `beginEpoch`. The BPR and L2 terms are
/// LightGCN's (layer mean including layer 0, squared L2 on the initial rows).
/// Defaults: the paper's yelp2018 setting (λ 0.1, τ 0.2, ρ 0.1).
public final class SGL: RecommenderModel, NodeTableModel {
    public static let modelName = "sgl"
    public static let optionDefaults: [String: ModelOptionValue] = [
        "lambda": .number(0.1), "tau": .number(0.2), "drop_rate": .number(0.1),
    ]

    let basics: NodeTableBasics
    /// InfoNCE's |B|² scratch, reused across steps.
    let infoNCEWorkspace = InfoNCEWorkspace()
    let train: InteractionColumns
    let itemCount: Int
    let lambda: Float, tau: Float, dropRate: Float
    let seed: UInt64
    var views: [NormalizedGraph] = []
    /// Step buffers: views' and clean layer means are exact on the step's batch rows only; the
    /// upstream gradients `g`, `g1`, `g2` are zero outside them between steps.
    var e: [Float] = [], v1: [Float] = [], v2: [Float] = [], g: [Float] = [], g1: [Float] = [], g2: [Float] = [], back: [Float] = []
    let workspace = PropagationWorkspace()
    var lambdaNeedsViews: Bool { lambda > 0 }

    public init(context: ModelContext) throws {
        let o = try ModelOptionReader(model: Self.modelName, options: context.config.modelOptions, defaults: Self.optionDefaults)
        (lambda, tau, dropRate) = try (o.number("lambda"), o.number("tau"), o.number("drop_rate"))
        try o.require(lambda >= 0, "lambda", "must be ≥ 0", got: lambda)
        try o.require(tau > 0, "tau", "must be > 0", got: tau)
        try o.require(dropRate >= 0 && dropRate < 1, "drop_rate", "must be in [0, 1)", got: dropRate)
        var ctx = context
        basics = NodeTableBasics(context: &ctx)
        train = context.train
        itemCount = context.itemCount
        seed = context.config.seed
        let zeros = [Float](repeating: 0, count: basics.table.value.count)
        e = zeros; v1 = zeros; v2 = zeros; g = zeros; g1 = zeros; g2 = zeros; back = zeros
    }

    public var parameters: [ParameterTensor] { [table] }

    public func beginEpoch(_ epoch: Int, context: StepContext) throws {
        guard lambda > 0 else { return }
        try buildViews(epoch: epoch)
    }

    /// The epoch's two views, a pure function of (seed, epoch).
    func buildViews(epoch: Int) throws {
        var rng = SeededGenerator(seed: seed ^ 0x5347_4C5F_4544_4745, stream: UInt64(epoch)) // "SGL_EDGE"
        views = try (0..<2).map { _ in
            let kept = EdgeDropout.keep(train, dropRate: dropRate, generator: &rng)
            return try GraphBuilder.build(userCount: userCount, itemCount: itemCount, train: kept,
                                          source: "SGL edge-dropout view of the train split")
        }
    }

    public func trainStep(_ batch: TripletBatch, context: StepContext) throws -> [String: Double] {
        if lambdaNeedsViews, views.count != 2 { try beginEpoch(context.epoch, context: context) }
        let terms = try lossAndGradient(batch, rng: &context.rng, threads: context.threads)
        context.step(table)
        return terms
    }

    /// Fills `table.gradient` with the derivative of the step's objective (the sum of the returned
    /// terms) for the noise drawn from `rng`; the optimizer step is the caller's.
    func lossAndGradient(_ batch: TripletBatch, rng: inout SeededGenerator, threads: Int) throws -> [String: Double] {
        let t = NodeTriplets(userCount: userCount, users: batch.users, positiveItems: batch.positives, negativeItems: batch.negatives)
        // Every term reads the batch's rows only: layer means there alone, gradients batch-sparse.
        let rows = batch.nodeRows(userCount: userCount)
        Propagation.layerMean(graph, table.value, dim: dim, layers: layers, into: &e, inputRows: nil, outputRows: rows,
                              threads: threads, workspace: workspace)
        let bpr = WeightedBPR.lossAndGradient(embeddings: e, dim: dim, triplets: t, weights: nil, scale: 1, gradient: &g)
        Propagation.layerMean(graph, g, dim: dim, layers: layers, into: &table.gradient, inputRows: rows, outputRows: nil,
                              threads: threads, workspace: workspace)
        g.zeroRows(rows, dim: dim)
        var cl: Float = 0
        if lambda > 0 {
            Propagation.layerMean(views[0], table.value, dim: dim, layers: layers, into: &v1, inputRows: nil, outputRows: rows,
                                  threads: threads, workspace: workspace)
            Propagation.layerMean(views[1], table.value, dim: dim, layers: layers, into: &v2, inputRows: nil, outputRows: rows,
                                  threads: threads, workspace: workspace)
            for rows in [t.distinctUsers, t.distinctPositives] {
                cl += InfoNCE.lossAndGradient(view1: v1, view2: v2, dim: dim, rows: rows, temperature: tau,
                                              scale: lambda, gradient1: &g1, gradient2: &g2, threads: threads, workspace: infoNCEWorkspace)
            }
            for k in 0..<2 {
                Propagation.layerMean(views[k], k == 0 ? g1 : g2, dim: dim, layers: layers, into: &back, inputRows: rows, outputRows: nil,
                                      threads: threads, workspace: workspace)
                RowOps.accumulate(back, into: &table.gradient, copy: nil, rows: nil, dim: dim, first: false, scale: nil, threads: threads)
            }
            g1.zeroRows(rows, dim: dim)
            g2.zeroRows(rows, dim: dim)
        }
        let l2 = BPRLoss.l2(initial: table.value, dim: dim, userCount: userCount, batch: batch, lambda: reg, gradient: &table.gradient,
                            threads: threads)
        return ["bpr": Double(bpr.loss), "reg": l2, "cl": Double(lambda * cl)]
    }

    public func finalEmbeddings(threads: Int) -> (users: [Float], items: [Float]) {
        var out = [Float](repeating: 0, count: table.value.count)
        Propagation.layerMean(graph, table.value, dim: dim, layers: layers, into: &out, threads: threads)
        return EmbeddingTable.split(out, userCount: userCount, dim: dim)
    }
}
