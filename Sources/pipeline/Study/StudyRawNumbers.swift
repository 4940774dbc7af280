import Core
import Foundation

/// The study's raw numbers: `results.csv` (one row per finished cell, every test metric over all
/// users and over sparse users) and `results.json` (the same cells plus the report's aggregated
/// tables), for anyone who wants to redo the statistics elsewhere.
///
/// Numbers are written with Swift's shortest round-trip formatting, i.e. exactly the values of
/// each cell's `results.json`.
enum StudyRawNumbers {
    static func metricKeys(_ results: StudyResults) -> [String] {
        Set(results.cells.values.flatMap { $0.test.keys }).sorted()
    }

    static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "" }

    static func csv(grid: StudyGrid, results: StudyResults) -> String {
        let keys = metricKeys(results)
        var lines = [(["cell", "data", "model", "overrides", "seed", "epochs", "best_epoch", "seconds_per_epoch", "test_users", "sparse_test_users"]
                      + keys.map { "test_\($0)" } + keys.map { "sparse_\($0)" }).joined(separator: ",")]
        for cell in grid.cells {
            guard let r = results.cells[cell] else { continue }
            let overrides = cell.overrides.keys.sorted().map { "\($0)=\(cell.overrides[$0]!)" }.joined(separator: ";")
            var row = [cell.id, cell.data.id, cell.model, overrides, "\(cell.seed)", "\(r.epochs)", "\(r.bestEpoch)",
                       number(r.secondsPerEpoch), "\(r.testUsers)", "\(r.sparseTestUsers)"]
            row += keys.map { number(r.test[$0] ?? .nan) } + keys.map { number(r.testSparse[$0] ?? .nan) }
            lines.append(row.map(quote).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 quoting when needed.
    static func quote(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func json(definition: StudyDefinition, results: StudyResults, tables: StudyTables) -> String {
        let grid = definition.grid
        func stats(_ s: SeedStatistics?) -> Any {
            guard let s else { return NSNull() }
            return ["mean": finite(s.mean), "std": finite(s.std), "seeds": s.count] as [String: Any]
        }
        func finite(_ x: Double) -> Any { x.isFinite ? x : NSNull() }
        func numbers(_ d: [String: Double]) -> [String: Any] { d.mapValues(finite) }
        var cells: [[String: Any]] = []
        for cell in grid.cells {
            guard let r = results.cells[cell] else { continue }
            cells.append(["cell": cell.id, "data": cell.data.id, "model": cell.model,
                          "overrides": cell.overrides.mapValues { $0.description }, "seed": cell.seed,
                          "epochs": r.epochs, "best_epoch": r.bestEpoch, "test_users": r.testUsers, "sparse_test_users": r.sparseTestUsers,
                          "test": numbers(r.test), "test_sparse": numbers(r.testSparse)])
        }
        var tablesObject: [String: Any] = [:]
        if let t = tables.main {
            tablesObject["main"] = ["models": t.models,
                                    "values": t.values.mapValues { $0.mapValues(stats) },
                                    "improvement": numbers(t.improvement), "best_baseline": t.bestBaseline] as [String: Any]
        }
        if let t = tables.coldStart {
            tablesObject["cold_start"] = ["train_fraction": t.trainFraction, "test_users": t.allUsers, "sparse_test_users": t.sparseUsers,
                                          "all": t.all.mapValues { $0.mapValues(stats) }, "sparse": t.sparse.mapValues { $0.mapValues(stats) }] as [String: Any]
        }
        if let t = tables.noise {
            tablesObject["noise"] = ["fractions": t.fractions, "ndcg@20": t.ndcg.mapValues { $0.map(stats) },
                                     "decline": t.decline.mapValues { $0.map(finite) }] as [String: Any]
        }
        if let t = tables.ablation {
            tablesObject["ablation"] = ["variants": t.variants, "values": t.values.mapValues { $0.mapValues(stats) }] as [String: Any]
        }
        if let t = tables.sensitivity {
            tablesObject["sensitivity"] = ["epsilon": t.epsilon, "lambda_cl": t.lambdaCL, "ndcg@20": t.ndcg.map { $0.map(stats) }] as [String: Any]
        }
        let root: [String: Any] = ["study": definition.settings.name, "cells_total": grid.cells.count, "cells": cells, "tables": tablesObject]
        guard let data = try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys]) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
