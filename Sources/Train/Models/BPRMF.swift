import Core
import Graph

/// BPR matrix factorization: the score is the dot product of the initial embeddings (P = I).
/// The baseline every graph model must beat.
public final class BPRMF: RecommenderModel, NodeTableModel {
    public static let modelName = "bprmf"
    let basics: NodeTableBasics

    public init(context: ModelContext) throws {
        var ctx = context
        basics = NodeTableBasics(context: &ctx)
    }

    public var parameters: [ParameterTensor] { [table] }

    public func trainStep(_ batch: TripletBatch, context: StepContext) throws -> [String: Double] {
        let bpr = BPRLoss.lossAndGradient(embeddings: table.value, dim: dim, userCount: userCount, batch: batch, gradient: &table.gradient,
                                          threads: context.threads)
        let l2 = BPRLoss.l2(initial: table.value, dim: dim, userCount: userCount, batch: batch, lambda: reg, gradient: &table.gradient, threads: context.threads)
        context.step(table)
        return ["bpr": bpr, "reg": l2]
    }

    public func finalEmbeddings(threads: Int) -> (users: [Float], items: [Float]) {
        EmbeddingTable.split(table.value, userCount: userCount, dim: dim)
    }
}
