import ArgumentParser
import Core
import Foundation
import Graph
import Ingest

/// `accf bench graph`: build time, SpMM ms at 1 and 2 threads, effective GB/s, and scipy on the same matrix.
///
/// Why it reads the LightGCN split files itself: the benchmark must run on exactly the published
/// yelp2018 train split (69,716 nodes, 2,474,518 nonzeros), which ingest would re-split. scipy is
/// the reference a reader knows; the bench writes the CSR and X as raw arrays, runs a small
/// Python script against them, and checks that scipy's product agrees with ours.
struct BenchGraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Benchmark the graph build and the SpMM kernel (Â X, d columns) against scipy.sparse.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "A LightGCN split directory holding train.txt or train.txt.zst (lines: user item item ...).")
    var data = "../shared/data/lightgcn-yelp2018"

    @Option(help: "Columns of X.") var dim = 64
    @Option(help: "Timed repetitions per measurement (best and median are reported).") var repetitions = 30
    @Option(help: "LightGCN layers for the fused layer-mean measurement.") var layers = 3
    @Option(help: "Python with numpy and scipy, for the reference; empty to skip it.") var python = "python3"
    @Flag(help: "Time only the SpMM rows (in place and staged), e.g. with many repetitions on a busy machine.")
    var spmmOnly = false

    func run() throws {
        global.bootstrap()
        try runReportingErrors {
            guard dim > 0, repetitions > 0, layers >= 0 else { throw AccfError.usage("--dim and --repetitions must be positive, --layers ≥ 0") }
            let split = try LightGCNSplit.read(directory: data, file: "train")
            var table = BenchTable()
            table.note("data", "\(split.path): \(split.userCount) users, \(split.itemCount) items, \(split.train.count) train interactions")
            table.note("load", "\(load())")

            var builds: [Double] = []
            var graph: NormalizedGraph?
            for _ in 0..<3 {
                let watch = Stopwatch()
                graph = try GraphBuilder.build(userCount: split.userCount, itemCount: split.itemCount, train: split.train)
                builds.append(watch.seconds)
            }
            guard let g = graph else { throw AccfError.internalError("no graph built") }
            table.row("build (2 passes, O(nnz))", ms: builds, extra: "\(g.nodeCount) nodes, \(g.nonzeroCount) nnz")

            let dir = NSTemporaryDirectory() + "accf-bench-graph-\(getpid())"
            try FilePath.createDirectories(dir)
            defer { FilePath.removeTree(dir) }
            let path = dir + "/graph.accfgraph"
            var writes: [Double] = [], reads: [Double] = []
            for _ in 0..<3 {
                var watch = Stopwatch()
                try GraphFile.write(g, to: path)
                writes.append(watch.seconds)
                watch = Stopwatch()
                let mapped = try GraphFile.read(path: path)
                reads.append(watch.seconds)
                guard mapped.contentHash == g.contentHash else { throw AccfError.internalError("graph file round trip changed the graph") }
            }
            let fileBytes = FilePath.fileSize(path) ?? 0
            table.row("write graph file (fsync)", ms: writes, extra: "\(fileBytes) bytes")
            table.row("open graph file (mmap + verify)", ms: reads, extra: "checksum + structure checks")

            var rng = SeededGenerator(seed: 42)
            let x = (0..<g.nodeCount * dim).map { _ in rng.nextUnitFloat() * 2 - 1 }
            var y: [Float] = []
            // Bytes an SpMM must move at least: column index + value per nonzero, one gathered row
            // of X per nonzero, one written row of Y per node, the row pointers.
            let bytes = Double(g.nonzeroCount * (8 + 4 * dim) + g.nodeCount * (4 * dim + 8))
            var outputs: [[Float]] = []
            let inPlace = PropagationWorkspace(stagesInput: false), staging = PropagationWorkspace()
            for threads in [1, 2] {
                let plural = threads > 1 ? "s" : ""
                func gbs(_ t: Timing) -> String { String(format: "%.1f GB/s effective", bytes / (t.best * 1e9)) }
                let direct = measure { Propagation.multiply(g, x, dim: dim, into: &y, threads: threads, workspace: inPlace) }
                table.row("SpMM d=\(dim), \(threads) thread\(plural), X in place", direct, extra: gbs(direct))
                let staged = measure { Propagation.multiply(g, x, dim: dim, into: &y, threads: threads, workspace: staging) }
                table.row("SpMM d=\(dim), \(threads) thread\(plural), X staged (workspace)", staged, extra: gbs(staged) + ", copy included")
                outputs.append(y)
                if spmmOnly { continue }
                let fresh = measure { Propagation.multiply(g, x, dim: dim, into: &y, threads: threads) }
                table.row("SpMM d=\(dim), \(threads) thread\(plural), no workspace", fresh, extra: gbs(fresh) + ", allocation included")
            }
            let identical = outputs[0].withUnsafeBytes { a in outputs[1].withUnsafeBytes { b in a.elementsEqual(b) } }
            table.note("1 vs 2 threads", identical ? "identical bytes" : "DIFFERENT BYTES (bug)")

            let best2 = table.best("SpMM d=\(dim), 2 threads, X staged (workspace)")
            if spmmOnly {
                table.note("load after", "\(load())")
                print(table.render())
                return
            }
            var out: [Float] = []
            let fused = measure { Propagation.layerMean(g, x, dim: dim, layers: layers, into: &out, threads: 2, workspace: staging) }
            table.row("layer mean L=\(layers), 2 threads (fused, workspace)", fused,
                      extra: String(format: "%.2f× one SpMM", fused.best / best2))
            let unfused = measure {
                var current = x, next: [Float] = [], sum = x
                for _ in 0..<layers {
                    Propagation.multiply(g, current, dim: dim, into: &next, threads: 2, workspace: staging)
                    for k in sum.indices { sum[k] += next[k] }
                    swap(&current, &next)
                }
                for k in sum.indices { sum[k] /= Float(layers + 1) }
                out = sum
            }
            table.row("layer mean L=\(layers), 2 threads (L multiplies + adds)", unfused,
                      extra: String(format: "%.2f× one SpMM", unfused.best / best2))

            if !python.isEmpty {
                Propagation.multiply(g, x, dim: dim, into: &y, threads: 1)
                switch ScipyReference.run(python: python, graph: g, x: x, expected: y, dim: dim, repetitions: repetitions, directory: dir) {
                case .success(let result):
                    table.row("scipy.sparse csr @ dense (1 thread)", ms: result.seconds,
                              extra: String(format: "%.1f GB/s; max rel diff vs ours %.1e", bytes / (result.seconds.min()! * 1e9), result.maxRelativeDifference))
                    let ours1 = table.best("SpMM d=\(dim), 1 thread, X staged (workspace)"), ours2 = best2
                    table.note("speed-up vs scipy", String(format: "%.1f× (1 thread), %.1f× (2 threads); target ≥ 4× with 2 threads",
                                                           result.seconds.min()! / ours1, result.seconds.min()! / ours2))
                case .failure(let reason):
                    table.note("scipy", "skipped: \(reason)")
                }
            }
            table.note("peak memory", "\(ResourceUsage.peakResidentBytes() / (1 << 20)) MiB resident")
            table.note("load after", "\(load())")
            print(table.render())
        }
    }

    /// Two warm-up runs, then `repetitions` timed runs: wall and process CPU seconds.
    private func measure(_ body: () -> Void) -> Timing {
        body()
        body()
        var timing = Timing()
        for _ in 0..<repetitions {
            let cpu = Self.processCPUSeconds()
            let watch = Stopwatch()
            body()
            timing.wall.append(watch.seconds)
            timing.cpu.append(Self.processCPUSeconds() - cpu)
        }
        return timing
    }

    private static func processCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    private func load() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))
            .map { "loadavg " + $0.split(separator: " ").prefix(3).joined(separator: " ") } ?? "loadavg unknown"
    }
}

/// Wall-clock and process-CPU seconds of each timed repetition.
private struct Timing {
    var wall: [Double] = []
    var cpu: [Double] = []
    /// The fastest repetition's wall seconds.
    var best: Double { wall.min() ?? .nan }
}

/// The rows the benchmark prints: best and median wall milliseconds, the CPU milliseconds of the
/// fastest repetition (all threads; ≈ threads × wall when the cores were not shared), and a note.
private struct BenchTable {
    private var rows: [(label: String, best: Double, median: Double, cpu: Double?, extra: String)] = []
    private var notes: [(String, String)] = []

    mutating func row(_ label: String, ms seconds: [Double], extra: String = "") {
        let sorted = seconds.sorted()
        rows.append((label, sorted[0] * 1e3, sorted[sorted.count / 2] * 1e3, nil, extra))
    }

    mutating func row(_ label: String, _ t: Timing, extra: String = "") {
        let sorted = t.wall.sorted()
        let fastest = t.wall.firstIndex(of: sorted[0]) ?? 0
        rows.append((label, sorted[0] * 1e3, sorted[sorted.count / 2] * 1e3, t.cpu[fastest] * 1e3, extra))
    }

    mutating func note(_ key: String, _ value: String) { notes.append((key, value)) }

    /// Best time of a row, in seconds.
    func best(_ label: String) -> Double { (rows.first { $0.label == label }?.best ?? .nan) / 1e3 }

    func render() -> String {
        let width = max(40, rows.map(\.label.count).max() ?? 0)
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        func lpad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        var lines = [pad("measurement", width) + lpad("best ms", 10) + lpad("median ms", 11) + lpad("cpu ms", 9) + "  notes"]
        lines.append(String(repeating: "-", count: width + 30 + 30))
        for r in rows {
            lines.append(pad(r.label, width) + lpad(String(format: "%.2f", r.best), 10)
                         + lpad(String(format: "%.2f", r.median), 11)
                         + lpad(r.cpu.map { String(format: "%.2f", $0) } ?? "", 9) + "  " + r.extra)
        }
        lines.append("")
        for (k, v) in notes { lines.append("\(k): \(v)") }
        return lines.joined(separator: "\n")
    }
}

/// A LightGCN-format split file (`user item item ...` per line, ids from 0), plain or zstd.
private struct LightGCNSplit {
    var path: String
    var userCount: Int
    var itemCount: Int
    var train: InteractionColumns

    static func read(directory: String, file: String) throws -> LightGCNSplit {
        let plain = FilePath.join(directory, "\(file).txt")
        let compressed = plain + ".zst"
        let path: String
        let text: [UInt8]
        if FilePath.exists(compressed) {
            path = compressed
            let raw = try FilePath.readAll(path)
            text = try raw.withUnsafeBytes { try Zstd.decompress($0, expectedSize: try frameContentSize($0, path), file: path) }
        } else if FilePath.exists(plain) {
            path = plain
            text = try FilePath.readAll(path)
        } else {
            throw AccfError.missingInput(compressed, hint: "pass --data with a LightGCN split directory (train.txt or train.txt.zst)")
        }
        var users: [UInt32] = [], items: [UInt32] = []
        var maxUser = -1, maxItem = -1
        var line = 1, field = 0, value = 0, inNumber = false, user = 0
        func finishNumber() {
            guard inNumber else { return }
            if field == 0 {
                user = value
                maxUser = max(maxUser, value)
            } else {
                users.append(UInt32(user))
                items.append(UInt32(value))
                maxItem = max(maxItem, value)
            }
            field += 1
            value = 0
            inNumber = false
        }
        for byte in text {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                if value > Int(UInt32.max) { throw AccfError.badData(path, line: line, "id too large") }
                inNumber = true
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                finishNumber()
            case UInt8(ascii: "\n"):
                finishNumber()
                line += 1
                field = 0
            default:
                throw AccfError.badData(path, line: line, "unexpected byte \(byte)", hint: "expected lines of `user item item ...`")
            }
        }
        finishNumber()
        return LightGCNSplit(path: path, userCount: maxUser + 1, itemCount: maxItem + 1,
                             train: InteractionColumns(users: users, items: items))
    }

    /// The decompressed size a zstd frame header declares (RFC 8878 §3.1.1.1).
    private static func frameContentSize(_ b: UnsafeRawBufferPointer, _ path: String) throws -> Int {
        guard b.count >= 6, b.loadUnaligned(as: UInt32.self) == UInt32(0xFD2F_B528).littleEndian else {
            throw AccfError.corrupt(path, "not a zstd frame")
        }
        let descriptor = b[4]
        let singleSegment = descriptor & 0x20 != 0
        var offset = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][Int(descriptor & 3)]
        let size = [singleSegment ? 1 : 0, 2, 4, 8][Int(descriptor >> 6)]
        guard size > 0, b.count >= offset + size else { throw AccfError.corrupt(path, "zstd frame does not declare its size") }
        var value = 0
        for k in (0..<size).reversed() { value = value << 8 | Int(b[offset + k]) }
        offset += size
        return size == 2 ? value + 256 : value
    }
}

/// Runs `scipy.sparse` `csr @ dense` on the same arrays and checks its answer against ours.
private enum ScipyReference {
    struct Result {
        var seconds: [Double]
        var maxRelativeDifference: Double
    }

    static let script = """
    import json, sys, time
    import numpy as np, scipy.sparse as sp
    d, n, dim, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    rp = np.fromfile(d + "/rowptr.bin", dtype="<i8").astype(np.int32)
    cols = np.fromfile(d + "/cols.bin", dtype="<u4").astype(np.int32)
    vals = np.fromfile(d + "/vals.bin", dtype="<f4")
    x = np.ascontiguousarray(np.fromfile(d + "/x.bin", dtype="<f4").reshape(n, dim))
    ours = np.fromfile(d + "/y.bin", dtype="<f4").reshape(n, dim)
    a = sp.csr_matrix((vals, cols, rp), shape=(n, n))
    y = a @ x
    y = a @ x
    times = []
    for _ in range(reps):
        t = time.perf_counter(); y = a @ x; times.append(time.perf_counter() - t)
    diff = float(np.max(np.abs(y - ours)) / max(np.max(np.abs(y)), 1e-30))
    print(json.dumps({"seconds": times, "max_rel": diff, "scipy": __import__("scipy").__version__}))
    """

    static func run(python: String, graph g: NormalizedGraph, x: [Float], expected: [Float], dim: Int,
                    repetitions: Int, directory: String) -> Swift.Result<Result, ScipyError> {
        do {
            func save<T>(_ array: [T], _ name: String) throws {
                try array.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: directory + "/" + name)) }
            }
            try save(Array(g.rowPointers), "rowptr.bin")
            try save(Array(g.columns), "cols.bin")
            try save(Array(g.values), "vals.bin")
            try save(x, "x.bin")
            try save(expected, "y.bin")
            try Data(script.utf8).write(to: URL(fileURLWithPath: directory + "/bench_scipy_spmm.py"))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [python, directory + "/bench_scipy_spmm.py", directory, "\(g.nodeCount)", "\(dim)", "\(repetitions)"]
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0,
                  let json = try JSONSerialization.jsonObject(with: stdout) as? [String: Any],
                  let seconds = json["seconds"] as? [Double], !seconds.isEmpty, let rel = json["max_rel"] as? Double else {
                let message = String(decoding: stderr, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "no output"
                return .failure(ScipyError(reason: "\(python) failed (\(process.terminationStatus)): \(message)"))
            }
            return .success(Result(seconds: seconds, maxRelativeDifference: rel))
        } catch {
            return .failure(ScipyError(reason: "\(error)"))
        }
    }
}

private struct ScipyError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
