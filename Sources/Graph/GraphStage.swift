import Core
import Foundation
import Ingest
import Logging

/// The graph stage: the train split of an ingested dataset in, the normalized graph file out.
///
/// The one entry point the CLI (`accf graph`) and the pipeline runner call. Only the train split
/// is read — valid and test interactions never enter the graph, or evaluation would leak. The
/// file is written atomically, so a failure leaves the previous graph exactly as it was.
public enum GraphStage {
    /// Reads the train split of the dataset at `input` (an `accf ingest` directory) and writes
    /// the graph to `output`, creating its directory if needed.
    @discardableResult
    public static func run(config: GraphConfig, input: String, output: String,
                           logger: Logger = Logger(label: "accf.graph")) throws -> GraphReport {
        try config.validate()
        let watch = Stopwatch()
        let dataset = try IngestedDataset.open(directory: input)
        let train = try dataset.interactions(.train)
        return try run(config: config, train: train, userCount: dataset.userCount, itemCount: dataset.itemCount,
                       datasetHash: dataset.contentHash, source: input, output: output,
                       readSeconds: watch.seconds, logger: logger)
    }

    /// Builds and writes the graph of given train interactions (tests, tools, other readers).
    ///
    /// - Parameters:
    ///   - source: names the input in errors and in the report.
    ///   - readSeconds: time already spent obtaining `train`, for the report.
    @discardableResult
    public static func run(config: GraphConfig, train: InteractionColumns, userCount: Int, itemCount: Int,
                           datasetHash: UInt64, source: String, output: String, readSeconds: Double = 0,
                           logger: Logger = Logger(label: "accf.graph")) throws -> GraphReport {
        try config.validate()
        var watch = Stopwatch()
        let graph = try GraphBuilder.build(userCount: userCount, itemCount: itemCount, train: train,
                                           datasetHash: datasetHash, source: "\(source) (train split)")
        let buildSeconds = watch.seconds
        logger.info("graph: built \(graph.nodeCount) nodes, \(graph.nonzeroCount) nonzeros",
                    metadata: ["seconds": "\(buildSeconds)"])

        watch = Stopwatch()
        let directory = FilePath.directory(of: output)
        if !directory.isEmpty && !FilePath.isDirectory(directory) { try FilePath.createDirectories(directory) }
        try GraphFile.write(graph, to: output)
        if config.verifyAfterWrite {
            let reread = try GraphFile.read(path: output)
            guard reread.contentHash == graph.contentHash, reread.nonzeroCount == graph.nonzeroCount else {
                throw AccfError.io(output, "the graph read back differs from the graph written")
            }
        }
        let writeSeconds = watch.seconds

        let users = graph.userDegrees, items = graph.itemDegrees
        var report = GraphReport(
            source: source, output: output, users: userCount, items: itemCount, nodes: graph.nodeCount,
            edges: graph.edgeCount, nonzeros: graph.nonzeroCount, userDegrees: users, itemDegrees: items,
            nodeDegrees: graph.allDegrees, isolatedNodes: users.isolated + items.isolated,
            fileBytes: FilePath.fileSize(output) ?? 0, readSeconds: readSeconds, buildSeconds: buildSeconds,
            writeSeconds: writeSeconds, graphBytes: (graph.nodeCount + 1) * 8 + graph.nonzeroCount * 8,
            peakResidentBytes: ResourceUsage.peakResidentBytes(),
            contentHash: hex(graph.contentHash), datasetHash: hex(datasetHash))
        if config.writeReport {
            let path = reportPath(for: output)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            do {
                try AtomicFileWriter.write(Array(try encoder.encode(report)) + [UInt8(ascii: "\n")], to: path)
            } catch let error as EncodingError {
                throw AccfError.internalError("graph report encoding failed: \(error)")
            }
        }
        report.peakResidentBytes = ResourceUsage.peakResidentBytes()
        if users.isolated + items.isolated > 0 {
            logger.warning("graph: \(users.isolated) users and \(items.isolated) items have no train interaction (empty rows)")
        }
        logger.info("graph: wrote \(output)", metadata: [
            "event": "stage_done", "stage": "graph", "nodes": "\(graph.nodeCount)", "nonzeros": "\(graph.nonzeroCount)",
            "file_bytes": "\(report.fileBytes)", "content_hash": "\(report.contentHash)",
            "build_seconds": "\(buildSeconds)", "write_seconds": "\(writeSeconds)",
        ])
        return report
    }

    /// Where the JSON report of a graph file goes: `dir/graph.accfgraph` → `dir/graph.report.json`.
    public static func reportPath(for output: String) -> String {
        let name = FilePath.lastComponent(of: output)
        let stem = name.hasSuffix(".accfgraph") ? String(name.dropLast(".accfgraph".count)) : name
        return FilePath.join(FilePath.directory(of: output), stem + ".report.json")
    }

    private static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
