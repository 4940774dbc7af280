import Core

/// What `accf graph` did: sizes, the degree distribution, the file, and what it cost.
///
/// Why a report: a graph that is mostly isolated nodes, or dominated by one huge degree, explains
/// a bad training run long before anyone looks at embeddings. The pipeline keeps it as JSON.
public struct GraphReport: Codable, Sendable, Equatable {
    /// The ingest directory (or other source) the train split came from.
    public var source: String
    /// The graph file written.
    public var output: String
    public var users: Int
    public var items: Int
    public var nodes: Int
    /// Undirected edges: train interactions.
    public var edges: Int
    /// Stored nonzeros of Â (2 × edges).
    public var nonzeros: Int
    public var userDegrees: DegreeSummary
    public var itemDegrees: DegreeSummary
    /// Degree over all nodes.
    public var nodeDegrees: DegreeSummary
    /// Nodes without a train interaction (empty rows).
    public var isolatedNodes: Int
    public var fileBytes: Int
    /// Seconds to read the train split.
    public var readSeconds: Double
    /// Seconds of the two-pass CSR build.
    public var buildSeconds: Double
    /// Seconds to write (and, when configured, re-verify) the file.
    public var writeSeconds: Double
    /// Bytes the graph's arrays occupy in memory (row pointers, columns, values).
    public var graphBytes: Int
    /// Peak resident memory of the process at the end of the stage.
    public var peakResidentBytes: Int
    /// `NormalizedGraph.contentHash` as 16 hex digits.
    public var contentHash: String
    /// The ingest dataset's content hash as 16 hex digits ("0000000000000000" when unknown).
    public var datasetHash: String

    enum CodingKeys: String, CodingKey {
        case source, output, users, items, nodes, edges, nonzeros
        case userDegrees = "user_degrees"
        case itemDegrees = "item_degrees"
        case nodeDegrees = "node_degrees"
        case isolatedNodes = "isolated_nodes"
        case fileBytes = "file_bytes"
        case readSeconds = "read_seconds"
        case buildSeconds = "build_seconds"
        case writeSeconds = "write_seconds"
        case graphBytes = "graph_bytes"
        case peakResidentBytes = "peak_resident_bytes"
        case contentHash = "content_hash"
        case datasetHash = "dataset_hash"
    }

    /// The human-readable form `accf graph` prints.
    public var text: String {
        func degrees(_ d: DegreeSummary) -> String {
            "min \(d.min), median \(d.median), max \(d.max), isolated \(d.isolated) of \(d.nodes)"
        }
        func mib(_ b: Int) -> String { String(Double(b * 10 / (1 << 20)) / 10) + " MiB" }
        func ms(_ s: Double) -> String { String(Double(Int(s * 10_000)) / 10) + " ms" }
        return """
        accf graph report
          source: \(source)
          output: \(output) (\(fileBytes) bytes, \(mib(fileBytes)))
          nodes: \(nodes) (\(users) users, \(items) items), isolated \(isolatedNodes)
          edges: \(edges) train interactions, \(nonzeros) nonzeros in Â
          user degrees: \(degrees(userDegrees))
          item degrees: \(degrees(itemDegrees))
          all degrees:  \(degrees(nodeDegrees))
          time: read \(ms(readSeconds)), build \(ms(buildSeconds)), write \(ms(writeSeconds))
          memory: graph arrays \(mib(graphBytes)), peak resident \(mib(peakResidentBytes))
          content hash \(contentHash), dataset hash \(datasetHash)

        """
    }
}
