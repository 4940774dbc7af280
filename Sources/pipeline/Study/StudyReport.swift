import Core
import Foundation

/// Writes a study's report folder: `report.md` (tables and SVG charts linked relatively, so it
/// reads on a code forge), the charts, and the raw numbers as `results.csv` and `results.json`.
///
/// The folder is built in a staging directory and published whole (`AtomicDirectory`): a reader
/// never sees a report whose tables and charts come from different runs.
enum StudyReport {
    /// Chart file names (relative to the report folder).
    enum Chart {
        static let curvesNDCG = "curves-valid-ndcg20.svg"
        static let curvesLoss = "curves-loss.svg"
        static let noise = "noise-ndcg20.svg"
        static let noiseDecline = "noise-decline.svg"
        static let ablation = "ablation.svg"
        static let sensitivity = "sensitivity.svg"
    }

    /// Builds every file in memory: name → contents.
    static func files(definition: StudyDefinition, results: StudyResults, elapsed: Double? = nil) -> [(String, String)] {
        let grid = definition.grid, s = definition.settings
        let tables = StudyTables(grid: grid, results: results)
        var files: [(String, String)] = []
        var md: [String] = ["# Study \(s.name)", ""]
        let finished = grid.cells.filter { results.cells[$0] != nil }.count
        md.append("\(finished) of \(grid.cells.count) training cells finished"
                  + (finished < grid.cells.count ? " (the study is incomplete: run it again to continue)" : "") + ". "
                  + "Data: \(definition.ingest.inputs.map { FilePath.lastComponent(of: $0) }.joined(separator: ", ")); "
                  + "variants \(grid.dataVariants.map(\.id).joined(separator: ", ")). "
                  + "Train: d \(definition.train.dim), L \(definition.train.layers), batch \(definition.train.batchSize), lr \(definition.train.lr), "
                  + "reg \(definition.train.reg), epochs \(definition.train.minEpochs)–\(definition.train.maxEpochs), patience \(definition.train.patience) "
                  + "evaluations on valid \(definition.train.metric); test metrics of the best-valid checkpoint; mean ± std over seeds.")
        if let elapsed { md.append(""); md.append(String(format: "Wall time of the last `accf study`: %.0f s.", elapsed)) }
        let options = s.modelOptions.keys.sorted().map { m in
            "\(m): " + (s.modelOptions[m]!.values.keys.sorted().map { "\($0) \(s.modelOptions[m]!.values[$0]!)" }.joined(separator: ", "))
        }
        if !options.isEmpty { md += ["", "Model options: " + options.joined(separator: "; ") + "."] }
        let overrides = definition.trainOverrides.keys.sorted().map { "\($0): " + definition.trainOverrides[$0]!.joined(separator: ", ") }
        if !overrides.isEmpty { md += ["", "Per-model training (overriding [train]): " + overrides.joined(separator: "; ") + "."] }

        if tables.main != nil {
            md += ["", "## Main comparison (test, clean data, seeds \(grid.main.map(\.seed).uniqued().map(String.init).joined(separator: ", ")))", ""]
            md += tables.mainMarkdown(proposed: s.proposed)
        }
        if let t = tables.coldStart {
            md += ["", "## Cold start (\(StudyGrid.number(100 * t.trainFraction))% of each user's train history)", "",
                   "Sparse users: fewer than 10 test interactions (\(t.sparseUsers) of \(t.allUsers) test users).", ""]
            md += tables.coldStartMarkdown()
        }
        if let t = tables.noise {
            md += ["", "## Noise robustness (injected false-positive train interactions)", ""]
            md += tables.noiseMarkdown()
            let ndcgChart = LineChart(title: "Test NDCG@20 vs injected noise", xLabel: "noise (% of train interactions)", yLabel: "NDCG@20",
                                      series: t.models.map { m in
                                          LineChart.Series(name: m, points: zip(t.fractions, t.ndcg[m] ?? []).map { (100 * $0, $1.mean) }, colour: s.models.firstIndex(of: m))
                                      })
            let declineChart = LineChart(title: "Decline of NDCG@20 vs the clean data", xLabel: "noise (% of train interactions)",
                                         yLabel: "decline (%)",
                                         series: t.models.map { m in
                                             LineChart.Series(name: m, points: zip(t.fractions, t.decline[m] ?? []).map { (100 * $0, 100 * $1) }, colour: s.models.firstIndex(of: m))
                                         })
            files.append((Chart.noise, ndcgChart.svg()))
            files.append((Chart.noiseDecline, declineChart.svg()))
            md += ["", "![NDCG@20 vs noise](\(Chart.noise))", "", "![decline vs noise](\(Chart.noiseDecline))"]
        }
        if let t = tables.ablation {
            md += ["", "## Ablation (\(s.proposed), clean data)", ""]
            md += tables.ablationMarkdown()
            let chart = GroupedBarChart(title: "Ablation: test metrics", yLabel: "value", groups: StudyTables.ablationMetrics,
                                        series: StudyGrid.ablationVariants.map { v in
                                            (v.short, StudyTables.ablationMetrics.map { t.values[v.name]?[$0]?.mean ?? .nan })
                                        })
            files.append((Chart.ablation, chart.svg(width: 760)))
            md += ["", "![ablation](\(Chart.ablation))"]
        }
        if let t = tables.sensitivity {
            md += ["", "## Sensitivity of \(s.proposed) (test NDCG@20 over ε × λ_cl)", ""]
            md += tables.sensitivityMarkdown()
            let chart = HeatMap(title: "Test NDCG@20", rowLabel: "ε", columnLabel: "λ_cl",
                                rows: t.epsilon.map { StudyGrid.number($0) }, columns: t.lambdaCL.map { StudyGrid.number($0) },
                                values: t.ndcg.map { $0.map(\.mean) })
            files.append((Chart.sensitivity, chart.svg(cell: 80)))
            md += ["", "![sensitivity](\(Chart.sensitivity))"]
        }
        if s.curves.enabled, let seed = s.seeds.first {
            let cells = s.models.map { StudyCell(data: .clean, model: $0, overrides: [:], seed: seed) }
            let metric = definition.train.metric
            let valid = LineChart(title: "Valid \(metric) per epoch (seed \(seed))", xLabel: "epoch", yLabel: metric,
                                  series: cells.map { c in
                                      LineChart.Series(name: c.model, points: (results.cells[c]?.validCurve ?? []).map { (Double($0.epoch), $0.values[metric] ?? .nan) },
                                                       colour: s.models.firstIndex(of: c.model))
                                  })
            let loss = LineChart(title: "Training BPR loss per epoch (seed \(seed))", xLabel: "epoch", yLabel: "BPR loss",
                                 series: cells.map { c in
                                     LineChart.Series(name: c.model, points: (results.cells[c]?.lossCurve ?? []).map { (Double($0.epoch), $0.values["bpr"] ?? .nan) },
                                                      colour: s.models.firstIndex(of: c.model))
                                 })
            files.append((Chart.curvesNDCG, valid.svg()))
            files.append((Chart.curvesLoss, loss.svg()))
            md += ["", "## Training curves", "", "![valid curves](\(Chart.curvesNDCG))", "", "![loss curves](\(Chart.curvesLoss))"]
            md += ["", StudyTables.row(["model", "epochs", "best epoch", "s/epoch"]), StudyTables.rule(4)]
            for c in cells {
                guard let r = results.cells[c] else { md.append(StudyTables.row([c.model, "–", "–", "–"])); continue }
                md.append(StudyTables.row([c.model, "\(r.epochs)", "\(r.bestEpoch)", String(format: "%.3f", r.secondsPerEpoch)]))
            }
        }
        md += ["", "Raw numbers: [results.csv](results.csv), [results.json](results.json); every cell's own files are under "
               + "`cells/<data>/<model>/s<seed>/` in the study workdir.", ""]
        files.insert(("report.md", md.joined(separator: "\n")), at: 0)
        files.append(("results.csv", StudyRawNumbers.csv(grid: grid, results: results)))
        files.append(("results.json", StudyRawNumbers.json(definition: definition, results: results, tables: tables)))
        return files
    }

    /// Writes the folder atomically.
    static func write(definition: StudyDefinition, results: StudyResults, elapsed: Double? = nil) throws {
        let destination = definition.settings.reportDir
        let staging = try AtomicDirectory.staging(for: destination)
        for (name, text) in files(definition: definition, results: results, elapsed: elapsed) {
            try AtomicFileWriter.write(Array(text.utf8), to: FilePath.join(staging, name))
        }
        try AtomicDirectory.publish(staging: staging, to: destination)
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
