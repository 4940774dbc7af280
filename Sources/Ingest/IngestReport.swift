import Foundation

/// What an ingest run did, for `report.json`, `report.txt` and the pipeline's logs.
///
/// It answers the operator's questions after a cron run: how much was read, what was dropped and
/// why (with the first offending lines to look at), how filtering and splitting shaped the data.
/// It holds no wall-clock times, so identical runs write identical reports.
public struct IngestReport: Codable, Sendable, Equatable {
    /// One dropped line shown as an example.
    public struct Example: Codable, Sendable, Equatable {
        public var file: String
        public var line: Int
        public var text: String
    }

    /// Lines dropped for one reason.
    public struct DropReason: Codable, Sendable, Equatable {
        public var reason: String
        public var count: Int
        public var examples: [Example]
    }

    /// Per input file.
    public struct InputStats: Codable, Sendable, Equatable {
        public var path: String
        public var compression: String
        public var role: String
        public var bytes: Int
        public var linesRead: Int
        public var linesParsed: Int
        public var linesSkipped: Int
        public var linesMalformed: Int
        public var interactions: Int
        enum CodingKeys: String, CodingKey {
            case path, compression, role, bytes, interactions
            case linesRead = "lines_read"
            case linesParsed = "lines_parsed"
            case linesSkipped = "lines_skipped"
            case linesMalformed = "lines_malformed"
        }
    }

    /// Per split, after everything.
    public struct SplitStats: Codable, Sendable, Equatable {
        public var split: Split
        public var users: Int
        public var items: Int
        public var interactions: Int
        public var shards: Int
    }

    public struct KCoreRound: Codable, Sendable, Equatable {
        public var round: Int
        public var usersRemoved: Int
        public var itemsRemoved: Int
        public var interactionsRemoved: Int
        enum CodingKeys: String, CodingKey {
            case round
            case usersRemoved = "users_removed"
            case itemsRemoved = "items_removed"
            case interactionsRemoved = "interactions_removed"
        }
    }

    public var format: String = ""
    public var inputs: [InputStats] = []
    public var linesRead = 0
    public var linesParsed = 0
    public var linesSkipped = 0
    public var linesMalformed = 0
    public var malformed: [DropReason] = []
    public var interactionsParsed = 0
    public var usersParsed = 0
    public var itemsParsed = 0
    public var belowRatingThreshold = 0
    public var outsideTimeWindow = 0
    public var duplicates = 0
    public var kcoreRounds: [KCoreRound] = []
    public var kcoreRemoved = 0
    public var splitMethod = ""
    public var coldStartDropped = 0
    public var noiseAdded = 0
    public var users = 0
    public var items = 0
    public var interactions = 0
    /// interactions / (users × items), over all splits.
    public var density = 0.0
    public var splits: [SplitStats] = []
    public var seed: UInt64 = 0
    /// The dataset's content hash (hex), as `IngestedDataset.contentHash`.
    public var contentHash = ""

    public init() {}

    enum CodingKeys: String, CodingKey {
        case format, inputs, malformed, duplicates, users, items, interactions, density, splits, seed
        case linesRead = "lines_read"
        case linesParsed = "lines_parsed"
        case linesSkipped = "lines_skipped"
        case linesMalformed = "lines_malformed"
        case interactionsParsed = "interactions_parsed"
        case usersParsed = "users_parsed"
        case itemsParsed = "items_parsed"
        case belowRatingThreshold = "below_rating_threshold"
        case outsideTimeWindow = "outside_time_window"
        case kcoreRounds = "kcore_rounds"
        case kcoreRemoved = "kcore_removed"
        case splitMethod = "split_method"
        case coldStartDropped = "cold_start_dropped"
        case noiseAdded = "noise_added"
        case contentHash = "content_hash"
    }

    /// Pretty, key-sorted JSON.
    public func json() throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try e.encode(self)) + [0x0A]
    }

    /// The report for people: `report.txt`.
    public var text: String {
        var s = "accf ingest report (\(format))\n\n"
        s += "Inputs\n"
        for i in inputs {
            s += "  \(i.path) [\(i.compression), \(i.role)]: \(i.bytes) bytes, \(i.linesRead) lines, \(i.linesParsed) parsed, "
            s += "\(i.linesSkipped) skipped (blank/header), \(i.linesMalformed) malformed, \(i.interactions) interactions\n"
        }
        s += "\nLines: \(linesRead) read, \(linesParsed) parsed, \(linesSkipped) skipped, \(linesMalformed) malformed\n"
        for d in malformed {
            s += "  \(d.count) × \(d.reason)\n"
            for e in d.examples { s += "      \(e.file):\(e.line): \(e.text)\n" }
        }
        s += "\nInteractions parsed: \(interactionsParsed) (\(usersParsed) users, \(itemsParsed) items)\n"
        s += "  below rating threshold: \(belowRatingThreshold)\n"
        s += "  outside time window: \(outsideTimeWindow)\n"
        s += "  duplicate (user, item) removed: \(duplicates)\n"
        s += "  k-core: \(kcoreRounds.count) rounds, \(kcoreRemoved) interactions removed\n"
        for r in kcoreRounds {
            s += "    round \(r.round): -\(r.usersRemoved) users, -\(r.itemsRemoved) items, -\(r.interactionsRemoved) interactions\n"
        }
        s += "  cold-start train rows dropped: \(coldStartDropped)\n"
        s += "  noise interactions added: \(noiseAdded)\n"
        s += "\nResult: \(users) users, \(items) items, \(interactions) interactions, density \(String(format: "%.6f", density))\n"
        s += "Split (\(splitMethod), seed \(seed)):\n"
        for sp in splits {
            s += "  \(sp.split.rawValue): \(sp.interactions) interactions, \(sp.users) users, \(sp.items) items, \(sp.shards) shards\n"
        }
        s += "Content hash: \(contentHash)\n"
        return s
    }
}
