import ArgumentParser
import Core
import Export
import Ingest
import Logging

/// `accf export`: embeddings and top-K lists into one SQLite file, published atomically;
/// `accf export merge` combines shard parts; `accf export verify` checks a file.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write embeddings and top-K recommendations into one SQLite file for services to read.",
        discussion: """
        The file is built under a temporary name beside the destination and renamed into place: \
        readers see the old file or the new one, never half of one. Schema: docs/export.md. \
        Exit 65 on a corrupt model or dictionaries that do not match it, 66 on a missing input, \
        73 when the destination cannot be created.
        """,
        subcommands: [ExportWriteCommand.self, ExportMergeCommand.self, ExportVerifyCommand.self],
        defaultSubcommand: ExportWriteCommand.self)
}

/// `accf export [write]`: the export itself (the default subcommand).
struct ExportWriteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write", abstract: "Export a trained model (the default: `accf export …` runs this).")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Run the [export] stage of this pipeline manifest (flags override single keys).")
    var manifest: String?
    @Flag(name: .long, help: "Wait for another run of the same workdir instead of exiting 75.") var wait = false
    @Option(name: .long, help: "Pipeline workdir: defaults --ingest to W/ingest, --model to W/train/model.accfmodel, --output to W/export/recommendations.sqlite.")
    var workdir: String?
    @Option(name: .long, help: "The `accf ingest` output directory (id dictionaries, splits).") var ingest: String?
    @Option(name: .long, help: "The trained model file (model.accfmodel).") var model: String?
    @Option(name: [.short, .long], help: "The SQLite file to publish.") var output: String?
    @Option(name: .customLong("k"), help: "Recommendations per user (default 20).") var k: Int?
    @Option(name: .long, help: "Splits whose items are never recommended, comma-separated (default train; production: train,valid,test).")
    var exclude: String?
    @Flag(name: .long, help: "Leave the embedding BLOBs empty.") var noEmbeddings = false
    @Flag(name: .long, help: "Leave the recommendations table empty.") var noRecommendations = false
    @Option(name: .long, help: "Export only part i of n (1-based) of the users; combine parts with `accf export merge`.") var shard: String?
    @Option(name: .long, help: "Export only these users (external ids, comma-separated).") var users: String?
    @Option(name: .long, help: "Export only the users listed in this file (one external id per line).") var usersFile: String?
    @Option(name: .long, help: "Worker threads for top-K (default: every core).") var threads: Int?
    @Option(name: .long, help: "Run id recorded in meta.run_id.") var runId: String?
    @Option(name: .long, help: "Manifest hash recorded in meta.manifest_hash.") var manifestHash: String?

    func makeConfig() throws -> ExportConfig {
        var c = ExportConfig()
        if let k { c.k = k }
        if let exclude {
            c.exclude = try exclude.split(separator: ",").map { name in
                guard let split = Split(rawValue: String(name)) else {
                    throw AccfError.usage("--exclude \(exclude): \(name) is not one of train, valid, test")
                }
                return split
            }
        }
        c.embeddings = !noEmbeddings
        c.recommendations = !noRecommendations
        if let shard { c.shard = try ExportShard(parsing: shard) }
        if let users { c.users = users.split(separator: ",").map(String.init) }
        c.usersFile = usersFile
        if let threads { c.threads = threads }
        if let runId { c.runId = runId }
        if let manifestHash { c.manifestHash = manifestHash }
        try c.validate()
        return c
    }

    /// The flags given, as overrides of single `[export]` keys (the manifest decides the paths).
    func overrides() throws -> ManifestOverrides {
        guard workdir == nil, ingest == nil, model == nil else {
            throw AccfError.usage("--workdir/--ingest/--model cannot be combined with --manifest", hint: "the manifest's workdir decides them")
        }
        var o = ManifestOverrides()
        o.setPath("destination", output)
        o.set("k", k)
        o.set("exclude", exclude.map { $0.split(separator: ",").map(String.init) })
        if noEmbeddings { o.set("embeddings", false) }
        if noRecommendations { o.set("recommendations", false) }
        o.set("users", users.map { $0.split(separator: ",").map(String.init) })
        o.setPath("users_file", usersFile)
        o.set("threads", threads)
        o.set("run_id", runId)
        if shard != nil { throw AccfError.usage("--shard cannot be combined with --manifest", hint: "set [export] shard in the manifest") }
        return o
    }

    func paths() throws -> (ingest: String, model: String, output: String) {
        func pick(_ explicit: String?, _ relative: String, _ flag: String) throws -> String {
            if let explicit { return explicit }
            if let workdir { return FilePath.join(workdir, relative) }
            throw AccfError.usage("missing \(flag)", hint: "give \(flag) or --workdir")
        }
        return (try pick(ingest, "ingest", "--ingest"), try pick(model, "train/model.accfmodel", "--model"),
                try pick(output, "export/recommendations.sqlite", "--output"))
    }

    func run() throws {
        global.bootstrap()
        try runReportingErrors {
            if let manifest {
                try ManifestSection.runStage("export", manifest: manifest, overrides: try overrides(), wait: wait,
                                             logger: Logger(label: "accf.export"))
                return
            }
            let config = try makeConfig()
            let (ingestDirectory, modelPath, destination) = try paths()
            // The workdir (given, or the output's parent's parent in the pipeline layout) is locked.
            let lock = try ManifestSection.lockWorkdir(workdir ?? FilePath.directory(of: FilePath.directory(of: destination)),
                                                       outputDirectory: workdir == nil ? FilePath.directory(of: destination) : nil, wait: wait)
            defer { lock.release() }
            let report = try ExportStage.run(config: config, ingestDirectory: ingestDirectory, modelPath: modelPath,
                                             destination: destination, logger: Logger(label: "accf.export"))
            if !global.quiet {
                print("""
                exported \(report.users) users, \(report.items) items, \(report.recommendationRows) recommendations \
                to \(report.destination) (\(report.fileBytes) bytes) in \(String(format2: report.totalSeconds)) s \
                (top-K \(String(format2: report.topKSeconds)) s, SQLite \(String(format2: report.loadSeconds + report.finishSeconds)) s)
                """)
            }
        }
    }
}

/// `accf export merge`: shard parts → one file, checked for overlaps and gaps.
struct ExportMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Merge the parts of a sharded export (--shard i/n) into one file.")

    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .long], help: "The merged SQLite file to publish.") var output: String
    @Argument(help: "Part files.") var parts: [String]

    func run() throws {
        global.bootstrap()
        try runReportingErrors {
            let summary = try ExportMerge.run(parts: parts, destination: output)
            if !global.quiet {
                print("merged \(summary.parts) parts: \(summary.userRows) users, \(summary.itemRows) items, \(summary.recommendationRows) recommendations to \(summary.destination) (\(summary.fileBytes) bytes)")
            }
        }
    }
}

/// `accf export verify`: schema version, SQLite integrity and the row checksum of a file.
struct ExportVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check an exported file (schema version, integrity, row checksum).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Exported SQLite files.") var files: [String]

    func run() throws {
        global.bootstrap()
        try runReportingErrors {
            for file in files {
                let r = try ExportVerifier.verify(path: file)
                if !global.quiet {
                    print("\(file): ok (\(r.userRows) users, \(r.itemRows) items, \(r.recommendationRows) recommendations, model \(r.meta["model"] ?? "?"))")
                }
            }
        }
    }
}

extension String {
    /// A number with two decimals, without Foundation's String(format:).
    fileprivate init(format2 value: Double) {
        let scaled = (value * 100).rounded()
        let whole = Int(scaled / 100), frac = Int(abs(scaled).truncatingRemainder(dividingBy: 100))
        self = "\(whole).\(frac < 10 ? "0" : "")\(frac)"
    }
}
