import Foundation
import ArgumentParser
import Core
import Ingest
import Logging

/// `accf ingest`: raw review / purchase logs → id dictionaries and interaction shards.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read raw logs (plain/.gz/.zst) into id dictionaries and split interaction shards.",
        discussion: """
        Formats: yelp-json, amazon-json (2014/2018 and 2023 shapes), movielens (u.data, ratings.dat,
        ratings.csv, RecBole .inter), lightgcn (train.txt + test.txt; files named test* are the test
        split), csv (with --user-column/--item-column/...). Output is published atomically; a failed
        run leaves the previous output untouched. Exit 65 on bad data, 66 on missing input.
        """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Read the [ingest] section of this pipeline manifest (flags override single keys; output goes to <workdir>/ingest).")
    var manifest: String?
    @Flag(name: .long, help: "Wait for another run of the same workdir instead of exiting 75.") var wait = false
    @Argument(help: "Input files.") var inputs: [String] = []
    @Option(name: .long, help: "Input format: \(InputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: String?
    @Option(name: [.short, .long], help: "Output dataset directory.") var output: String?
    @Option(name: .long, help: "Files holding the given test split (implies --split given).") var testInput: [String] = []
    @Option(name: .long, help: "CSV delimiter (\\t for tab).") var delimiter: String?
    @Flag(name: .long, help: "The CSV file has no header row.") var noHeader = false
    @Option(name: .long, help: "CSV user column (header name or 0-based index).") var userColumn: String?
    @Option(name: .long, help: "CSV item column.") var itemColumn: String?
    @Option(name: .long, help: "CSV rating column.") var ratingColumn: String?
    @Option(name: .long, help: "CSV timestamp column.") var timestampColumn: String?
    @Option(name: .long, help: "Timestamp format: unix, unix_ms, iso8601 or a pattern like %d-%m-%Y.") var timestampFormat: String?
    @Option(name: .long, help: "Keep interactions with rating >= this (implicit feedback).") var ratingThreshold: Double?
    @Flag(name: .long, help: "Keep duplicate (user, item) rows instead of the latest only.") var keepDuplicates = false
    @Option(name: .long, help: "k-core for both users and items (iterated).") var kCore: Int?
    @Option(name: .long, help: "k-core for users.") var userCore: Int?
    @Option(name: .long, help: "k-core for items.") var itemCore: Int?
    @Option(name: .long, help: "Keep interactions at or after this unix time.") var timeStart: Int64?
    @Option(name: .long, help: "Keep interactions before this unix time.") var timeEnd: Int64?
    @Option(name: .long, help: "Split: \(SplitMethod.allCases.map(\.rawValue).joined(separator: ", ")).") var split: String?
    @Option(name: .long, help: "Train,valid,test ratios (default 0.8,0.1,0.1).") var splitRatios: String?
    @Option(name: .long, help: "time-cutoff split: valid from this unix time.") var validCutoff: Int64?
    @Option(name: .long, help: "time-cutoff split: test from this unix time.") var testCutoff: Int64?
    @Option(name: .long, help: "Given split: fraction of each user's train moved to valid (default 0.1).") var givenValidFraction: Double?
    @Option(name: .long, help: "Users with fewer interactions stay in train (default 3).") var minInteractionsToSplit: Int?
    @Option(name: .long, help: "Cold-start: keep this fraction of each user's train interactions.") var coldStartTrainFraction: Double?
    @Option(name: .long, help: "Add this fraction of false-positive train interactions per user.") var noiseFraction: Double?
    @Option(name: .long, help: "Dense id numbering: \(IdOrder.allCases.map(\.rawValue).joined(separator: ", ")) (default locality).") var idOrder: String?
    @Option(name: .long, help: "Random seed (default 2024).") var seed: UInt64?
    @Option(name: .long, help: "Fail when more than this fraction of lines is malformed (default 0.05).") var maxBadLineFraction: Double?
    @Option(name: .long, help: "Examples per drop reason in the report (default 5).") var maxExamples: Int?
    @Option(name: .long, help: "Target interactions per shard (default 1048576).") var shardInteractions: Int?
    @Option(name: .long, help: "Longest accepted line in bytes (default 67108864).") var maxLineLength: Int?

    func makeConfig() throws -> IngestConfig {
        var c = IngestConfig()
        c.inputs = inputs
        c.testInputs = testInput
        guard let format else { throw AccfError.usage("--format is required without --manifest") }
        guard let f = InputFormat(rawValue: format) else {
            throw AccfError.usage("--format \(format) is not one of \(InputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        c.format = f
        if let delimiter { c.delimiter = delimiter == "\\t" || delimiter == "tab" ? "\t" : delimiter }
        c.hasHeader = !noHeader
        if let userColumn { c.userColumn = ColumnRef(userColumn) }
        if let itemColumn { c.itemColumn = ColumnRef(itemColumn) }
        if let ratingColumn { c.ratingColumn = ColumnRef(ratingColumn) }
        if let timestampColumn { c.timestampColumn = ColumnRef(timestampColumn) }
        if let timestampFormat { c.timestampFormat = try DateFormat(name: timestampFormat) }
        c.ratingThreshold = ratingThreshold
        c.deduplicate = !keepDuplicates
        if let kCore { c.userCore = kCore; c.itemCore = kCore }
        if let userCore { c.userCore = userCore }
        if let itemCore { c.itemCore = itemCore }
        c.timeStart = timeStart
        c.timeEnd = timeEnd
        if let split {
            guard let m = SplitMethod(rawValue: split) else {
                throw AccfError.usage("--split \(split) is not one of \(SplitMethod.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            c.split = m
        }
        if let splitRatios {
            let parts = splitRatios.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 3, parts.allSatisfy({ $0 != nil }) else {
                throw AccfError.usage("--split-ratios wants three numbers like 0.8,0.1,0.1, got \(splitRatios)")
            }
            c.splitRatios = parts.map { $0! }
        }
        c.validCutoff = validCutoff
        c.testCutoff = testCutoff
        if let givenValidFraction { c.givenValidFraction = givenValidFraction }
        if let minInteractionsToSplit { c.minInteractionsToSplit = minInteractionsToSplit }
        c.coldStartTrainFraction = coldStartTrainFraction
        if let noiseFraction { c.noiseFraction = noiseFraction }
        if let idOrder {
            guard let order = IdOrder(rawValue: idOrder) else {
                throw AccfError.usage("--id-order \(idOrder) is not one of \(IdOrder.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            c.idOrder = order
        }
        if let seed { c.seed = seed }
        if let maxBadLineFraction { c.maxBadLineFraction = maxBadLineFraction }
        if let maxExamples { c.maxExamplesPerReason = maxExamples }
        if let shardInteractions { c.shardInteractions = shardInteractions }
        if let maxLineLength { c.maxLineLength = maxLineLength }
        try c.validate()
        return c
    }

    func run() throws {
        global.bootstrap()
        try runReportingErrors {
            if let manifest {
                try ManifestSection.runStage("ingest", manifest: manifest, overrides: try overrides(), wait: wait,
                                             logger: Logger(label: "accf.ingest"))
                return
            }
            guard let output else { throw AccfError.usage("--output is required without --manifest") }
            let config = try makeConfig()
            // The output's folder is the workdir in the pipeline layout (<workdir>/ingest): lock it.
            let lock = try ManifestSection.lockWorkdir(FilePath.directory(of: output), wait: wait)
            defer { lock.release() }
            let report = try IngestStage.run(config: config, output: output, logger: Logger(label: "accf.ingest"))
            if !global.quiet { print(report.text, terminator: "") }
        }
    }

    /// The flags the user gave, as overrides of single `[ingest]` keys.
    func overrides() throws -> ManifestOverrides {
        if output != nil { throw AccfError.usage("--output cannot be combined with --manifest", hint: "the output is <workdir>/ingest") }
        var o = ManifestOverrides()
        if !inputs.isEmpty { o.setPaths("inputs", inputs) }
        if !testInput.isEmpty { o.setPaths("test_inputs", testInput) }
        o.set("format", format)
        o.set("delimiter", delimiter.map { $0 == "\\t" || $0 == "tab" ? "\t" : $0 })
        if noHeader { o.set("has_header", false) }
        o.set("user_column", userColumn)
        o.set("item_column", itemColumn)
        o.set("rating_column", ratingColumn)
        o.set("timestamp_column", timestampColumn)
        o.set("timestamp_format", timestampFormat)
        o.set("rating_threshold", ratingThreshold)
        if keepDuplicates { o.set("deduplicate", false) }
        o.set("user_core", userCore ?? kCore)
        o.set("item_core", itemCore ?? kCore)
        o.set("time_start", timeStart.map(Int.init))
        o.set("time_end", timeEnd.map(Int.init))
        o.set("split", split)
        if let splitRatios {
            let parts = splitRatios.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            o.set("split_ratios", parts)
        }
        o.set("valid_cutoff", validCutoff.map(Int.init))
        o.set("test_cutoff", testCutoff.map(Int.init))
        o.set("given_valid_fraction", givenValidFraction)
        o.set("min_interactions_to_split", minInteractionsToSplit)
        o.set("cold_start_train_fraction", coldStartTrainFraction)
        o.set("noise_fraction", noiseFraction)
        o.set("id_order", idOrder)
        o.set("seed", seed)
        o.set("max_bad_line_fraction", maxBadLineFraction)
        o.set("max_examples_per_reason", maxExamples)
        o.set("shard_interactions", shardInteractions)
        o.set("max_line_length", maxLineLength)
        return o
    }
}
