import ArgumentParser
import Foundation
import Core
import Graph
import Logging

/// `accf graph`: the train split of an ingested dataset → the normalized graph file.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Build the normalized bipartite graph D^-1/2 A D^-1/2 from an ingested dataset's train split.",
        discussion: """
        Reads only the train split of the dataset written by `accf ingest` and writes a
        memory-mappable, checksummed graph file atomically (a failure leaves the previous file).
        A JSON report goes beside it (graph.report.json). Exit 65 on damaged or inconsistent
        input (e.g. a duplicate interaction), 66 when the dataset is missing, 73/74 on output errors.
        """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Run the [graph] stage of this pipeline manifest (flags override single keys; reads <workdir>/ingest, writes <workdir>/graph/graph.accfgraph).")
    var manifest: String?

    @Flag(name: .long, help: "Wait for another run of the same workdir instead of exiting 75.")
    var wait = false

    @Option(name: [.short, .long], help: "The ingested dataset directory (output of accf ingest).")
    var input: String?

    @Option(name: [.short, .long], help: "The graph file to write, e.g. work/graph/graph.accfgraph.")
    var output: String?

    @Flag(name: .long, help: "Skip re-reading and verifying the file after writing it.")
    var noVerify = false

    @Flag(name: .long, help: "Do not write the JSON report beside the graph.")
    var noReport = false

    @Flag(name: .long, help: "Print the report as JSON instead of text.")
    var json = false

    func run() throws {
        global.bootstrap()
        try runReportingErrors {
            if let manifest {
                guard input == nil, output == nil else {
                    throw AccfError.usage("--input/--output cannot be combined with --manifest", hint: "the manifest's workdir decides them")
                }
                var overrides = ManifestOverrides()
                if noVerify { overrides.set("verify_after_write", false) }
                if noReport { overrides.set("write_report", false) }
                try ManifestSection.runStage("graph", manifest: manifest, overrides: overrides, wait: wait,
                                             logger: Logger(label: "accf.graph"))
                return
            }
            guard let input, let output else { throw AccfError.usage("give --input and --output, or --manifest") }
            var config = GraphConfig()
            config.verifyAfterWrite = !noVerify
            config.writeReport = !noReport
            // In the pipeline layout the graph's folder is <workdir>/graph: lock the workdir.
            let lock = try ManifestSection.lockWorkdir(FilePath.directory(of: FilePath.directory(of: output)),
                                                       outputDirectory: FilePath.directory(of: output), wait: wait)
            defer { lock.release() }
            let report = try GraphStage.run(config: config, input: input, output: output, logger: Logger(label: "accf.graph"))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else if !global.quiet {
                print(report.text, terminator: "")
            }
        }
    }
}
