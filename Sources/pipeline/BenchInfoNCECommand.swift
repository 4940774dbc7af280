import ArgumentParser
import Core
import Foundation
import Train

/// `accf bench infonce`: one in-batch InfoNCE (loss and both gradients) on random views, per
/// phase, best of many repetitions.
///
/// Why a benchmark of its own: InfoNCE is a fifth of an ACCF or XSimGCL step on yelp2018, and
/// `bench train` times it inside whole epochs, where a shared host's noise (±10% between runs of
/// the same binary) hides the changes a kernel needs measured. The best of many short, identical
/// calls is stable. m = 1,900 is about the distinct users (or items) of a 2,048-triplet yelp2018 batch.
struct BenchInfoNCECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infonce",
        abstract: "Benchmark one in-batch InfoNCE (loss and gradients) per phase: best ms and GFLOP/s.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Rows in the batch (distinct users or items).") var rows = 1_900
    @Option(help: "Embedding size.") var dim = 64
    @Option(help: "Thread counts, comma-separated.") var threads = "1,2"
    @Option(help: "Timed repetitions per thread count (the best is reported).") var repetitions = 40

    func run() throws {
        global.bootstrap()
        try runReportingErrors {
            let threadCounts = threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard rows > 0, dim > 0, repetitions > 0, !threadCounts.isEmpty, threadCounts.allSatisfy({ $0 > 0 }) else {
                throw AccfError.usage("--rows, --dim, --repetitions and every --threads entry must be positive")
            }
            var rng = SeededGenerator(seed: 7)
            let nodes = rows * 2
            let view1 = (0..<nodes * dim).map { _ in Float.random(in: -1...1, using: &rng) }
            let view2 = view1.map { $0 + Float.random(in: -0.1...0.1, using: &rng) }
            let batch = (0..<rows).map { $0 * 2 }
            // Three m × m × d products (S, G b, Gᵀ a), two flops per multiply-add.
            let gflop = 6 * Double(rows) * Double(rows) * Double(dim) / 1e9
            print("InfoNCE, m = \(rows), d = \(dim): \(String(format: "%.2f", gflop)) GFLOP per call; best of \(repetitions)")
            print("threads  phase                          best ms   GFLOP/s")
            for t in threadCounts {
                let workspace = InfoNCEWorkspace()
                var best: [String: Double] = [:], order: [String] = []
                var g1 = [Float](repeating: 0, count: view1.count), g2 = g1
                for _ in 0..<(repetitions + 2) {  // two warm-up calls fault the workspace in
                    let profile = PhaseProfile()
                    let watch = Stopwatch()
                    _ = InfoNCE.lossAndGradient(view1: view1, view2: view2, dim: dim, rows: batch, temperature: 0.2, scale: 1,
                                                gradient1: &g1, gradient2: &g2, threads: t, workspace: workspace, profile: profile)
                    profile.add("total", watch.seconds)
                    for name in profile.order {
                        if best[name] == nil { order.append(name) }
                        best[name] = min(best[name] ?? .infinity, profile.seconds[name] ?? .infinity)
                    }
                }
                for name in order {
                    let ms = (best[name] ?? .nan) * 1e3
                    let rate = name == "total" ? String(format: "%9.1f", gflop / (ms / 1e3)) : ""
                    let label = name.replacingOccurrences(of: "infonce: ", with: "")
                    print(String(format: "%7d  ", t) + label.padding(toLength: 30, withPad: " ", startingAt: 0)
                          + String(format: "%8.3f", ms) + " " + rate)
                }
            }
        }
    }
}
