import ArgumentParser
import Core
import Foundation
import Ingest

/// `accf bench ingest`: parse and full-stage throughput per format on synthetic logs, with
/// Python's `json.loads` on the same JSON lines as the reference.
///
/// Inputs are generated here (seeded, vendor-shaped: Yelp lines carry review text with escapes
/// and non-ASCII, Amazon lines nested `style` objects), so the benchmark needs nothing but disk.
/// Numbers on a shared machine are noisy: the table prints the load average and the best of
/// `--repetitions` runs.
struct BenchIngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest", abstract: "Ingest throughput per format (MB/s, interactions/s).")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Synthetic input size per format in MB.") var sizeMb = 1024
    @Option(name: .long, help: "Directory for the synthetic inputs (default: a temp directory, removed after).") var workDir: String?
    @Option(name: .long, help: "Comma-separated formats (default all).") var formats = "yelp-json,amazon-json,movielens,csv,lightgcn"
    @Option(name: .long, help: "Runs per measurement; the best is printed.") var repetitions = 2
    @Flag(name: .long, help: "Also measure .zst and .gz inputs of the JSON formats (needs the zstd and gzip tools).") var compressed = false
    @Flag(name: .long, help: "Skip the python3 json.loads reference.") var noPython = false
    @Flag(name: .long, help: "Skip the full-stage (filter, split, write) measurement.") var parseOnly = false

    func run() throws {
        global.bootstrap()
        try runReportingErrors {
            let dir = workDir ?? NSTemporaryDirectory() + "accf-bench-ingest-\(getpid())"
            try FilePath.createDirectories(dir)
            defer { if workDir == nil { FilePath.removeTree(dir) } }
            let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
            emit("accf bench ingest: \(sizeMb) MB per format, best of \(repetitions), load average \(load), \(System.activeProcessorCount) cores")
            emit(pad("input", 28) + pad("MB", 8) + pad("parse MB/s", 12) + pad("parse inter/s", 15) + pad("stage MB/s", 12) + pad("stage inter/s", 15) + "python MB/s  ratio")
            for name in formats.split(separator: ",").map(String.init) {
                guard let format = InputFormat(rawValue: name) else { throw AccfError.usage("--formats: unknown format \(name)") }
                let plain = FilePath.join(dir, "bench.\(name)")
                if !FilePath.exists(plain) { try SyntheticBenchLog.write(format: format, path: plain, bytes: sizeMb << 20) }
                var variants = [plain]
                if compressed && (format == .yelpJSON || format == .amazonJSON) {
                    for (tool, ext) in [("zstd -q -3 -T2 -f", ".zst"), ("gzip -1 -f -k", ".gz")] where !FilePath.exists(plain + ext) {
                        try shell(ext == ".zst" ? "\(tool) '\(plain)' -o '\(plain)\(ext)'" : "\(tool) '\(plain)'")
                    }
                    variants += [plain + ".zst", plain + ".gz"]
                }
                for path in variants {
                    var config = IngestConfig()
                    config.format = format
                    config.inputs = format == .lightgcn ? [path] : [path]
                    if format == .lightgcn { config.split = .random }
                    if format == .csv {
                        config.userColumn = .name("Member_number"); config.itemColumn = .name("itemDescription")
                        config.timestampColumn = .name("Date"); config.timestampFormat = try DateFormat(name: "%d-%m-%Y")
                    }
                    var parseBest = Double.infinity, stageBest = Double.infinity
                    var result = IngestBenchmark.ParseResult(bytes: 0, lines: 0, interactions: 0, malformed: 0)
                    for _ in 0..<repetitions {
                        let w = Stopwatch()
                        result = try IngestBenchmark.parse(config: config)
                        parseBest = min(parseBest, w.seconds)
                        if !parseOnly {
                            let s = Stopwatch()
                            try IngestStage.run(config: config, output: FilePath.join(dir, "out"))
                            stageBest = min(stageBest, s.seconds)
                        }
                    }
                    let mb = Double(result.bytes) / 1_048_576
                    var line = pad(FilePath.lastComponent(of: path), 28) + pad(f(mb, 0), 8) + pad(f(mb / parseBest, 0), 12)
                        + pad(f(Double(result.interactions) / parseBest / 1e6, 2) + "M", 15)
                    line += parseOnly ? pad("-", 12) + pad("-", 15)
                        : pad(f(mb / stageBest, 0), 12) + pad(f(Double(result.interactions) / stageBest / 1e6, 2) + "M", 15)
                    if !noPython && path == plain && (format == .yelpJSON || format == .amazonJSON) {
                        let py = try pythonSeconds(path: path, format: format)
                        line += pad(f(mb / py, 0), 13) + f(py / parseBest, 1) + "×"
                    }
                    emit(line)
                }
            }
            emit("peak RSS of this process: \(ResourceUsage.peakResidentBytes() >> 20) MB")
        }
    }

    /// Best wall time of python3 reading the file line by line with json.loads and taking the four fields.
    private func pythonSeconds(path: String, format: InputFormat) throws -> Double {
        let fields = format == .yelpJSON ? "d['user_id'], d['business_id'], d['stars'], d['date']"
            : "d['reviewerID'], d['asin'], d['overall'], d['unixReviewTime']"
        let script = "import json,sys\nn=0\nfor line in open(sys.argv[1],'rb'):\n    d=json.loads(line); r=(\(fields)); n+=1\nprint(n)\n"
        var best = Double.infinity
        for _ in 0..<repetitions {
            let w = Stopwatch()
            try shell("python3 -c \"$ACCF_PY\" '\(path)' > /dev/null", env: ["ACCF_PY": script])
            best = min(best, w.seconds)
        }
        return best
    }

    private func shell(_ command: String, env: [String: String] = [:]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw AccfError(.software, "bench: `\(command)` failed with status \(p.terminationStatus)") }
    }

    /// One table row, written at once (unbuffered) so a long run shows progress even into a file.
    private func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    private func f(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
}

/// Seeded vendor-shaped raw logs for `accf bench ingest` (benchmark input only; the planted-
/// structure generator for experiments is `accf synth`).
enum SyntheticBenchLog {
    private static let words = ["the", "food", "was", "great", "service", "slow", "café", "naïve", "and", "we", "loved",
                                "it", "\\\"amazing\\\"", "price", "😀", "would", "come", "back", "line\\nbreak", "{not", "json}",
                                "[really]", "staff", "friendly", "menu", "small", "tab\\there", "back\\\\slash", "ordered", "pizza"]

    static func write(format: InputFormat, path: String, bytes target: Int) throws {
        guard let out = FileHandle(forWritingAtPath: path) ?? {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() else { throw AccfError.cannotCreate(path, "cannot open for writing") }
        defer { try? out.close() }
        var rng = SeededGenerator(seed: 7)
        let users = 200_000, items = 50_000
        var buf = [UInt8]()
        buf.reserveCapacity(1 << 22)
        var written = 0
        var line = 0
        if format == .csv { buf += Array("Member_number,Date,itemDescription\r\n".utf8) }
        while written + buf.count < target {
            line += 1
            let u = rng.nextInt(below: users), i = rng.nextInt(below: items)
            let stars = 1 + rng.nextInt(below: 5)
            let t = 1_100_000_000 + rng.nextInt(below: 400_000_000)
            switch format {
            case .yelpJSON:
                buf += Array("{\"review_id\":\"\(id(line, 22))\",\"user_id\":\"\(id(u, 22))\",\"business_id\":\"\(id(i + 7_000_000, 22))\",\"stars\":\(stars).0,\"useful\":\(rng.nextInt(below: 9)),\"funny\":0,\"cool\":1,\"text\":\"".utf8)
                text(&buf, &rng)
                buf += Array("\",\"date\":\"\(date(t))\"}\n".utf8)
            case .amazonJSON:
                buf += Array("{\"overall\": \(stars).0, \"verified\": true, \"reviewTime\": \"09 1, 2016\", \"reviewerID\": \"A\(id(u, 13))\", \"asin\": \"B\(id(i, 9))\", \"style\": {\"Size:\": \" 7.0 oz\", \"Flavor:\": \" Classic [Ice] {Blue}\"}, \"reviewerName\": \"Shelly F\", \"reviewText\": \"".utf8)
                text(&buf, &rng)
                buf += Array("\", \"summary\": \"Five Stars\", \"unixReviewTime\": \(t)}\n".utf8)
            case .movielens:
                buf += Array("\(u)\t\(i)\t\(stars)\t\(t)\n".utf8)
            case .csv:
                let d = date(t)
                let parts = d.prefix(10).split(separator: "-")
                buf += Array("\(u),\(parts[2])-\(parts[1])-\(parts[0]),item number \(i)\r\n".utf8)
            case .lightgcn:
                buf += Array("\(line - 1)".utf8)
                for _ in 0..<(5 + rng.nextInt(below: 60)) { buf += Array(" \(rng.nextInt(below: items))".utf8) }
                buf.append(0x0A)
            }
            if buf.count >= 1 << 22 {
                out.write(Data(buf))
                written += buf.count
                buf.removeAll(keepingCapacity: true)
            }
        }
        out.write(Data(buf))
    }

    private static func text(_ buf: inout [UInt8], _ rng: inout SeededGenerator) {
        for k in 0..<(20 + rng.nextInt(below: 150)) {
            if k > 0 { buf.append(0x20) }
            buf += Array(words[rng.nextInt(below: words.count)].utf8)
        }
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// A fixed-width base-64 id derived from a number, like Yelp's and Amazon's ids.
    private static func id(_ n: Int, _ width: Int) -> String {
        var x = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        var s = [UInt8]()
        for _ in 0..<width { s.append(alphabet[Int(x & 63)]); x = (x >> 6) | (x << 58) }
        return String(decoding: s, as: UTF8.self)
    }

    private static func date(_ t: Int) -> String {
        Timestamp.iso8601(seconds: t).prefix(19).replacingOccurrences(of: "T", with: " ")
    }
}
