import Core
import Foundation
import Ingest
import Logging
@testable import pipeline

/// A tiny synthetic study: a seeded MovieLens-style log and a study manifest over it, sized so
/// a whole grid trains in seconds in a debug build.
enum StudyFixture {
    /// A fresh temporary folder holding `raw.tsv.zst`.
    static func folder() throws -> String {
        let root = NSTemporaryDirectory() + "accf-study-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FilePath.createDirectories(root)
        var config = SyntheticConfig()
        config.format = .movielens
        config.users = 60
        config.items = 40
        config.interactions = 1500
        config.clusters = 3
        config.seed = 5
        _ = try SyntheticLogGenerator(config: config).write(to: FilePath.join(root, "raw.tsv.zst"))
        return root
    }

    /// `[study]` tables that switch off every experiment but the main table.
    static let mainTableOnly = """
        [study.cold_start]
        enabled = false
        [study.noise]
        enabled = false
        [study.ablation]
        enabled = false
        [study.sensitivity]
        enabled = false
        """

    /// The manifest text; `study` replaces the `[study]` body.
    static func manifestText(study: String, extra: String = "") -> String {
        """
        [study]
        \(study)

        [ingest]
        format = "movielens"
        inputs = ["raw.tsv.zst"]
        split = "random"
        split_ratios = [0.6, 0.2, 0.2]
        user_core = 3
        seed = 1

        [graph]

        [train]
        dim = 8
        layers = 1
        batch_size = 256
        lr = 0.01
        max_epochs = 2
        min_epochs = 2
        threads = 1
        checkpoint_every_steps = 1
        \(extra)
        """
    }

    static func write(_ text: String, in root: String, name: String = "study.toml") throws -> String {
        let path = FilePath.join(root, name)
        try AtomicFileWriter.write(Array(text.utf8), to: path)
        return path
    }

    static func definition(_ text: String, in root: String) throws -> StudyDefinition {
        try StudyDefinition.load(path: try write(text, in: root))
    }

    static var logger: Logger {
        var l = Logger(label: "test.study")
        l.logLevel = .error
        return l
    }
}
