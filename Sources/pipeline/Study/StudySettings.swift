import Core
import Train

/// The `[study]` section of a study manifest: where the study lives, which models and seeds it
/// compares, each model's own options, and which experiments run at what size.
///
/// Why a section of its own beside the ordinary `[ingest]`, `[graph]` and `[train]`: those three
/// describe one training exactly as `accf run` does (same config types, same unknown-key errors),
/// and the study only says how to vary them — data variant, model, options, seed. Every field has
/// a default; unknown keys are an error like everywhere in a manifest (docs/study.md lists them).
struct StudySettings: Decodable, Equatable, Sendable {
    /// Shown in logs and the report title. Default: the manifest's file name without `.toml`.
    var name = ""
    /// Data variants, cells, state, lock and log live here. Default: `runs/<name>`.
    var workdir = ""
    /// The report folder. Default: `<workdir>/report`.
    var reportDir = ""
    /// The models compared; the last one named `proposed` is the article's model.
    var models = ["bprmf", "lightgcn", "sgl", "simgcl", "xsimgcl", "accf"]
    /// Training seeds of the main comparison (mean ± std over them).
    var seeds: [UInt64] = [1, 2, 3]
    /// The model whose relative improvement over the best baseline is reported.
    var proposed = "accf"
    /// Per-model options (`[study.model_options.xsimgcl]`), replacing `[train.model_options]` for that model.
    var modelOptions: [String: ModelOptions] = [:]
    /// Models with `[study.train.<model>]` training overrides (the keys are read by `StudyDefinition`).
    var trainOverrideModels: [String] = []
    var main = MainExperiment()
    var coldStart = ColdStartExperiment()
    var noise = NoiseExperiment()
    var ablation = AblationExperiment()
    var sensitivity = SensitivityExperiment()
    var curves = CurvesExperiment()

    enum CodingKeys: String, CodingKey {
        case name, workdir, models, seeds, proposed, main, noise, ablation, sensitivity, curves, train
        case reportDir = "report_dir", modelOptions = "model_options", coldStart = "cold_start"
    }

    init() {}

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = StudySettings()
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? d.name
        workdir = try c.decodeIfPresent(String.self, forKey: .workdir) ?? d.workdir
        reportDir = try c.decodeIfPresent(String.self, forKey: .reportDir) ?? d.reportDir
        models = try c.decodeIfPresent([String].self, forKey: .models) ?? d.models
        seeds = try c.decodeIfPresent([UInt64].self, forKey: .seeds) ?? d.seeds
        proposed = try c.decodeIfPresent(String.self, forKey: .proposed) ?? d.proposed
        modelOptions = try c.decodeIfPresent([String: ModelOptions].self, forKey: .modelOptions) ?? d.modelOptions
        trainOverrideModels = try c.decodeIfPresent([String: OpaqueTable].self, forKey: .train)?.keys.sorted() ?? []
        main = try c.decodeIfPresent(MainExperiment.self, forKey: .main) ?? d.main
        coldStart = try c.decodeIfPresent(ColdStartExperiment.self, forKey: .coldStart) ?? d.coldStart
        noise = try c.decodeIfPresent(NoiseExperiment.self, forKey: .noise) ?? d.noise
        ablation = try c.decodeIfPresent(AblationExperiment.self, forKey: .ablation) ?? d.ablation
        sensitivity = try c.decodeIfPresent(SensitivityExperiment.self, forKey: .sensitivity) ?? d.sensitivity
        curves = try c.decodeIfPresent(CurvesExperiment.self, forKey: .curves) ?? d.curves
    }

    /// Throws a usage error naming the first bad key.
    func validate() throws {
        guard !models.isEmpty else { throw AccfError.usage("study.models is empty", hint: "list the models to compare") }
        for model in models where ModelRegistry.model(named: model) == nil {
            throw AccfError.usage("study.models: unknown model \(model.debugDescription)",
                                  hint: "choose from \(ModelRegistry.names.joined(separator: ", "))")
        }
        guard Set(models).count == models.count else { throw AccfError.usage("study.models lists a model twice") }
        for model in modelOptions.keys.sorted() where ModelRegistry.model(named: model) == nil {
            throw AccfError.usage("study.model_options.\(model): unknown model")
        }
        for model in trainOverrideModels where ModelRegistry.model(named: model) == nil {
            throw AccfError.usage("study.train.\(model): unknown model")
        }
        guard !seeds.isEmpty, Set(seeds).count == seeds.count else {
            throw AccfError.usage("study.seeds must list distinct seeds, got \(seeds)")
        }
        guard models.contains(proposed) else {
            throw AccfError.usage("study.proposed \(proposed.debugDescription) is not one of study.models")
        }
        func count(_ n: Int, _ key: String) throws {
            guard n >= 1 && n <= seeds.count else {
                throw AccfError.usage("study.\(key).seed_count must be in 1...\(seeds.count) (the number of study.seeds), got \(n)")
            }
        }
        func subset(_ list: [String], _ key: String) throws {
            for m in list where !models.contains(m) {
                throw AccfError.usage("study.\(key).models: \(m.debugDescription) is not one of study.models")
            }
        }
        try count(main.seedCount ?? seeds.count, "main")
        try count(coldStart.seedCount, "cold_start"); try subset(coldStart.models, "cold_start")
        guard coldStart.trainFraction > 0 && coldStart.trainFraction < 1 else {
            throw AccfError.usage("study.cold_start.train_fraction must be in (0, 1), got \(coldStart.trainFraction)")
        }
        try count(noise.seedCount, "noise"); try subset(noise.models, "noise")
        guard !noise.fractions.isEmpty, noise.fractions.allSatisfy({ $0 >= 0 && $0 < 1 }) else {
            throw AccfError.usage("study.noise.fractions must be in [0, 1), got \(noise.fractions)")
        }
        try count(ablation.seedCount, "ablation")
        try count(sensitivity.seedCount, "sensitivity")
        guard !sensitivity.epsilon.isEmpty, !sensitivity.lambdaCL.isEmpty,
              sensitivity.epsilon.allSatisfy({ $0 >= 0 }), sensitivity.lambdaCL.allSatisfy({ $0 >= 0 }) else {
            throw AccfError.usage("study.sensitivity.epsilon and lambda_cl must be non-empty lists of non-negative numbers")
        }
        if ablation.enabled || sensitivity.enabled, proposed != "accf" {
            throw AccfError.usage("study.ablation and study.sensitivity vary ACCF's options: set study.proposed = \"accf\" or disable them")
        }
    }
}

/// A table whose keys someone else checks (`[study.train.<model>]` is decoded as a `TrainConfig` overlay).
private struct OpaqueTable: Decodable {
    init(from decoder: Decoder) throws {}
}

/// Reads `enabled` and `seed_count` (how many of `study.seeds`, first ones first).
private struct ExperimentKeys: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private extension KeyedDecodingContainer where Key == ExperimentKeys {
    func value<T: Decodable>(_ key: String, _ fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: ExperimentKeys(key)) ?? fallback
    }
}

/// The article's Table 1: every model on clean data, every seed.
struct MainExperiment: Decodable, Equatable, Sendable {
    var enabled = true
    /// nil: all of `study.seeds`.
    var seedCount: Int?
    init() {}
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ExperimentKeys.self)
        enabled = try c.value("enabled", true)
        seedCount = try c.decodeIfPresent(Int.self, forKey: ExperimentKeys("seed_count"))
    }
}

/// Training on a fraction of each user's train history; sparse-user (< 10 test items) metrics vs all.
struct ColdStartExperiment: Decodable, Equatable, Sendable {
    var enabled = true
    var trainFraction = 0.6
    var seedCount = 1
    /// Empty: all of `study.models`.
    var models: [String] = []
    init() {}
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ExperimentKeys.self)
        enabled = try c.value("enabled", true)
        trainFraction = try c.value("train_fraction", 0.6)
        seedCount = try c.value("seed_count", 1)
        models = try c.value("models", [String]())
    }
}

/// Injected false-positive train interactions at several rates; NDCG@20 and its decline per model.
struct NoiseExperiment: Decodable, Equatable, Sendable {
    var enabled = true
    var fractions = [0.0, 0.05, 0.1, 0.15, 0.2]
    var seedCount = 1
    var models: [String] = []
    init() {}
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ExperimentKeys.self)
        enabled = try c.value("enabled", true)
        fractions = try c.value("fractions", [0.0, 0.05, 0.1, 0.15, 0.2])
        seedCount = try c.value("seed_count", 1)
        models = try c.value("models", [String]())
    }
}

/// ACCF against its three ablations (see `StudyGrid.ablationVariants`).
struct AblationExperiment: Decodable, Equatable, Sendable {
    var enabled = true
    var seedCount = 1
    init() {}
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ExperimentKeys.self)
        enabled = try c.value("enabled", true)
        seedCount = try c.value("seed_count", 1)
    }
}

/// ACCF's NDCG@20 over an ε × λ_cl grid.
struct SensitivityExperiment: Decodable, Equatable, Sendable {
    var enabled = true
    var epsilon = [0.05, 0.1, 0.2]
    var lambdaCL = [0.01, 0.05, 0.1]
    var seedCount = 1
    init() {}
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ExperimentKeys.self)
        enabled = try c.value("enabled", true)
        epsilon = try c.value("epsilon", [0.05, 0.1, 0.2])
        lambdaCL = try c.value("lambda_cl", [0.01, 0.05, 0.1])
        seedCount = try c.value("seed_count", 1)
    }
}

/// Valid NDCG@20 and loss per epoch of each main-table model (first seed); no extra training.
struct CurvesExperiment: Decodable, Equatable, Sendable {
    var enabled = true
    init() {}
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: ExperimentKeys.self)
        enabled = try c.value("enabled", true)
    }
}
