import ArgumentParser
import Core
import Ingest
import Logging

/// `accf synth`: a seeded raw interaction log with planted structure, in an ingest input format.
///
/// The demo pipeline and the tests that must always run use it instead of real data; benchmarks
/// use it at tens of millions of lines. Same flags and seed → byte-identical file.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate a seeded synthetic raw interaction log (demo and benchmark data).",
        discussion: """
        Users and items belong to latent clusters; users mostly pick items of their own cluster,
        weighted by a Zipf popularity; ratings follow that affinity; timestamps span the log.
        The output is compressed when its name ends in .gz or .zst, and appears only when complete.
        """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Output format: \(SyntheticFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: SyntheticFormat = .amazonJSON

    @Option(name: [.short, .long], help: "Output file (.gz or .zst to compress).")
    var output: String

    @Option(help: "Latent users.") var users = 1_000
    @Option(help: "Latent items.") var items = 500
    @Option(help: "Lines to write.") var interactions = 20_000
    @Option(help: "Latent clusters.") var clusters = 8
    @Option(help: "Probability of an in-cluster interaction.") var inClusterProbability = 0.8
    @Option(help: "Zipf exponent of item popularity.") var popularityExponent = 1.0
    @Option(help: "Fraction of malformed lines, in [0, 1).") var malformedFraction = 0.0
    @Option(help: "Mean words of review text per JSON line.") var reviewWords = 40
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Flag(name: .long, help: "Wait for another run of the same workdir instead of exiting 75.") var wait = false

    func run() throws {
        global.bootstrap()
        try runReportingErrors {
            var config = SyntheticConfig()
            config.format = format
            config.users = users
            config.items = items
            config.interactions = interactions
            config.clusters = clusters
            config.inClusterProbability = inClusterProbability
            config.popularityExponent = popularityExponent
            config.malformedFraction = malformedFraction
            config.reviewWords = reviewWords
            config.seed = seed
            let logger = Logger(label: "accf.synth")
            // In the pipeline layout the log is <workdir>/synth/raw.*: lock the workdir, so a
            // synth run alone cannot replace the log an `accf run` is reading (exit 75).
            let lock = try ManifestSection.lockWorkdir(FilePath.directory(of: FilePath.directory(of: output)),
                                                       outputDirectory: FilePath.directory(of: output), wait: wait)
            defer { lock.release() }
            let watch = Stopwatch()
            let generator = try SyntheticLogGenerator(config: config)
            let summary = try generator.write(to: output)
            let seconds = watch.seconds
            logger.info("synth done", metadata: [
                "event": "stage_done", "stage": "synth", "output": "\(output)",
                "lines": "\(summary.lines)", "malformed": "\(summary.malformedLines)",
                "in_cluster_share": "\(Double(summary.inClusterInteractions) / Double(max(1, summary.lines - summary.malformedLines)))",
                "bytes_uncompressed": "\(summary.bytes)",
                "seconds": "\(seconds)",
                "mb_per_s": "\(Double(summary.bytes) / 1e6 / max(seconds, 1e-9))",
            ])
        }
    }
}

extension SyntheticFormat: ExpressibleByArgument {}
