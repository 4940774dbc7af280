import Core
import Foundation
import Logging
@testable import pipeline

/// Counts how often each fake stage ran (shared by the stages of one test).
final class RunCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    func bump(_ name: String) { lock.lock(); counts[name, default: 0] += 1; lock.unlock() }
    func count(_ name: String) -> Int { lock.lock(); defer { lock.unlock() }; return counts[name, default: 0] }
}

/// A stage whose outputs are a deterministic function of its inputs' content and its parameters,
/// published atomically like the real stages do (files via AtomicFileWriter, directories via
/// AtomicDirectory). `pause` lets the kill test stop it mid-run; a "train" stage keeps a
/// checkpoint under `<workdir>/ckpt-<name>` and resumes from it, like the real train stage.
struct FakeStage: PipelineStage {
    var name: String
    var inputs: [String]
    var parameters: String
    var outputs: [String]
    var counter: RunCounter
    /// When this file exists, the stage writes a checkpoint and then sleeps until killed.
    var pauseMarker: String?

    func run(_ context: StageContext) throws -> StageOutcome {
        counter.bump(name)
        var hasher = XXHash64()
        hasher.update(Array(parameters.utf8))
        for input in inputs {
            guard let h = try ContentHash.of(input) else { throw AccfError.missingInput(input) }
            hasher.update(withUnsafeBytes(of: h, Array.init))
        }
        let digest = ContentHash.hex(hasher.digest)
        let checkpoint = FilePath.join(context.workdir, "ckpt-\(name)")
        var resumed = 0.0
        if !context.resumable { unlink(checkpoint) }
        if FilePath.exists(checkpoint), (try? FilePath.readAll(checkpoint)) == Array(digest.utf8) { resumed = 1 }
        if let pauseMarker, FilePath.exists(pauseMarker) {
            try AtomicFileWriter.write(Array(digest.utf8), to: checkpoint)
            // Half of an output, written the way a crash would leave it: beside, never in place.
            for output in outputs {
                try FilePath.createDirectories(FilePath.directory(of: output))
                try AtomicFileWriter.write([1, 2, 3], to: FilePath.directory(of: output) + "/.partial-\(name)")
            }
            try AtomicFileWriter.write([], to: pauseMarker + ".reached")
            while true { sleep(1) }
        }
        for output in outputs {
            let content = Array("\(name):\(digest)\n".utf8)
            if output.hasSuffix("/") || !FilePath.lastComponent(of: output).contains(".") {
                let staging = try AtomicDirectory.staging(for: output)
                try AtomicFileWriter.write(content, to: FilePath.join(staging, "part-0"))
                try AtomicDirectory.publish(staging: staging, to: output)
            } else {
                try FilePath.createDirectories(FilePath.directory(of: output))
                try AtomicFileWriter.write(content, to: output)
            }
        }
        return StageOutcome(counts: ["resumed": resumed, "resumable": context.resumable ? 1 : 0], metrics: name == "train" ? ["test_ndcg@20": 0.25] : [:])
    }
}

/// The four-stage shape of an accf pipeline over fake stages, in a fresh temporary folder.
final class FakePipeline {
    let root: String
    let workdir: String
    let raw: String
    let counter = RunCounter()
    var trainParameters = "{\"dim\":64,\"lr\":0.001}"
    var pauseMarker: String?

    init(_ label: String) throws {
        root = NSTemporaryDirectory() + "accf-pipeline-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        workdir = root + "/work"
        raw = root + "/raw.csv"
        try FilePath.createDirectories(root)
        try AtomicFileWriter.write(Array("u1,i1\nu2,i2\n".utf8), to: raw)
    }

    deinit { FilePath.removeTree(root) }

    var ingestOut: String { workdir + "/ingest" }
    var graphOut: String { workdir + "/graph/graph.accfgraph" }
    var trainOut: String { workdir + "/train" }
    var exportOut: String { workdir + "/export/recommendations.sqlite" }

    var stages: [PipelineStage] {
        [FakeStage(name: "ingest", inputs: [raw], parameters: "{\"kcore\":5}", outputs: [ingestOut], counter: counter),
         FakeStage(name: "graph", inputs: [ingestOut], parameters: "{}", outputs: [graphOut], counter: counter),
         FakeStage(name: "train", inputs: [ingestOut, graphOut], parameters: trainParameters, outputs: [trainOut],
                   counter: counter, pauseMarker: pauseMarker),
         FakeStage(name: "export", inputs: [trainOut, ingestOut], parameters: "{\"k\":20}", outputs: [exportOut], counter: counter)]
    }

    func runner() -> PipelineRunner {
        PipelineRunner(pipelineName: "fake", workdir: workdir, stages: stages,
                       logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                       prometheusPath: workdir + "/accf.prom")
    }

    func run(_ options: RunOptions = RunOptions()) throws -> RunSummary { try runner().run(options) }
}
