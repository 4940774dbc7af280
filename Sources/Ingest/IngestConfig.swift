import Core

/// The raw log formats ingest reads.
public enum InputFormat: String, Sendable, Codable, CaseIterable {
    case yelpJSON = "yelp-json"
    case amazonJSON = "amazon-json"
    case movielens
    case lightgcn
    case csv
}

/// How interactions are divided into train / valid / test.
public enum SplitMethod: String, Sendable, Codable, CaseIterable {
    /// Each user's interactions shuffled (seeded) and cut by `split_ratios`.
    case random
    /// Each user's interactions by time: the latest go to valid/test by `split_ratios`.
    case temporal
    /// Last interaction → test, the one before → valid.
    case leaveOneOut = "leave-one-out"
    /// A global time cutoff: before `valid_cutoff` train, before `test_cutoff` valid, after test.
    case timeCutoff = "time-cutoff"
    /// The split the input files carry (LightGCN train/test files); valid carved from train per user.
    case given
}

/// How dense user and item ids are numbered (`id_order`).
public enum IdOrder: String, Sendable, Codable, CaseIterable {
    /// Neighbours in the train graph get nearby ids (`LocalityOrder`): faster propagation.
    case locality
    /// Ascending external id: LightGCN files keep their published ids (the only order before `id_order` existed).
    case external
}

/// Everything `accf ingest` can be told, as the `[ingest]` section of a pipeline manifest.
///
/// Every field has a default, so a manifest names only what differs; `validate()` rejects
/// impossible combinations up front (exit 64, naming the key) instead of failing mid-run.
public struct IngestConfig: Codable, Sendable, Equatable {
    /// Input files (plain, .gz or .zst). For `lightgcn`, files named `test*` are the test split.
    public var inputs: [String] = []
    /// Extra input files that hold the given test split (any format); implies `split = given`.
    public var testInputs: [String] = []
    public var format: InputFormat = .csv
    // Delimited (`csv`) layout.
    public var delimiter: String = ","
    public var hasHeader: Bool = true
    public var userColumn: ColumnRef = .name("user_id")
    public var itemColumn: ColumnRef = .name("item_id")
    public var ratingColumn: ColumnRef? = nil
    public var timestampColumn: ColumnRef? = nil
    public var timestampFormat: DateFormat = .unixSeconds
    // Filtering.
    /// Keep interactions with rating ≥ this (implicit feedback); nil keeps all.
    public var ratingThreshold: Double? = nil
    /// Keep one interaction per (user, item): the latest.
    public var deduplicate: Bool = true
    /// Iterated k-core: users with fewer interactions are removed (0 = off).
    public var userCore: Int = 0
    /// Iterated k-core: items with fewer interactions are removed (0 = off).
    public var itemCore: Int = 0
    /// Keep interactions with `time_start ≤ t < time_end` (unix seconds).
    public var timeStart: Int64? = nil
    public var timeEnd: Int64? = nil
    // Splitting.
    /// nil: `given` for lightgcn or when test inputs are given, else `random`.
    public var split: SplitMethod? = nil
    public var splitRatios: [Double] = [0.8, 0.1, 0.1]
    public var validCutoff: Int64? = nil
    public var testCutoff: Int64? = nil
    /// With the given split: the fraction of each user's train interactions moved to valid.
    public var givenValidFraction: Double = 0.1
    /// Users with fewer interactions than this stay entirely in train.
    public var minInteractionsToSplit: Int = 3
    /// Cold-start setting: keep only this fraction of each user's train interactions (nil = all).
    public var coldStartTrainFraction: Double? = nil
    /// Robustness studies: add this fraction of false-positive train interactions per user.
    public var noiseFraction: Double = 0
    /// Dense id numbering, applied after splitting (the split itself does not depend on it).
    public var idOrder: IdOrder = .locality
    public var seed: UInt64 = 2024
    // Bad input and output layout.
    /// Fail (exit 65) when more than this fraction of data lines is malformed.
    public var maxBadLineFraction: Double = 0.05
    /// Examples kept per drop reason in the report.
    public var maxExamplesPerReason: Int = 5
    /// Target interactions per shard (a user is never split across shards).
    public var shardInteractions: Int = 1 << 20
    /// A line longer than this many bytes stops ingest (exit 65, naming file and line): a file
    /// without newlines (binary, wrong format) must not grow the line buffer without bound.
    public var maxLineLength: Int = 64 << 20
    /// The largest `max_line_length` accepted: block offsets in the parallel scanner are 32-bit.
    public static let maxLineLengthLimit = 256 << 20

    public init() {}

    enum CodingKeys: String, CodingKey {
        case inputs, format, delimiter, split, seed
        case testInputs = "test_inputs"
        case hasHeader = "has_header"
        case userColumn = "user_column"
        case itemColumn = "item_column"
        case ratingColumn = "rating_column"
        case timestampColumn = "timestamp_column"
        case timestampFormat = "timestamp_format"
        case ratingThreshold = "rating_threshold"
        case deduplicate
        case userCore = "user_core"
        case itemCore = "item_core"
        case timeStart = "time_start"
        case timeEnd = "time_end"
        case splitRatios = "split_ratios"
        case validCutoff = "valid_cutoff"
        case testCutoff = "test_cutoff"
        case givenValidFraction = "given_valid_fraction"
        case minInteractionsToSplit = "min_interactions_to_split"
        case coldStartTrainFraction = "cold_start_train_fraction"
        case noiseFraction = "noise_fraction"
        case idOrder = "id_order"
        case maxBadLineFraction = "max_bad_line_fraction"
        case maxExamplesPerReason = "max_examples_per_reason"
        case shardInteractions = "shard_interactions"
        case maxLineLength = "max_line_length"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = IngestConfig()
        inputs = try c.decodeIfPresent([String].self, forKey: .inputs) ?? d.inputs
        testInputs = try c.decodeIfPresent([String].self, forKey: .testInputs) ?? d.testInputs
        format = try c.decodeIfPresent(InputFormat.self, forKey: .format) ?? d.format
        delimiter = try c.decodeIfPresent(String.self, forKey: .delimiter) ?? d.delimiter
        hasHeader = try c.decodeIfPresent(Bool.self, forKey: .hasHeader) ?? d.hasHeader
        userColumn = try c.decodeIfPresent(ColumnRef.self, forKey: .userColumn) ?? d.userColumn
        itemColumn = try c.decodeIfPresent(ColumnRef.self, forKey: .itemColumn) ?? d.itemColumn
        ratingColumn = try c.decodeIfPresent(ColumnRef.self, forKey: .ratingColumn) ?? d.ratingColumn
        timestampColumn = try c.decodeIfPresent(ColumnRef.self, forKey: .timestampColumn) ?? d.timestampColumn
        timestampFormat = try c.decodeIfPresent(DateFormat.self, forKey: .timestampFormat) ?? d.timestampFormat
        ratingThreshold = try c.decodeIfPresent(Double.self, forKey: .ratingThreshold) ?? d.ratingThreshold
        deduplicate = try c.decodeIfPresent(Bool.self, forKey: .deduplicate) ?? d.deduplicate
        userCore = try c.decodeIfPresent(Int.self, forKey: .userCore) ?? d.userCore
        itemCore = try c.decodeIfPresent(Int.self, forKey: .itemCore) ?? d.itemCore
        timeStart = try c.decodeIfPresent(Int64.self, forKey: .timeStart) ?? d.timeStart
        timeEnd = try c.decodeIfPresent(Int64.self, forKey: .timeEnd) ?? d.timeEnd
        split = try c.decodeIfPresent(SplitMethod.self, forKey: .split) ?? d.split
        splitRatios = try c.decodeIfPresent([Double].self, forKey: .splitRatios) ?? d.splitRatios
        validCutoff = try c.decodeIfPresent(Int64.self, forKey: .validCutoff) ?? d.validCutoff
        testCutoff = try c.decodeIfPresent(Int64.self, forKey: .testCutoff) ?? d.testCutoff
        givenValidFraction = try c.decodeIfPresent(Double.self, forKey: .givenValidFraction) ?? d.givenValidFraction
        minInteractionsToSplit = try c.decodeIfPresent(Int.self, forKey: .minInteractionsToSplit) ?? d.minInteractionsToSplit
        coldStartTrainFraction = try c.decodeIfPresent(Double.self, forKey: .coldStartTrainFraction) ?? d.coldStartTrainFraction
        noiseFraction = try c.decodeIfPresent(Double.self, forKey: .noiseFraction) ?? d.noiseFraction
        idOrder = try c.decodeIfPresent(IdOrder.self, forKey: .idOrder) ?? d.idOrder
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        maxBadLineFraction = try c.decodeIfPresent(Double.self, forKey: .maxBadLineFraction) ?? d.maxBadLineFraction
        maxExamplesPerReason = try c.decodeIfPresent(Int.self, forKey: .maxExamplesPerReason) ?? d.maxExamplesPerReason
        shardInteractions = try c.decodeIfPresent(Int.self, forKey: .shardInteractions) ?? d.shardInteractions
        maxLineLength = try c.decodeIfPresent(Int.self, forKey: .maxLineLength) ?? d.maxLineLength
    }

    /// Column positions beyond this are refused (no log has that many columns; a typo does).
    public static let maxColumns = 1 << 16

    /// The split method in effect once the default is resolved.
    public var effectiveSplit: SplitMethod {
        if let split { return split }
        return format == .lightgcn || !testInputs.isEmpty ? .given : .random
    }

    /// Rejects impossible settings before any input is read (exit 64 naming the key).
    public func validate() throws {
        if inputs.isEmpty { throw AccfError.usage("ingest: `inputs` is empty", hint: "name at least one input file") }
        if delimiter.isEmpty { throw AccfError.usage("ingest: `delimiter` is empty") }
        if splitRatios.count != 3 || splitRatios.contains(where: { $0 < 0 || !$0.isFinite })
            || abs(splitRatios.reduce(0, +) - 1) > 1e-6 || splitRatios[0] <= 0 {
            throw AccfError.usage("ingest: `split_ratios` must be three non-negative fractions (train > 0) summing to 1, got \(splitRatios)")
        }
        if userCore < 0 || itemCore < 0 { throw AccfError.usage("ingest: `user_core`/`item_core` must be ≥ 0") }
        if let a = timeStart, let b = timeEnd, a >= b { throw AccfError.usage("ingest: `time_start` must be before `time_end`") }
        if effectiveSplit == .timeCutoff {
            guard let t = testCutoff else { throw AccfError.usage("ingest: split time-cutoff needs `test_cutoff`") }
            if let v = validCutoff, v > t { throw AccfError.usage("ingest: `valid_cutoff` must not be after `test_cutoff`") }
        }
        if effectiveSplit == .given && format != .lightgcn && testInputs.isEmpty {
            throw AccfError.usage("ingest: split given needs `test_inputs` (or the lightgcn format with a test file)")
        }
        if !(0..<1).contains(givenValidFraction) { throw AccfError.usage("ingest: `given_valid_fraction` must be in [0, 1)") }
        if minInteractionsToSplit < 1 { throw AccfError.usage("ingest: `min_interactions_to_split` must be ≥ 1") }
        if let f = coldStartTrainFraction, !(f > 0 && f <= 1) {
            throw AccfError.usage("ingest: `cold_start_train_fraction` must be in (0, 1]")
        }
        if !(0..<1).contains(noiseFraction) { throw AccfError.usage("ingest: `noise_fraction` must be in [0, 1)") }
        if !(0...1).contains(maxBadLineFraction) { throw AccfError.usage("ingest: `max_bad_line_fraction` must be in [0, 1]") }
        if maxExamplesPerReason < 0 { throw AccfError.usage("ingest: `max_examples_per_reason` must be ≥ 0") }
        if shardInteractions < 1 { throw AccfError.usage("ingest: `shard_interactions` must be ≥ 1") }
        if !(1...Self.maxLineLengthLimit).contains(maxLineLength) {
            throw AccfError.usage("ingest: `max_line_length` must be in 1...\(Self.maxLineLengthLimit) bytes, got \(maxLineLength)")
        }
        let columns: [(String, ColumnRef?)] = [("user_column", userColumn), ("item_column", itemColumn),
                                               ("rating_column", ratingColumn), ("timestamp_column", timestampColumn)]
        for (key, ref) in columns {
            if let k = ref?.index, !(0..<Self.maxColumns).contains(k) {
                throw AccfError.usage("ingest: `\(key)` = \(k) is not a 0-based column position below \(Self.maxColumns)")
            }
        }
        if format == .csv && !hasHeader {
            // Without a header a column name cannot be found; silently reading another column
            // (or none) would produce wrong data, so only positions are accepted.
            let d = IngestConfig()
            let named: [(String, ColumnRef?, ColumnRef?)] = [
                ("user_column", userColumn, d.userColumn), ("item_column", itemColumn, d.itemColumn),
                ("rating_column", ratingColumn, nil), ("timestamp_column", timestampColumn, nil),
            ]
            for (key, ref, fallback) in named {
                if let ref, ref.index == nil, ref != fallback {
                    throw AccfError.usage("ingest: `\(key)` = \(ref) names a column, but has_header is false",
                                          hint: "give the column's 0-based position instead")
                }
            }
        }
    }
}
