import Core
import Graph

/// The `[graph]` section as a pipeline stage: `GraphConfig` → `GraphStage.run` →
/// `<workdir>/graph/graph.accfgraph` (the JSON report beside it is informational, not tracked).
struct GraphPipelineStage: PipelineStage {
    let config: GraphConfig
    let ingestDirectory: String
    let output: String

    var name: String { "graph" }
    var inputs: [String] { [ingestDirectory] }
    var parameters: String { CanonicalParameters.of(config) }
    var outputs: [String] { [output] }

    func run(_ context: StageContext) throws -> StageOutcome {
        let report = try GraphStage.run(config: config, input: ingestDirectory, output: output, logger: context.logger)
        return StageOutcome(counts: ["users": Double(report.users), "items": Double(report.items),
                                    "edges": Double(report.edges), "nonzeros": Double(report.nonzeros)])
    }

    static func make(manifest: Manifest, workdir: String) throws -> GraphPipelineStage {
        let config = try manifest.decode(GraphConfig.self, section: "graph")
        try StageBindings.validated(manifest, "graph") { try config.validate() }
        return GraphPipelineStage(config: config, ingestDirectory: PipelineDefinition.Layout.ingest(workdir),
                                  output: PipelineDefinition.Layout.graph(workdir))
    }
}
