import Core
import Ingest
import Logging
import Train

#if canImport(Glibc)
import Glibc
#endif

/// What the export stage consumes, already loaded: the trained model and the id dictionaries.
///
/// Why separate from the files: `ExportStage.run` reads an ingest directory and a model file
/// into this; tests and the benchmark build it in memory. All checks that the two belong
/// together happen in `ExportStage.export`, whatever the source.
public struct ExportInput: Sendable {
    /// The final (propagated) embeddings and their provenance.
    public var model: FinalModel
    /// Where the model came from, named in errors.
    public var modelPath: String
    /// Dense user index → external id.
    public var userIds: [String]
    /// Dense item index → external id.
    public var itemIds: [String]
    /// Where the dictionaries came from (the ingest directory), named in errors.
    public var dictionarySource: String
    /// The dataset's content hash, checked against the model's; nil skips the check.
    public var datasetHash: UInt64?
    /// Interactions whose items are excluded from recommendations (the splits of `config.exclude`).
    public var excluded: [InteractionColumns]

    public init(model: FinalModel, modelPath: String, userIds: [String], itemIds: [String], dictionarySource: String,
                datasetHash: UInt64?, excluded: [InteractionColumns]) {
        self.model = model
        self.modelPath = modelPath
        self.userIds = userIds
        self.itemIds = itemIds
        self.dictionarySource = dictionarySource
        self.datasetHash = datasetHash
        self.excluded = excluded
    }
}

/// What an export did: sizes and where the time went.
public struct ExportReport: Sendable, Equatable {
    public var destination: String
    public var users: Int
    public var items: Int
    public var recommendationRows: Int
    public var fileBytes: Int
    /// Scoring and selection of the top-K lists (`TopKRetrieval`).
    public var topKSeconds: Double
    /// Loading rows into SQLite.
    public var loadSeconds: Double
    /// Indexes, integrity check, fsync and rename.
    public var finishSeconds: Double
    /// Of `finishSeconds`: the secondary index and `PRAGMA integrity_check`.
    public var indexSeconds: Double
    public var integritySeconds: Double
    public var totalSeconds: Double
    /// Temporary files of crashed earlier runs that this run removed.
    public var removedLeftovers: [String]
}

/// The export stage: final embeddings and top-K lists into one SQLite file, published atomically.
///
/// The one entry point the CLI (`accf export`) and the pipeline runner both call.
public enum ExportStage {
    /// Reads the ingest output and the trained model, then exports (the CLI's and the pipeline's entry point).
    ///
    /// - Parameters:
    ///   - ingestDirectory: the output of `accf ingest` (`<workdir>/ingest`): id dictionaries and
    ///     the splits named by `config.exclude`.
    ///   - modelPath: the trained model (`<workdir>/train/model.accfmodel`).
    ///   - destination: the SQLite file to publish (`<workdir>/export/recommendations.sqlite`).
    public static func run(config: ExportConfig, ingestDirectory: String, modelPath: String, destination: String,
                           logger: Logger) throws -> ExportReport {
        try config.validate()
        let input = try loadInput(config: config, ingestDirectory: ingestDirectory, modelPath: modelPath)
        return try export(input: input, config: config, destination: destination, logger: logger)
    }

    /// The model and the dictionaries (and the excluded splits, when recommending), verified.
    public static func loadInput(config: ExportConfig, ingestDirectory: String, modelPath: String) throws -> ExportInput {
        if !FilePath.exists(modelPath) {
            throw AccfError.missingInput(modelPath, hint: "run `accf train` first (it writes train/model.accfmodel), or pass --model")
        }
        if !FilePath.isDirectory(ingestDirectory) {
            throw AccfError.missingInput(ingestDirectory, hint: "run `accf ingest` first, or pass --ingest with its output directory")
        }
        let model = try FinalModel.read(path: modelPath)
        let dataset = try IngestedDataset.open(directory: ingestDirectory)
        if model.userCount != dataset.userCount || model.itemCount != dataset.itemCount {
            throw AccfError.badData(modelPath, "the model has \(model.userCount) users × \(model.itemCount) items but \(ingestDirectory) has \(dataset.userCount) × \(dataset.itemCount)",
                                    hint: "export with the ingest output the model was trained on, or re-run `accf train` on this dataset")
        }
        let excluded = config.recommendations ? try config.exclude.map { try dataset.interactions($0) } : []
        return ExportInput(model: model, modelPath: modelPath, userIds: try dataset.userIds(), itemIds: try dataset.itemIds(),
                           dictionarySource: ingestDirectory, datasetHash: dataset.contentHash, excluded: excluded)
    }

    /// Exports `input` to `destination` (see `ExportDatabaseWriter` for the publishing steps).
    public static func export(input: ExportInput, config: ExportConfig, destination: String,
                              logger: Logger) throws -> ExportReport {
        try export(input: input, config: config, destination: destination, logger: logger, failpoint: nil)
    }

    static func export(input: ExportInput, config: ExportConfig, destination: String, logger: Logger,
                       failpoint: DatabasePublisher.Failpoint?) throws -> ExportReport {
        try config.validate()
        let total = Stopwatch()
        try checkMatches(input)
        let users = try selectUsers(input, config)
        logger.info("export: ranking", metadata: ["event": "export.topk", "users": "\(users.count)",
                                                  "items": "\(input.itemIds.count)", "k": "\(config.k)"])
        let topK = Stopwatch()
        let lists = config.recommendations ? recommend(input, users: users, config: config) : nil
        let topKSeconds = topK.seconds

        var meta = metadata(input, config)
        if let shard = config.shard {
            let range = shard.userRange(userCount: input.userIds.count)
            meta[ExportSchema.Key.userSelection] = "range"
            meta[ExportSchema.Key.userRange] = "\(range.lowerBound)-\(range.upperBound)"
            meta[ExportSchema.Key.shard] = shard.description
        } else if config.users != nil || config.usersFile != nil {
            meta[ExportSchema.Key.userSelection] = "subset"
        }
        let content = ExportContent(
            userIds: input.userIds, itemIds: input.itemIds, dim: input.model.dim,
            userEmbeddings: config.embeddings ? input.model.userEmbeddings : [],
            itemEmbeddings: config.embeddings ? input.model.itemEmbeddings : [],
            users: users, recommendations: lists, meta: meta)
        let summary = try ExportDatabaseWriter.write(content, to: destination, failpoint: failpoint)
        for path in summary.removedLeftovers {
            logger.notice("export: removed the leftover of a crashed run", metadata: ["event": "export.leftover", "path": "\(path)"])
        }
        let report = ExportReport(destination: destination, users: summary.userRows, items: summary.itemRows,
                                  recommendationRows: summary.recommendationRows, fileBytes: summary.fileBytes,
                                  topKSeconds: topKSeconds, loadSeconds: summary.loadSeconds,
                                  finishSeconds: summary.finishSeconds, indexSeconds: summary.indexSeconds,
                                  integritySeconds: summary.integritySeconds, totalSeconds: total.seconds,
                                  removedLeftovers: summary.removedLeftovers)
        logger.info("export: published", metadata: [
            "event": "export.done", "path": "\(destination)", "users": "\(report.users)",
            "recommendations": "\(report.recommendationRows)", "bytes": "\(report.fileBytes)",
            "topk_s": "\(report.topKSeconds)", "write_s": "\(report.loadSeconds + report.finishSeconds)"])
        return report
    }

    /// The model and the dictionaries must describe the same users and items.
    static func checkMatches(_ input: ExportInput) throws {
        let model = input.model
        let fix = "export with the ingest output the model was trained on, or re-run `accf train` on this dataset"
        guard model.dim > 0, model.userEmbeddings.count % model.dim == 0, model.itemEmbeddings.count % model.dim == 0 else {
            throw AccfError.corrupt(input.modelPath, "embedding sizes are not multiples of dim \(model.dim)")
        }
        guard model.userCount == input.userIds.count, model.itemCount == input.itemIds.count else {
            throw AccfError.badData(input.modelPath, "the model has \(model.userCount) users × \(model.itemCount) items but the dictionaries in \(input.dictionarySource) have \(input.userIds.count) × \(input.itemIds.count)", hint: fix)
        }
        if let hash = input.datasetHash, model.datasetHash != 0, model.datasetHash != hash {
            throw AccfError.badData(input.modelPath, "the model was trained on dataset \(hex(model.datasetHash)), but \(input.dictionarySource) is dataset \(hex(hash))", hint: fix)
        }
        for embeddings in [model.userEmbeddings, model.itemEmbeddings] where !allFinite(embeddings) {
            throw AccfError.badData(input.modelPath, "the model has non-finite (NaN or infinite) embeddings",
                                    hint: "training diverged; re-run `accf train` with a lower learning rate")
        }
        for (ids, what) in [(input.userIds, "user"), (input.itemIds, "item")] where Set(ids).count != ids.count {
            throw AccfError.badData(input.dictionarySource, "the \(what) dictionary maps some external id twice",
                                    hint: "re-run `accf ingest`: its dictionaries must map each external id once")
        }
        for split in input.excluded {
            if let bad = zip(split.users, split.items).first(where: { Int($0.0) >= input.userIds.count || Int($0.1) >= input.itemIds.count }) {
                throw AccfError.badData(input.dictionarySource, "an interaction (user \(bad.0), item \(bad.1)) is outside the dictionaries",
                                        hint: "the ingest output is inconsistent; re-run `accf ingest`")
            }
        }
    }

    /// The exported users, as strictly increasing dense indices.
    static func selectUsers(_ input: ExportInput, _ config: ExportConfig) throws -> [Int] {
        if let shard = config.shard { return Array(shard.userRange(userCount: input.userIds.count)) }
        var requested: [(String, String, Int?)] = []  // (id, source, line)
        if let users = config.users {
            requested = users.map { ($0, "export.users (--users)", nil) }
        } else if let file = config.usersFile {
            let bytes = try FilePath.readAll(file)
            for (n, raw) in String(decoding: bytes, as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
                let line = raw.trimmingCharacters(in: [" ", "\t", "\r"])
                if line.isEmpty || line.hasPrefix("#") { continue }
                requested.append((line, file, n + 1))
            }
            if requested.isEmpty {
                throw AccfError.badData(file, "lists no user ids", hint: "put one external user id per line")
            }
        } else {
            return Array(0..<input.userIds.count)
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(input.userIds.count)
        for (u, id) in input.userIds.enumerated() { index[id] = u }
        var chosen = Set<Int>()
        for (id, source, line) in requested {
            guard let u = index[id] else {
                throw AccfError.badData(source, line: line, "user \"\(id)\" is not in the dataset (\(input.dictionarySource))",
                                        hint: "remove the id or export from the dataset that has it")
            }
            chosen.insert(u)
        }
        return chosen.sorted()
    }

    /// Top-K of the chosen users, with the training engine's `TopKRetrieval` (evaluation ranks the same way).
    static func recommend(_ input: ExportInput, users: [Int], config: ExportConfig) -> TopKLists {
        let model = input.model
        let dim = model.dim
        if let first = users.first, let last = users.last, last - first + 1 == users.count {
            let exclusions = ItemExclusions(userCount: input.userIds.count, splits: input.excluded)
            let r = TopKRetrieval.topK(userEmbeddings: model.userEmbeddings, itemEmbeddings: model.itemEmbeddings, dim: dim,
                                       users: first..<(last + 1), k: config.k, exclusions: exclusions,
                                       threads: config.resolvedThreads)
            return TopKLists(k: config.k, items: r.items, scores: r.scores)
        }
        // A scattered subset: rank a compact copy (rows and exclusions renumbered 0..<count).
        var compact = [Int](repeating: -1, count: input.userIds.count)
        var rows = [Float]()
        rows.reserveCapacity(users.count * dim)
        for (c, u) in users.enumerated() {
            compact[u] = c
            rows.append(contentsOf: model.userEmbeddings[(u * dim)..<((u + 1) * dim)])
        }
        let renumbered = input.excluded.map { split -> InteractionColumns in
            var out = InteractionColumns()
            for (u, i) in zip(split.users, split.items) where compact[Int(u)] >= 0 {
                out.users.append(UInt32(compact[Int(u)]))
                out.items.append(i)
            }
            return out
        }
        let exclusions = ItemExclusions(userCount: users.count, splits: renumbered)
        let r = TopKRetrieval.topK(userEmbeddings: rows, itemEmbeddings: model.itemEmbeddings, dim: dim,
                                   users: 0..<users.count, k: config.k, exclusions: exclusions,
                                   threads: config.resolvedThreads)
        return TopKLists(k: config.k, items: r.items, scores: r.scores)
    }

    /// The meta rows that describe the model and the run.
    static func metadata(_ input: ExportInput, _ config: ExportConfig) -> [String: String] {
        let model = input.model
        let runId = config.runId.isEmpty ? "export-\(Timestamp.iso8601Now())-\(getpid())" : config.runId
        var meta: [String: String] = [
            ExportSchema.Key.model: model.modelName,
            ExportSchema.Key.runId: runId,
            ExportSchema.Key.manifestHash: config.manifestHash,
            ExportSchema.Key.checkpointHash: hex(model.contentHash),
            ExportSchema.Key.datasetHash: hex(model.datasetHash),
            ExportSchema.Key.graphHash: hex(model.graphHash),
            ExportSchema.Key.testMetrics: jsonObject(model.testMetrics.mapValues(jsonNumber)),
            ExportSchema.Key.hyperparameters: jsonObject(model.hyperparameters.mapValues(JSONText.quote)),
            ExportSchema.Key.exclude: config.recommendations ? config.exclude.map(\.rawValue).joined(separator: ",") : "",
        ]
        meta[ExportSchema.Key.createdAt] = Timestamp.iso8601Now()
        return meta
    }

    static func hex(_ value: UInt64) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    static func jsonNumber(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }

    static func jsonObject(_ fields: [String: String]) -> String {
        "{" + fields.keys.sorted().map { "\(JSONText.quote($0)):\(fields[$0]!)" }.joined(separator: ",") + "}"
    }

    static func allFinite(_ values: [Float]) -> Bool {
        values.withUnsafeBufferPointer { p in
            var acc: Float = 0
            for v in p { acc += v * 0 }  // NaN or ±inf turns the sum into NaN
            return !acc.isNaN
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var s = self
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}
