import Core

/// Writes a finished table as a dataset directory: dictionaries, shards, manifest, reports.
///
/// Everything goes into `AtomicDirectory.staging(for:)` first and is published in one step.
/// Shards cut each split at user boundaries near `shard_interactions` rows, and their user
/// ranges tile `0..<userCount`, so a reader can route a user to one shard by range.
enum IngestWriter {
    static func write(_ table: InteractionTable, users: [Int], items: [Int], userNames: ByteInterner, itemNames: ByteInterner,
                      config: IngestConfig, report input: IngestReport, output: String) throws -> IngestReport {
        var report = input
        let hasRatings = table.ratings.contains { !$0.isNaN }
        let hasTimestamps = table.timestamps.contains { $0 != .min }
        let userCount = users.count, itemCount = items.count

        let staging = try AtomicDirectory.staging(for: output)
        do {
            let userDict = IdDictionaryFile.encode(userNames, order: users, kind: 0)
            let itemDict = IdDictionaryFile.encode(itemNames, order: items, kind: 1)
            try AtomicFileWriter.write(userDict, to: FilePath.join(staging, "users.dict"))
            try AtomicFileWriter.write(itemDict, to: FilePath.join(staging, "items.dict"))
            var shards: [ShardManifest.Shard] = []
            report.splits = []
            for split in Split.allCases {
                let columns = self.columns(table, split: split, ratings: hasRatings, timestamps: hasTimestamps)
                var ranges: [(Range<Int>, UInt32, UInt32)] = []
                var start = 0
                var firstUser: UInt32 = 0
                while start < columns.count || ranges.isEmpty {
                    var end = min(start + config.shardInteractions, columns.count)
                    while end < columns.count && end > 0 && columns.users[end] == columns.users[end - 1] { end += 1 }
                    let endUser = end >= columns.count ? UInt32(userCount) : columns.users[end]
                    ranges.append((start..<end, firstUser, endUser))
                    firstUser = endUser
                    start = end
                }
                for (k, (range, lo, hi)) in ranges.enumerated() {
                    let name = "\(split.rawValue)-\(String(format5(k))).shard"
                    let bytes = try ShardFile.encode(columns, range: range, split: split, firstUser: lo, endUser: hi)
                    try AtomicFileWriter.write(bytes, to: FilePath.join(staging, name))
                    shards.append(.init(split: split, file: name, firstUser: lo, endUser: hi, interactions: range.count,
                                        checksum: ShardManifest.checksum(bytes)))
                }
                var itemSeen = [Bool](repeating: false, count: itemCount)
                for i in columns.items { itemSeen[Int(i)] = true }
                let distinctUsers = columns.count == 0 ? 0 : 1 + (1..<columns.count).reduce(0) { $0 + (columns.users[$1] != columns.users[$1 - 1] ? 1 : 0) }
                report.splits.append(.init(split: split, users: distinctUsers, items: itemSeen.reduce(0) { $0 + ($1 ? 1 : 0) },
                                           interactions: columns.count, shards: ranges.count))
            }
            let manifest = ShardManifest(userCount: userCount, itemCount: itemCount, hasRatings: hasRatings, hasTimestamps: hasTimestamps,
                                         users: .init(file: "users.dict", count: userCount, checksum: ShardManifest.checksum(userDict)),
                                         items: .init(file: "items.dict", count: itemCount, checksum: ShardManifest.checksum(itemDict)),
                                         shards: shards)
            let payload = try manifest.payload()
            try ChecksummedFile.write(path: FilePath.join(staging, ShardManifest.fileName), magic: ShardManifest.magic,
                                      version: ShardManifest.version, payload: payload)
            let hash = payload.withUnsafeBytes { XXHash64.hash($0) }
            report.users = userCount
            report.items = itemCount
            report.interactions = table.count
            report.density = Double(table.count) / (Double(userCount) * Double(itemCount))
            let hex = String(hash, radix: 16)
            report.contentHash = String(repeating: "0", count: 16 - hex.count) + hex
            try AtomicFileWriter.write(try report.json(), to: FilePath.join(staging, "report.json"))
            try AtomicFileWriter.write(Array(report.text.utf8), to: FilePath.join(staging, "report.txt"))
            try AtomicDirectory.publish(staging: staging, to: output)
        } catch {
            FilePath.removeTree(staging)
            throw error
        }
        return report
    }

    private static func format5(_ k: Int) -> String {
        let s = String(k)
        return String(repeating: "0", count: max(0, 5 - s.count)) + s
    }

    /// The rows of one split as columns sorted by user, then item.
    static func columns(_ t: InteractionTable, split: Split, ratings: Bool, timestamps: Bool) -> InteractionColumns {
        let code = ShardFile.splitCode(split)
        let selected = (0..<t.count).filter { t.splits[$0] == code }
        let rows = RadixSort.order(selected.map { UInt64(t.users[$0]) << 32 | UInt64(t.items[$0]) }).map { selected[Int($0)] }
        return InteractionColumns(users: rows.map { t.users[$0] }, items: rows.map { t.items[$0] },
                                  ratings: ratings ? rows.map { t.ratings[$0] } : nil,
                                  timestamps: timestamps ? rows.map { t.timestamps[$0] } : nil)
    }
}
