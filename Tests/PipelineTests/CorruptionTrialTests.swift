import Core
import Foundation
import Graph
import Ingest
import Logging
import XCTest
@testable import Train

/// Corruption trials (issue 10): damage one real output file at a time — one byte flipped, or the
/// file cut short — and read it back with the reader the next stage uses. Every trial must end in
/// an `AccfError` with exit 65 naming the damaged file: never a crash, never a silent success.
final class CorruptionTrialTests: XCTestCase {
    /// The kinds of binary file the pipeline writes, each with the reader that consumes it.
    private enum Kind: String, CaseIterable {
        case shard, dictionary, manifest, graph, checkpoint, model
    }

    /// One pristine file: where it lives in the output set and its bytes.
    private struct Pristine {
        let kind: Kind
        let relativePath: String
        let bytes: [UInt8]
    }

    private var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "accf-corruption-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FilePath.createDirectories(root)
    }

    override func tearDown() { if !root.isEmpty { FilePath.removeTree(root) } }

    /// synth → ingest → graph → a two-epoch train, all through the library APIs.
    private func buildOutputSet() throws {
        let logger = Logger(label: "test")
        var synth = SyntheticConfig()
        synth.format = .movielens
        synth.users = 120; synth.items = 70; synth.interactions = 3_000; synth.clusters = 4; synth.seed = 7
        let log = root + "/raw.tsv"
        _ = try SyntheticLogGenerator(config: synth).write(to: log)

        var ingest = IngestConfig()
        ingest.inputs = [log]
        ingest.format = .movielens
        ingest.shardInteractions = 600   // several shards per split, so shard trials spread over files
        try IngestStage.run(config: ingest, output: root + "/ingest", logger: logger)
        try GraphStage.run(config: GraphConfig(), input: root + "/ingest", output: root + "/graph/graph.accfgraph", logger: logger)

        var train = TrainConfig()
        train.model = "lightgcn"
        train.dim = 8; train.layers = 1; train.batchSize = 256
        train.maxEpochs = 2; train.minEpochs = 0; train.evalEvery = 1
        train.checkpointEverySteps = 4; train.keepCheckpoints = 1; train.threads = 1; train.seed = 5
        let data = try TrainingData.load(ingestDirectory: root + "/ingest", graph: try GraphFile.read(path: root + "/graph/graph.accfgraph"))
        _ = try TrainStage.run(config: train, data: data, outputDirectory: root + "/train",
                               options: TrainOptions(restart: true, showProgress: false), logger: logger)
    }

    /// Every binary file of the output set, by kind.
    private func pristineFiles() throws -> [Pristine] {
        func files(_ directory: String, suffix: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: root + "/" + directory)
                .filter { $0.hasSuffix(suffix) }.sorted().map { directory + "/" + $0 }
        }
        var listed: [(Kind, String)] = []
        listed += try files("ingest", suffix: ".shard").map { (.shard, $0) }
        listed += [(.dictionary, "ingest/users.dict"), (.dictionary, "ingest/items.dict"), (.manifest, "ingest/manifest.accf"),
                   (.graph, "graph/graph.accfgraph"), (.checkpoint, "train/best.ckpt"), (.model, "train/model.accfmodel")]
        listed += try files("train/checkpoints", suffix: ".ckpt").map { (.checkpoint, $0) }
        return try listed.map { kind, path in Pristine(kind: kind, relativePath: path, bytes: try FilePath.readAll(root + "/" + path)) }
    }

    /// Reads `kind` the way the next stage would, through every accessor that touches the file.
    private func read(_ kind: Kind, path: String, ingestDirectory: String) throws {
        switch kind {
        case .shard, .dictionary, .manifest:
            let dataset = try IngestedDataset.open(directory: ingestDirectory)
            for split in [Split.train, .valid, .test] { _ = try dataset.interactions(split) }
            _ = try dataset.userIds()
            _ = try dataset.itemIds()
        case .graph: _ = try GraphFile.read(path: path)
        case .checkpoint: _ = try Checkpoint.read(path: path)
        case .model: _ = try FinalModel.read(path: path)
        }
    }

    func testEveryFlippedOrTruncatedByteIsDetectedAndNamesTheFile() throws {
        try buildOutputSet()
        let pristine = try pristineFiles()
        XCTAssertEqual(Set(pristine.map(\.kind)), Set(Kind.allCases), "the output set has every file kind")
        XCTAssertGreaterThan(pristine.filter { $0.kind == .shard }.count, 3)

        // A scratch copy of the ingest directory: every file pristine except the one under trial.
        let scratchIngest = root + "/scratch/ingest"
        try FilePath.createDirectories(scratchIngest)
        for file in pristine where file.relativePath.hasPrefix("ingest/") {
            try AtomicFileWriter.write(file.bytes, to: root + "/scratch/" + file.relativePath)
        }
        // The untouched scratch set reads back: a failure below is the damage, not the setup.
        for file in pristine {
            let path = file.relativePath.hasPrefix("ingest/") ? root + "/scratch/" + file.relativePath : root + "/" + file.relativePath
            XCTAssertNoThrow(try read(file.kind, path: path, ingestDirectory: scratchIngest), file.relativePath)
        }

        // Per kind: 200 random trials (half one byte XOR a random non-zero mask, half a cut to a
        // random shorter length) over that kind's files, then every byte of one file's 64-byte
        // envelope header flipped in turn — uniform offsets rarely land in the header, and its
        // reserved and padding bytes are exactly where an unchecked byte would hide.
        let randomTrialsPerKind = 200
        var rng = SeededGenerator(seed: 0xACCF_0010)
        var trials: [Kind: Int] = [:], detected: [Kind: Int] = [:], flips = 0, truncations = 0, headerFlips = 0
        var failures: [String] = []
        for kind in Kind.allCases {
            let candidates = pristine.filter { $0.kind == kind }
            // Ingest files are damaged in place in the scratch ingest copy (the dataset reader finds
            // them by name); the others in one scratch folder per kind, under their own name.
            let inIngest = kind == .shard || kind == .dictionary || kind == .manifest
            if !inIngest { try FilePath.createDirectories(root + "/scratch/\(kind.rawValue)") }
            var plan: [(file: Pristine, offset: Int, mask: UInt8?)] = []   // mask nil: truncate to `offset` bytes
            for _ in 0..<randomTrialsPerKind {
                let file = candidates[rng.nextInt(below: candidates.count)]
                if rng.nextInt(below: 2) == 0 {
                    plan.append((file, rng.nextInt(below: file.bytes.count), UInt8(1 + rng.nextInt(below: 255))))
                    flips += 1
                } else {
                    plan.append((file, rng.nextInt(below: file.bytes.count), nil))
                    truncations += 1
                }
            }
            for offset in 0..<ChecksummedFile.headerSize {
                plan.append((candidates[0], offset, UInt8(1 + rng.nextInt(below: 255))))
                headerFlips += 1
            }
            for (file, offset, mask) in plan {
                let name = (file.relativePath as NSString).lastPathComponent
                let path = inIngest ? root + "/scratch/" + file.relativePath : root + "/scratch/\(kind.rawValue)/" + name
                var damaged = file.bytes
                let damage: String
                if let mask {
                    damaged[offset] ^= mask
                    damage = "byte \(offset) ^ 0x\(String(mask, radix: 16))"
                } else {
                    damaged.removeSubrange(offset...)
                    damage = "truncated to \(offset) of \(file.bytes.count) bytes"
                }
                try AtomicFileWriter.write(damaged, to: path)
                trials[kind, default: 0] += 1
                do {
                    try read(kind, path: path, ingestDirectory: scratchIngest)
                    failures.append("\(file.relativePath) \(damage): read back without an error")
                } catch let error as AccfError {
                    if error.status == .dataError && error.description.contains(name) {
                        detected[kind, default: 0] += 1
                    } else {
                        failures.append("\(file.relativePath) \(damage): exit \(error.status.rawValue): \(error)")
                    }
                } catch {
                    failures.append("\(file.relativePath) \(damage): not an AccfError: \(error)")
                }
                if inIngest { try AtomicFileWriter.write(file.bytes, to: path) }   // restore the shared ingest copy
            }
        }

        let total = trials.values.reduce(0, +), found = detected.values.reduce(0, +)
        let byKind = Kind.allCases.map { kind in
            "\(kind.rawValue) \(detected[kind, default: 0])/\(trials[kind, default: 0]) over \(pristine.filter { $0.kind == kind }.count) files"
        }.joined(separator: ", ")
        print("corruption trials: \(total) (\(flips) random byte flips, \(truncations) truncations, \(headerFlips) header-byte flips), detected \(found), by file kind: \(byKind)")
        XCTAssertEqual(total, Kind.allCases.count * (randomTrialsPerKind + ChecksummedFile.headerSize))
        XCTAssertGreaterThanOrEqual(total, 1_000)
        XCTAssertEqual(found, total, failures.prefix(20).joined(separator: "\n"))
    }
}
