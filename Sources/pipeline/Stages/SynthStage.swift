import Core
import Ingest

/// The `[synth]` section: `SyntheticConfig`'s keys plus where the raw log goes.
///
/// Synthetic data is a stage (not a pre-step) so the demo is one command and the generated log
/// gets the same content-hash bookkeeping as a real raw log: changing `seed` re-runs everything
/// downstream, re-running with the same settings re-runs nothing.
struct SynthSection: Decodable, Sendable {
    /// The raw log to write (compressed by extension). Default: `<workdir>/synth/raw.<ext>.zst`.
    var output = ""
    var config = SyntheticConfig()

    enum CodingKeys: String, CodingKey { case output }

    init() {}

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        output = try c.decodeIfPresent(String.self, forKey: .output) ?? output
        config = try SyntheticConfig(from: decoder)
    }

    /// The default file name for a format (the ingest stage sniffs content, the extension tells compression).
    static func defaultFileName(_ format: SyntheticFormat) -> String {
        switch format {
        case .amazonJSON, .yelpJSON: return "raw.jsonl.zst"
        case .csv: return "raw.csv.zst"
        case .movielens: return "raw.tsv.zst"
        }
    }
}

/// Runs `SyntheticLogGenerator` as a pipeline stage.
struct SynthStage: PipelineStage {
    let config: SyntheticConfig
    let output: String

    var name: String { "synth" }
    var inputs: [String] { [] }
    var parameters: String { CanonicalParameters.of(config) }
    var outputs: [String] { [output] }

    func run(_ context: StageContext) throws -> StageOutcome {
        try FilePath.createDirectories(FilePath.directory(of: output))
        let summary = try SyntheticLogGenerator(config: config).write(to: output)
        return StageOutcome(counts: ["lines": Double(summary.lines), "malformed": Double(summary.malformedLines),
                                    "bytes": Double(summary.bytes)])
    }
}
