import ArgumentParser
import Core
import Export
import Ingest
import Logging
import Train

#if canImport(Glibc)
import Glibc
#endif

/// `accf bench export`: top-K of every user plus the SQLite write, at yelp2018 size by default.
///
/// Prints where the time goes: scoring (the tiled GEMM alone), selection (the rest of
/// `TopKRetrieval.topK`), SQLite load and finish (indexes, integrity check, fsync, rename), and
/// the end-to-end `ExportStage.export`. `--dump DIR` writes the same embeddings and exclusions
/// for `scripts/bench_export_numpy.py`, the numpy reference.
struct BenchExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export throughput (top-K + SQLite).")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Users (default: yelp2018's 31,668).") var users = 31_668
    @Option(name: .long, help: "Items (default: yelp2018's 38,048).") var items = 38_048
    @Option(name: .long, help: "Embedding width.") var dim = 64
    @Option(name: .customLong("k"), help: "Recommendations per user.") var k = 20
    @Option(name: .long, help: "Excluded train items per user (yelp2018: ~39).") var trainPerUser = 39
    @Option(name: .long, help: "Threads.") var threads = 2
    @Option(name: .long, help: "Repetitions (the best is reported).") var repetitions = 3
    @Option(name: .long, help: "A trained model file to use instead of random embeddings.") var model: String?
    @Option(name: .long, help: "An `accf ingest` output: its ids and train split replace the synthetic ones (e.g. yelp2018).")
    var ingest: String?
    @Option(name: [.short, .long], help: "Where to write the database.") var output = "/tmp/accf-bench-export/recommendations.sqlite"
    @Option(name: .long, help: "Write U.f32, I.f32 and the exclusion CSR here for the numpy reference.") var dump: String?
    @Option(name: .long, help: "Random seed.") var seed: UInt64 = 1
    @Flag(name: .long, help: "Time only the end-to-end export (skip the separate scoring and top-K runs).") var exportOnly = false

    func run() throws {
        global.bootstrap()
        try runReportingErrors {
            let input = try makeInput()
            let dim = input.model.dim
            let userCount = input.userIds.count, itemCount = input.itemIds.count
            if let dump { try writeDump(input, to: dump) }

            let exclusions = ItemExclusions(userCount: userCount, splits: input.excluded)
            var best = (scoring: Double.infinity, topK: Double.infinity, load: Double.infinity,
                        finish: Double.infinity, index: Double.infinity, integrity: Double.infinity, total: Double.infinity)
            var bestCPU = best
            var bytes = 0
            var config = ExportConfig()
            config.k = k
            config.threads = threads
            for _ in 0..<max(1, repetitions) {
                var cpu = cpuSeconds()
                if !exportOnly {
                    let scoring = Stopwatch()
                    TopKRetrieval.scoreOnly(userEmbeddings: input.model.userEmbeddings, itemEmbeddings: input.model.itemEmbeddings,
                                        dim: dim, users: 0..<userCount, threads: threads)
                    best.scoring = min(best.scoring, scoring.seconds)
                    bestCPU.scoring = min(bestCPU.scoring, cpuSeconds() - cpu)
                    cpu = cpuSeconds()

                    let topK = Stopwatch()
                    _ = TopKRetrieval.topK(userEmbeddings: input.model.userEmbeddings, itemEmbeddings: input.model.itemEmbeddings,
                                       dim: dim, users: 0..<userCount, k: k, exclusions: exclusions, threads: threads)
                    best.topK = min(best.topK, topK.seconds)
                    bestCPU.topK = min(bestCPU.topK, cpuSeconds() - cpu)
                    cpu = cpuSeconds()

                }

                let report = try ExportStage.export(input: input, config: config, destination: output,
                                                    logger: Logger(label: "accf.bench.export"))
                if exportOnly { best.topK = min(best.topK, report.topKSeconds) }
                best.load = min(best.load, report.loadSeconds)
                best.finish = min(best.finish, report.finishSeconds)
                best.index = min(best.index, report.indexSeconds)
                best.integrity = min(best.integrity, report.integritySeconds)
                best.total = min(best.total, report.totalSeconds)
                bestCPU.total = min(bestCPU.total, cpuSeconds() - cpu)
                bytes = report.fileBytes
            }
            let selection = max(0, best.topK - best.scoring)
            let gflop = 2.0 * Double(userCount) * Double(itemCount) * Double(dim) / 1e9
            let rows: [(String, String)] = [
                ("shape", "\(userCount) users × \(itemCount) items, d = \(dim), k = \(k), \(threads) threads, \(input.excluded.first?.count ?? 0) excluded"),
                ("scoring (TopKRetrieval.scoreOnly)", "\(fmt(best.scoring)) s  (\(fmt(gflop / best.scoring, 1)) GFLOP/s; cpu \(fmt(bestCPU.scoring)) s)"),
                ("selection (topK − scoring)", "\(fmt(selection)) s"),
                ("scoring + selection (TopKRetrieval.topK)", "\(fmt(best.topK)) s  (\(fmt(Double(userCount) / best.topK, 0)) users/s; cpu \(fmt(bestCPU.topK)) s)"),
                ("SQLite load (1 transaction)", "\(fmt(best.load)) s  (\(fmt(Double(userCount * k) / best.load / 1e6, 2))M rec rows/s)"),
                ("SQLite finish (index, integrity, fsync, rename)",
                 "\(fmt(best.finish)) s  (index \(fmt(best.index)) s, integrity_check \(fmt(best.integrity)) s)"),
                ("end to end (ExportStage.export)", "\(fmt(best.total)) s  (\(fmt(Double(userCount) / best.total, 0)) users/s; cpu \(fmt(bestCPU.total)) s)"),
                ("file size", "\(fmt(Double(bytes) / 1_048_576, 1)) MiB (\(bytes) bytes)"),
                ("load", loadAverage()),
            ]
            let width = rows.map(\.0.count).max() ?? 0
            print("accf bench export (best of \(max(1, repetitions)))")
            for (name, value) in rows { print(name.padding(width) + "  " + value) }
        }
    }

    func makeInput() throws -> ExportInput {
        var rng = SeededGenerator(seed: seed)
        if let ingest {
            if let model {
                return try ExportStage.loadInput(config: ExportConfig(), ingestDirectory: ingest, modelPath: model)
            }
            let dataset = try IngestedDataset.open(directory: ingest)
            let scale: Float = 0.25
            let random = FinalModel(modelName: "random", dim: dim,
                                    userEmbeddings: (0..<dataset.userCount * dim).map { _ in (rng.nextUnitFloat() - 0.5) * scale },
                                    itemEmbeddings: (0..<dataset.itemCount * dim).map { _ in (rng.nextUnitFloat() - 0.5) * scale },
                                    datasetHash: dataset.contentHash)
            return ExportInput(model: random, modelPath: "(random)", userIds: try dataset.userIds(), itemIds: try dataset.itemIds(),
                               dictionarySource: ingest, datasetHash: dataset.contentHash, excluded: [try dataset.interactions(.train)])
        }
        let finalModel: FinalModel
        if let model {
            finalModel = try FinalModel.read(path: model)
        } else {
            let scale: Float = 0.25
            finalModel = FinalModel(modelName: "random", dim: dim,
                                    userEmbeddings: (0..<users * dim).map { _ in (rng.nextUnitFloat() - 0.5) * scale },
                                    itemEmbeddings: (0..<items * dim).map { _ in (rng.nextUnitFloat() - 0.5) * scale })
        }
        let userCount = finalModel.userCount, itemCount = finalModel.itemCount
        var train = InteractionColumns()
        train.users.reserveCapacity(userCount * trainPerUser)
        train.items.reserveCapacity(userCount * trainPerUser)
        for u in 0..<userCount {
            var chosen = Set<UInt32>()
            while chosen.count < min(trainPerUser, itemCount) { chosen.insert(UInt32(rng.nextInt(below: itemCount))) }
            for i in chosen.sorted() { train.users.append(UInt32(u)); train.items.append(i) }
        }
        return ExportInput(model: finalModel, modelPath: model ?? "(random)", userIds: (0..<userCount).map { "u\($0)" },
                           itemIds: (0..<itemCount).map { "i\($0)" }, dictionarySource: "(bench)", datasetHash: nil,
                           excluded: [train])
    }

    func writeDump(_ input: ExportInput, to directory: String) throws {
        try FilePath.createDirectories(directory)
        let exclusions = ItemExclusions(userCount: input.userIds.count, splits: input.excluded)
        try input.model.userEmbeddings.withUnsafeBytes { try write($0, FilePath.join(directory, "U.f32")) }
        try input.model.itemEmbeddings.withUnsafeBytes { try write($0, FilePath.join(directory, "I.f32")) }
        try exclusions.rowPointers.map { Int64($0) }.withUnsafeBytes { try write($0, FilePath.join(directory, "excl_indptr.i64")) }
        try exclusions.items.withUnsafeBytes { try write($0, FilePath.join(directory, "excl_items.u32")) }
        let meta = "{\"users\": \(input.userIds.count), \"items\": \(input.itemIds.count), \"dim\": \(input.model.dim), \"k\": \(k), \"threads\": \(threads)}\n"
        try AtomicFileWriter.write(Array(meta.utf8), to: FilePath.join(directory, "meta.json"))
    }

    func write(_ bytes: UnsafeRawBufferPointer, _ path: String) throws {
        let w = try AtomicFileWriter(destination: path)
        try w.write(bytes)
        try w.commit()
    }

    /// CPU seconds of this process (all threads): robust to other processes competing for the cores.
    func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    func loadAverage() -> String {
        guard let bytes = try? FilePath.readAll("/proc/loadavg") else { return "?" }
        return "loadavg " + String(decoding: bytes, as: UTF8.self).split(separator: " ").prefix(3).joined(separator: " ")
    }

    func fmt(_ v: Double, _ decimals: Int = 3) -> String {
        var p = 1.0
        for _ in 0..<decimals { p *= 10 }
        let r = (v * p).rounded() / p
        var s = "\(r)"
        if decimals == 0, s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}

