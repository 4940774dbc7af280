import Core
import Graph

/// LightGCN (He et al. 2020): E = P E⁽⁰⁾ with P the mean of Âˡ over l = 0..L; BPR on E, L2 on
/// the batch's rows of E⁽⁰⁾. P is symmetric, so ∂/∂E⁽⁰⁾ = P · ∂/∂E: the backward pass is the
/// same fused propagation applied to the gradient.
public final class LightGCN: RecommenderModel, NodeTableModel {
    public static let modelName = "lightgcn"
    let basics: NodeTableBasics
    /// Work buffers reused across steps (no per-step allocation of N × d arrays). `propagated`
    /// is exact on the last batch's rows only; `upstream` is all zero between steps.
    var propagated: [Float]
    var upstream: [Float]
    var backward: [Float]
    let workspace = PropagationWorkspace()

    public init(context: ModelContext) throws {
        var ctx = context
        basics = NodeTableBasics(context: &ctx)
        let n = context.nodeCount * context.config.dim
        propagated = [Float](repeating: 0, count: n)
        upstream = propagated
        backward = propagated
    }

    public var parameters: [ParameterTensor] { [table] }

    public func trainStep(_ batch: TripletBatch, context: StepContext) throws -> [String: Double] {
        // BPR reads and writes only the batch's rows: the forward layer mean is needed there alone,
        // and the upstream gradient is zero elsewhere (it is all zero between steps).
        let rows = batch.nodeRows(userCount: userCount)
        context.phase("forward") {
            Propagation.layerMean(graph, table.value, dim: dim, layers: layers, into: &propagated, inputRows: nil, outputRows: rows,
                                  threads: context.threads, workspace: workspace)
        }
        let bpr = context.phase("bpr") {
            BPRLoss.lossAndGradient(embeddings: propagated, dim: dim, userCount: userCount, batch: batch, gradient: &upstream,
                                    threads: context.threads)
        }
        context.phase("backward") {
            Propagation.layerMean(graph, upstream, dim: dim, layers: layers, into: &backward, inputRows: rows, outputRows: nil,
                                  threads: context.threads, workspace: workspace)
        }
        upstream.zeroRows(rows, dim: dim)
        swap(&table.gradient, &backward)
        let l2 = context.phase("l2") {
            BPRLoss.l2(initial: table.value, dim: dim, userCount: userCount, batch: batch, lambda: reg, gradient: &table.gradient, threads: context.threads)
        }
        // The next step's backward overwrites every element of the buffer this gradient moves to.
        context.stepKeepingGradient(table)
        return ["bpr": bpr, "reg": l2]
    }

    public func finalEmbeddings(threads: Int) -> (users: [Float], items: [Float]) {
        var out = [Float](repeating: 0, count: table.value.count)
        Propagation.layerMean(graph, table.value, dim: dim, layers: layers, into: &out, threads: threads)
        return EmbeddingTable.split(out, userCount: userCount, dim: dim)
    }
}
