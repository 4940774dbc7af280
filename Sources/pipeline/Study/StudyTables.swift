import Foundation

/// The report's numbers, computed once from `StudyResults` and then rendered both as Markdown
/// tables and as `results.json`, so the two can never disagree.
///
/// Each table is rows × columns of `SeedStatistics` (mean ± std over seeds) plus derived columns
/// (the proposed model's relative improvement, a noise decline rate) kept as plain numbers.
struct StudyTables: Sendable {
    /// Metric columns of the main table, in the article's order.
    static let mainMetrics = ["precision@10", "recall@10", "map@10", "ndcg@10", "precision@20", "recall@20", "map@20", "ndcg@20"]
    static let coldMetrics = ["recall@20", "ndcg@20"]
    static let ablationMetrics = ["recall@20", "ndcg@10", "ndcg@20"]

    struct MainTable: Sendable {
        var models: [String]
        /// [metric][model]
        var values: [String: [String: SeedStatistics]]
        /// [metric] (proposed − best baseline) / best baseline, by mean; NaN when missing.
        var improvement: [String: Double]
        var bestBaseline: [String: String]
    }

    struct ColdStartTable: Sendable {
        var models: [String]
        var proposed: String
        var trainFraction: Double
        /// [model][metric] over all test users and over sparse users (< 10 test items).
        var all: [String: [String: SeedStatistics]]
        var sparse: [String: [String: SeedStatistics]]
        var allUsers: Int
        var sparseUsers: Int
    }

    struct NoiseTable: Sendable {
        var models: [String]
        var fractions: [Double]
        /// [model][fraction index] NDCG@20.
        var ndcg: [String: [SeedStatistics]]
        /// [model][fraction index] (N(0) − N(f)) / N(0), by mean.
        var decline: [String: [Double]]
    }

    struct AblationTable: Sendable {
        var variants: [String]
        /// [variant][metric]
        var values: [String: [String: SeedStatistics]]
    }

    struct SensitivityTable: Sendable {
        var epsilon: [Double]
        var lambdaCL: [Double]
        /// [ε index][λ index] NDCG@20.
        var ndcg: [[SeedStatistics]]
    }

    var main: MainTable?
    var coldStart: ColdStartTable?
    var noise: NoiseTable?
    var ablation: AblationTable?
    var sensitivity: SensitivityTable?

    init(grid: StudyGrid, results: StudyResults) {
        let s = grid.settings
        if !grid.main.isEmpty {
            var values: [String: [String: SeedStatistics]] = [:]
            var improvement: [String: Double] = [:], best: [String: String] = [:]
            for metric in Self.mainMetrics {
                for model in s.models {
                    values[metric, default: [:]][model] = results.statistics(grid.main.filter { $0.model == model }, metric: metric)
                }
                let baselines = s.models.filter { $0 != s.proposed }
                    .compactMap { m in values[metric]?[m].flatMap { $0.mean.isFinite ? (m, $0.mean) : nil } }
                if let top = baselines.max(by: { $0.1 < $1.1 }), let p = values[metric]?[s.proposed]?.mean {
                    improvement[metric] = (p - top.1) / top.1
                    best[metric] = top.0
                } else {
                    improvement[metric] = .nan
                }
            }
            main = MainTable(models: s.models, values: values, improvement: improvement, bestBaseline: best)
        }
        if !grid.coldStart.isEmpty {
            let models = s.models.filter { m in grid.coldStart.contains { $0.model == m } }
            var all: [String: [String: SeedStatistics]] = [:], sparse = all
            for model in models {
                let cells = grid.coldStart.filter { $0.model == model }
                for metric in Self.coldMetrics {
                    all[model, default: [:]][metric] = results.statistics(cells, metric: metric)
                    sparse[model, default: [:]][metric] = results.statistics(cells, metric: metric, sparse: true)
                }
            }
            let any = grid.coldStart.lazy.compactMap { results.cells[$0] }.first
            coldStart = ColdStartTable(models: models, proposed: s.proposed, trainFraction: s.coldStart.trainFraction, all: all, sparse: sparse,
                                       allUsers: any?.testUsers ?? 0, sparseUsers: any?.sparseTestUsers ?? 0)
        }
        if !grid.noise.isEmpty {
            let fractions = s.noise.fractions.sorted()
            let models = s.models.filter { m in grid.noise.contains { $0.model == m } }
            var ndcg: [String: [SeedStatistics]] = [:], decline: [String: [Double]] = [:]
            for model in models {
                ndcg[model] = fractions.map { f in
                    results.statistics(grid.noise.filter { $0.model == model && $0.data == .noise(f) }, metric: "ndcg@20")
                }
                let reference = ndcg[model]?.first?.mean ?? .nan
                decline[model] = ndcg[model]!.map { fractions.first == 0 ? (reference - $0.mean) / reference : .nan }
            }
            noise = NoiseTable(models: models, fractions: fractions, ndcg: ndcg, decline: decline)
        }
        if !grid.ablation.isEmpty {
            var values: [String: [String: SeedStatistics]] = [:]
            for v in StudyGrid.ablationVariants {
                let cells = grid.ablation.filter { $0.overrides == v.overrides }
                for metric in Self.ablationMetrics { values[v.name, default: [:]][metric] = results.statistics(cells, metric: metric) }
            }
            ablation = AblationTable(variants: StudyGrid.ablationVariants.map(\.name), values: values)
        }
        if !grid.sensitivity.isEmpty {
            let eps = s.sensitivity.epsilon, lams = s.sensitivity.lambdaCL
            let perPoint = eps.count * lams.count
            var ndcg: [[SeedStatistics]] = []
            for (i, _) in eps.enumerated() {
                ndcg.append(lams.indices.map { j in
                    // Cells are laid out seed-major, then ε, then λ_cl (see StudyGrid).
                    let cells = stride(from: i * lams.count + j, to: grid.sensitivity.count, by: perPoint).map { grid.sensitivity[$0] }
                    return results.statistics(cells, metric: "ndcg@20")
                })
            }
            sensitivity = SensitivityTable(epsilon: eps, lambdaCL: lams, ndcg: ndcg)
        }
    }

    // MARK: - Markdown

    static func cell(_ s: SeedStatistics?) -> String {
        guard let s, s.mean.isFinite else { return "–" }
        return s.count > 1 ? String(format: "%.4f ± %.4f", s.mean, s.std) : String(format: "%.4f", s.mean)
    }

    static func percent(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "–" }
        return String(format: "%+.2f%%", 100 * x)
    }

    static func row(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }
    static func rule(_ n: Int) -> String { "|" + String(repeating: "---|", count: n) }

    func mainMarkdown(proposed: String) -> [String] {
        guard let t = main else { return [] }
        var lines = [Self.row(["metric"] + t.models + ["improv. of \(proposed) over best baseline"]), Self.rule(t.models.count + 2)]
        for metric in Self.mainMetrics {
            let best = t.bestBaseline[metric].map { " (vs \($0))" } ?? ""
            lines.append(Self.row([metric] + t.models.map { Self.cell(t.values[metric]?[$0]) } + [Self.percent(t.improvement[metric]) + best]))
        }
        return lines
    }

    func coldStartMarkdown() -> [String] {
        guard let t = coldStart else { return [] }
        var header = ["model"]
        for m in Self.coldMetrics { header += ["\(m) all users", "\(m) sparse users"] }
        var lines = [Self.row(header), Self.rule(header.count)]
        for model in t.models {
            var cells = [model]
            for m in Self.coldMetrics { cells += [Self.cell(t.all[model]?[m]), Self.cell(t.sparse[model]?[m])] }
            lines.append(Self.row(cells))
        }
        if let proposed = t.models.last(where: { $0 == t.proposed }) {
            var cells = ["improv. of \(proposed) over best baseline"]
            for m in Self.coldMetrics {
                for table in [t.all, t.sparse] {
                    let p = table[proposed]?[m]?.mean ?? .nan
                    let best = t.models.filter { $0 != proposed }.compactMap { table[$0]?[m]?.mean }.filter(\.isFinite).max() ?? .nan
                    cells.append(Self.percent((p - best) / best))
                }
            }
            lines.append(Self.row(cells))
        }
        return lines
    }

    func noiseMarkdown() -> [String] {
        guard let t = noise else { return [] }
        let header = ["model"] + t.fractions.map { "N@20 at \(StudyGrid.number(100 * $0))%" } + ["change at \(StudyGrid.number(100 * (t.fractions.last ?? 0)))%"]
        var lines = [Self.row(header), Self.rule(header.count)]
        for model in t.models {
            lines.append(Self.row([model] + (t.ndcg[model] ?? []).map { Self.cell($0) } + [Self.percent(t.decline[model]?.last.map { -$0 })]))
        }
        return lines
    }

    func ablationMarkdown() -> [String] {
        guard let t = ablation else { return [] }
        var lines = [Self.row(["variant"] + Self.ablationMetrics), Self.rule(Self.ablationMetrics.count + 1)]
        for v in t.variants { lines.append(Self.row([v] + Self.ablationMetrics.map { Self.cell(t.values[v]?[$0]) })) }
        return lines
    }

    func sensitivityMarkdown() -> [String] {
        guard let t = sensitivity else { return [] }
        var lines = [Self.row(["ε \\ λ_cl"] + t.lambdaCL.map { StudyGrid.number($0) }), Self.rule(t.lambdaCL.count + 1)]
        for (i, e) in t.epsilon.enumerated() { lines.append(Self.row([StudyGrid.number(e)] + t.ndcg[i].map { Self.cell($0) })) }
        return lines
    }
}
