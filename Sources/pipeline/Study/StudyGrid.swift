import Core
import Foundation
import Train

/// A data variant of a study: the clean ingest, the cold-start one, or one noise level. Each is
/// ingested and graph-built once and shared by every cell that trains on it.
struct StudyDataVariant: Hashable, Sendable, Comparable {
    enum Kind: Hashable, Sendable { case clean, coldStart(Double), noise(Double) }
    var kind: Kind

    /// The folder name under `<workdir>/data/` and the stage-name suffix ("clean", "cold-0.6", "noise-0.05").
    var id: String {
        switch kind {
        case .clean: return "clean"
        case .coldStart(let f): return "cold-\(StudyGrid.number(f))"
        case .noise(let f): return "noise-\(StudyGrid.number(f))"
        }
    }

    private var order: (Int, Double) {
        switch kind {
        case .clean: return (0, 0)
        case .coldStart(let f): return (1, f)
        case .noise(let f): return (2, f)
        }
    }
    static func < (a: Self, b: Self) -> Bool { a.order < b.order }

    static let clean = StudyDataVariant(kind: .clean)
    /// Noise 0 is the clean data (the same bytes): share it.
    static func noise(_ f: Double) -> StudyDataVariant { f == 0 ? .clean : StudyDataVariant(kind: .noise(f)) }
}

/// One training of the study: a model with option overrides, on a data variant, with a seed.
/// Cells are identified by what they train, so the ablation's full ACCF, the sensitivity grid's
/// default point and the noise study's 0% are the very same cell as the main table's (trained once).
struct StudyCell: Hashable, Sendable {
    var data: StudyDataVariant
    var model: String
    /// Options on top of the model's `study.model_options` (ablation switches, sensitivity values), sorted by key.
    var overrides: [String: ModelOptionValue]
    var seed: UInt64

    /// "accf" or "accf@epsilon=0.05,lambda_cl=0.1": the variant folder name.
    var variantName: String {
        guard !overrides.isEmpty else { return model }
        return model + "@" + overrides.keys.sorted().map { "\($0)=\(overrides[$0]!.description)" }.joined(separator: ",")
    }

    /// Relative path under the workdir's `cells/` folder.
    var id: String { "\(data.id)/\(variantName)/s\(seed)" }

    /// Two cells are the same training when their ids are (the id spells out every override).
    static func == (a: StudyCell, b: StudyCell) -> Bool { a.id == b.id }
    func hash(into hasher: inout Hasher) { hasher.combine(id) }

    /// Stable order: data variant, model, overrides, seed.
    static func ordered(_ a: StudyCell, _ b: StudyCell) -> Bool {
        if a.data != b.data { return a.data < b.data }
        if a.variantName != b.variantName { return a.variantName < b.variantName }
        return a.seed < b.seed
    }
}

/// The study's grid, expanded: which cells each experiment reads, and the union of all cells
/// (deduplicated) that must be trained.
struct StudyGrid: Sendable {
    /// Ablation variants: the article's names and the ACCF switches that make them.
    static let ablationVariants: [(name: String, short: String, overrides: [String: ModelOptionValue])] = [
        ("ACCF", "ACCF", [:]),
        ("BPR+G+W (no adversarial view)", "BPR+G+W", ["adversarial_view": .bool(false)]),
        ("BPR+G+C (no instance weights)", "BPR+G+C", ["instance_weights": .bool(false)]),
        ("random noise instead of adversarial", "random Δ", ["perturbation": .string("random")]),
    ]

    let settings: StudySettings
    /// Cells per experiment, in report order.
    private(set) var main: [StudyCell] = []
    private(set) var coldStart: [StudyCell] = []
    private(set) var noise: [StudyCell] = []
    private(set) var ablation: [StudyCell] = []
    private(set) var sensitivity: [StudyCell] = []
    /// Every distinct cell, ordered so the main table fills first (a study cut short still reports it).
    private(set) var cells: [StudyCell] = []
    /// Every data variant used, clean first.
    private(set) var dataVariants: [StudyDataVariant] = []

    init(settings: StudySettings) {
        self.settings = settings
        let s = settings
        let allSeeds = s.seeds
        func seeds(_ n: Int) -> [UInt64] { Array(allSeeds.prefix(n)) }
        func models(_ list: [String]) -> [String] { list.isEmpty ? s.models : s.models.filter(list.contains) }
        if s.main.enabled {
            for seed in seeds(s.main.seedCount ?? allSeeds.count) {
                for m in s.models { main.append(StudyCell(data: .clean, model: m, overrides: [:], seed: seed)) }
            }
        }
        if s.coldStart.enabled {
            let variant = StudyDataVariant(kind: .coldStart(s.coldStart.trainFraction))
            for seed in seeds(s.coldStart.seedCount) {
                for m in models(s.coldStart.models) {
                    coldStart.append(StudyCell(data: variant, model: m, overrides: [:], seed: seed))
                }
            }
        }
        if s.noise.enabled {
            for f in s.noise.fractions.sorted() {
                for seed in seeds(s.noise.seedCount) {
                    for m in models(s.noise.models) { noise.append(StudyCell(data: .noise(f), model: m, overrides: [:], seed: seed)) }
                }
            }
        }
        if s.ablation.enabled {
            for seed in seeds(s.ablation.seedCount) {
                for v in Self.ablationVariants {
                    ablation.append(StudyCell(data: .clean, model: s.proposed, overrides: v.overrides, seed: seed))
                }
            }
        }
        if s.sensitivity.enabled {
            let defaults = ModelRegistry.model(named: s.proposed)?.optionDefaults ?? [:]
            let given = s.modelOptions[s.proposed]?.values ?? [:]
            func current(_ key: String) -> ModelOptionValue? { given[key] ?? defaults[key] }
            for seed in seeds(s.sensitivity.seedCount) {
                for e in s.sensitivity.epsilon {
                    for l in s.sensitivity.lambdaCL {
                        var o: [String: ModelOptionValue] = [:]
                        // A value equal to the study's own setting is no override: the main cell is reused.
                        if current("epsilon") != .number(e) { o["epsilon"] = .number(e) }
                        if current("lambda_cl") != .number(l) { o["lambda_cl"] = .number(l) }
                        sensitivity.append(StudyCell(data: .clean, model: s.proposed, overrides: o, seed: seed))
                    }
                }
            }
        }
        var seen = Set<StudyCell>()
        for cell in main + ablation + coldStart + noise + sensitivity where seen.insert(cell).inserted { cells.append(cell) }
        dataVariants = Array(Set(cells.map(\.data))).sorted()
    }

    /// The train config of a cell: `[train]` with its model, seed and options.
    static func trainConfig(for cell: StudyCell, base: TrainConfig, settings: StudySettings) -> TrainConfig {
        var config = base
        config.model = cell.model
        config.seed = cell.seed
        // Per-model options come from `[study.model_options.NAME]` only (`[train.model_options]` is refused).
        var options = settings.modelOptions[cell.model] ?? ModelOptions()
        for (k, v) in cell.overrides { options.values[k] = v }
        config.modelOptions = options
        return config
    }

    /// "0.05", "0.6", "1": a short decimal for folder names and labels.
    static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }
}
