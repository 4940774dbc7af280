import Core
import Logging

/// The ingest stage: raw logs in, a verified dataset directory out.
///
/// The one entry point the CLI (`accf ingest`) and the pipeline runner call. It reads, filters,
/// splits and writes into a staging directory, then publishes it atomically: a failure at any
/// point (bad data, full disk, kill) leaves the previous output exactly as it was.
public enum IngestStage {
    /// Runs ingest with `config`, publishing the dataset at `output`.
    @discardableResult
    public static func run(config: IngestConfig, output: String, logger: Logger = Logger(label: "accf.ingest")) throws -> IngestReport {
        try config.validate()
        let watch = Stopwatch()
        var reading = InputReading(config: config)
        try reading.readAll()
        var report = reading.report
        var log = RawInteractionLog()
        swap(&log, &reading.log)   // the only reference, so the columns can be moved out below
        report.format = config.format.rawValue
        report.usersParsed = log.users.count
        report.itemsParsed = log.items.count
        report.seed = config.seed
        report.splitMethod = config.effectiveSplit.rawValue
        logger.info("ingest: read \(report.linesRead) lines, \(report.interactionsParsed) interactions, \(report.linesMalformed) malformed",
                    metadata: ["seconds": "\(watch.seconds)"])
        let parsedCount = log.count
        if parsedCount == 0 {
            throw AccfError(.dataError, "no interactions in \(config.inputs.joined(separator: ", ")) (\(report.linesRead) lines read, \(report.linesMalformed) malformed)",
                            hint: "check the input files and --format")
        }

        let (table, finalUsers, finalItems) = try transform(&log, config: config, report: &report)
        let result = try IngestWriter.write(table, users: finalUsers, items: finalItems, userNames: log.users,
                                            itemNames: log.items, config: config, report: report, output: output)
        logger.info("ingest: wrote \(output): \(result.users) users, \(result.items) items, \(result.interactions) interactions",
                    metadata: ["seconds": "\(watch.seconds)", "content_hash": "\(result.contentHash)"])
        return result
    }

    /// Filtering, dense ids and splitting. Returns the final table in dense ids (sorted by user,
    /// then time) and the dense → interned maps for users and items.
    static func transform(_ log: inout RawInteractionLog, config: IngestConfig, report: inout IngestReport) throws
        -> (InteractionTable, [Int], [Int]) {
        var table = InteractionTable(taking: &log)
        func empty(_ why: String) -> AccfError {
            AccfError(.dataError, "no interactions left after \(why) (\(report.interactionsParsed) parsed)",
                      hint: "relax that setting or check the input")
        }
        if config.ratingThreshold != nil || config.timeStart != nil || config.timeEnd != nil {
            var keep = [Bool](repeating: true, count: table.count)
            for k in 0..<table.count {
                if let th = config.ratingThreshold, !table.ratings[k].isNaN, Double(table.ratings[k]) < th {
                    keep[k] = false
                    report.belowRatingThreshold += 1
                    continue
                }
                let ts = table.timestamps[k]
                if (config.timeStart.map { ts == .min || ts < $0 } ?? false) || (config.timeEnd.map { ts == .min || ts >= $0 } ?? false) {
                    keep[k] = false
                    report.outsideTimeWindow += 1
                }
            }
            table = table.filtered(keep)
            if table.count == 0 {
                throw empty(report.belowRatingThreshold > 0 ? "the rating threshold \(config.ratingThreshold!)" : "the time window")
            }
        }
        if config.deduplicate {
            (table, report.duplicates) = Deduplication.keepLatest(table)
        }
        let rounds: [KCore.Round]
        (table, rounds) = KCore.filter(table, userCount: log.users.count, itemCount: log.items.count,
                                       userCore: config.userCore, itemCore: config.itemCore)
        report.kcoreRounds = rounds.map { .init(round: $0.round, usersRemoved: $0.usersRemoved, itemsRemoved: $0.itemsRemoved,
                                                 interactionsRemoved: $0.interactionsRemoved) }
        report.kcoreRemoved = rounds.reduce(0) { $0 + $1.interactionsRemoved }
        if table.count == 0 { throw empty("k-core filtering (user_core \(config.userCore), item_core \(config.itemCore)) removed every user") }

        // Dense ids, ordered by external id (renumbered for locality at the end).
        var usedUsers = [Bool](repeating: false, count: log.users.count)
        var usedItems = [Bool](repeating: false, count: log.items.count)
        for k in 0..<table.count { usedUsers[Int(table.users[k])] = true; usedItems[Int(table.items[k])] = true }
        let (userMap, sortedUsers) = DenseIds.order(log.users, used: usedUsers)
        let (itemMap, sortedItems) = DenseIds.order(log.items, used: usedItems)
        var userOrder = sortedUsers, itemOrder = sortedItems
        for k in 0..<table.count {
            table.users[k] = userMap[Int(table.users[k])]
            table.items[k] = itemMap[Int(table.items[k])]
        }
        table = table.permuted(table.orderByUserTime())

        var rng = SeededGenerator(seed: config.seed)
        Splitter(config: config).assign(&table, rng: &rng)
        if let f = config.coldStartTrainFraction, f < 1 {
            (table, report.coldStartDropped) = Splitter.coldStart(table, fraction: f, rng: &rng)
        }
        if config.noiseFraction > 0 {
            (table, report.noiseAdded) = NoiseInjection.inject(table, itemCount: itemOrder.count, fraction: config.noiseFraction, rng: &rng)
        }
        // Last, so that every seeded draw above saw the same ids whatever the order.
        if config.idOrder == .locality { LocalityOrder.apply(&table, userOrder: &userOrder, itemOrder: &itemOrder) }
        return (table, userOrder, itemOrder)
    }
}
