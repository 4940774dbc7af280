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
    public var graphHash: UInt64 { graph.contentHash }
}

extension TrainingData {
    /// Loads the splits of an `accf ingest` output directory, with `graph` (e.g. read from the
    /// graph stage's file) or, when nil, the graph built from the train split in memory.
    public static func load(ingestDirectory: String, graph: NormalizedGraph? = nil) throws -> TrainingData {
        let dataset = try IngestedDataset.open(directory: ingestDirectory)
        let train = try dataset.interactions(.train)
        let valid = try dataset.interactions(.valid)
        let test = try dataset.interactions(.test)
        let g = try graph ?? GraphBuilder.build(userCount: dataset.userCount, itemCount: dataset.itemCount, train: train,
                                                datasetHash: dataset.contentHash, source: ingestDirectory)
        if g.datasetHash != 0 && g.datasetHash != dataset.contentHash {
            throw AccfError.usage("the graph was built from another dataset than \(ingestDirectory)",
                                  hint: "re-run `accf graph` on this ingest output")
        }
        return TrainingData(userCount: dataset.userCount, itemCount: dataset.itemCount, train: train, valid: valid,
                            test: test, graph: g, datasetHash: dataset.contentHash)
    }
}
