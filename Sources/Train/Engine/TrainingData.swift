import Core
import Graph
import Ingest

/// Everything training reads: the splits, the graph built from the train split, and the hashes
/// that identify them (checkpoints refuse data or a graph other than their own).
public struct TrainingData: Sendable {
    public var userCount: Int
    public var itemCount: Int
    public var train: InteractionColumns
    public var valid: InteractionColumns
    public var test: InteractionColumns
    public var graph: NormalizedGraph
    public var datasetHash: UInt64

    public init(userCount: Int, itemCount: Int, train: InteractionColumns, valid: InteractionColumns,
                test: InteractionColumns, graph: NormalizedGraph, datasetHash: UInt64) {
        self.userCount = userCount
        self.itemCount = itemCount
        self.train = train
        self.valid = valid
        self.test = test
        self.graph = graph
        self.datasetHash = datasetHash
    }

    /// The graph's identity (checked against checkpoints).
    public var graphHash: UInt64 { GraphIdentity.hash(graph) }
}

/// The identity of a graph for checkpoints.
enum GraphIdentity {
    static func hash(_ g: NormalizedGraph) -> UInt64 {
        var h = XXHash64(seed: UInt64(g.userCount) &* 31 &+ UInt64(g.itemCount))
        h.update(g.rowPointers)
        h.update(g.columns)
        h.update(g.values)
        return h.digest
    }
}
