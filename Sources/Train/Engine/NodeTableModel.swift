import Graph

/// What every model on one node embedding table (users, then items) takes from its context:
/// the table itself, drawn first from the init stream, and the shape of the problem.
///
/// Why one type: six models read the same six things the same way, and the table must be drawn
/// before anything else a model initializes (the MLP of ACCF draws after it), so that equal seeds
/// give equal tables across models.
struct NodeTableBasics {
    let table: ParameterTensor
    let graph: NormalizedGraph
    let userCount: Int
    let dim: Int
    let layers: Int
    let reg: Float

    /// Draws the table from `context.initRNG` (Xavier-uniform, `EmbeddingTable.make`).
    init(context: inout ModelContext) {
        table = EmbeddingTable.make(context: &context)
        graph = context.graph
        userCount = context.userCount
        dim = context.config.dim
        layers = context.config.layers
        reg = Float(context.config.reg)
    }
}

/// A model whose parameters start with one `NodeTableBasics`; gives its fields short names.
protocol NodeTableModel: AnyObject {
    var basics: NodeTableBasics { get }
}

extension NodeTableModel {
    var table: ParameterTensor { basics.table }
    var graph: NormalizedGraph { basics.graph }
    var userCount: Int { basics.userCount }
    var dim: Int { basics.dim }
    var layers: Int { basics.layers }
    var reg: Float { basics.reg }
}
