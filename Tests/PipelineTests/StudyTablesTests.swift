import Core
import Foundation
import XCTest
@testable import pipeline

/// The report's arithmetic against hand-computed values: mean ± sample std over seeds, the
/// improvement over the best baseline, the noise change, the sensitivity grid's layout.
final class StudyTablesTests: XCTestCase {
    private func result(ndcg20: Double, sparse: Double = .nan) -> CellResult {
        var test: [String: Double] = [:]
        for m in StudyTables.mainMetrics { test[m] = ndcg20 / 2 }
        test["ndcg@20"] = ndcg20
        test["recall@20"] = ndcg20
        return CellResult(test: test, testSparse: ["ndcg@20": sparse, "recall@20": sparse], testUsers: 10, sparseTestUsers: 4,
                          epochs: 3, bestEpoch: 2, validCurve: [], lossCurve: [], secondsPerEpoch: 0.5)
    }

    func testSeedStatistics() {
        let s = SeedStatistics([1, 2, 4])
        XCTAssertEqual(s.mean, 7.0 / 3, accuracy: 1e-15)
        // Sample variance: ((−4/3)² + (−1/3)² + (5/3)²) / 2 = (16 + 1 + 25) / 18 = 7/3.
        XCTAssertEqual(s.std, (7.0 / 3).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(s.count, 3)
        XCTAssertEqual(SeedStatistics([0.5]).std, 0)
        XCTAssertTrue(SeedStatistics([]).mean.isNaN)
        XCTAssertEqual(SeedStatistics([1, .nan, 3]).count, 2, "unfinished (NaN) values are left out")
    }

    func testImprovementNoiseChangeAndSensitivityLayout() throws {
        var settings = StudySettings()
        settings.models = ["lightgcn", "xsimgcl", "accf"]
        settings.seeds = [1, 2]
        settings.noise.fractions = [0, 0.1]
        settings.noise.seedCount = 1
        settings.coldStart.enabled = false
        settings.ablation.enabled = false
        settings.sensitivity.epsilon = [0.05, 0.3]
        settings.sensitivity.lambdaCL = [0.01, 0.2]
        settings.sensitivity.seedCount = 2
        let grid = StudyGrid(settings: settings)
        var results = StudyResults()
        let clean: [String: [Double]] = ["lightgcn": [0.30, 0.32], "xsimgcl": [0.33, 0.35], "accf": [0.36, 0.34]]
        for cell in grid.main { results.cells[cell] = result(ndcg20: clean[cell.model]![Int(cell.seed) - 1]) }
        for cell in grid.noise where cell.data != .clean {
            results.cells[cell] = result(ndcg20: ["lightgcn": 0.24, "xsimgcl": 0.30, "accf": 0.27][cell.model]!)
        }
        // Sensitivity value = 10ε + λ (+ 0.001 for seed 2), so the layout is checkable.
        for cell in grid.sensitivity {
            let e = cell.overrides["epsilon"].map { if case .number(let x) = $0 { return x } else { return .nan } } ?? 0.1
            let l = cell.overrides["lambda_cl"].map { if case .number(let x) = $0 { return x } else { return .nan } } ?? 0.05
            results.cells[cell] = result(ndcg20: 10 * e + l + (cell.seed == 2 ? 0.001 : 0))
        }
        let tables = StudyTables(grid: grid, results: results)
        let main = try XCTUnwrap(tables.main)
        XCTAssertEqual(main.values["ndcg@20"]!["accf"]!.mean, 0.35, accuracy: 1e-12)
        XCTAssertEqual(main.bestBaseline["ndcg@20"], "xsimgcl")
        XCTAssertEqual(main.improvement["ndcg@20"]!, (0.35 - 0.34) / 0.34, accuracy: 1e-12)
        let noise = try XCTUnwrap(tables.noise)
        XCTAssertEqual(noise.ndcg["accf"]!.map(\.mean), [0.36, 0.27], "noise uses seed 1 only")
        XCTAssertEqual(noise.decline["accf"]![1], (0.36 - 0.27) / 0.36, accuracy: 1e-12)
        XCTAssertEqual(noise.decline["xsimgcl"]![1], (0.33 - 0.30) / 0.33, accuracy: 1e-12)
        let sensitivity = try XCTUnwrap(tables.sensitivity)
        for (i, e) in [0.05, 0.3].enumerated() {
            for (j, l) in [0.01, 0.2].enumerated() {
                XCTAssertEqual(sensitivity.ndcg[i][j].mean, 10 * e + l + 0.0005, accuracy: 1e-12, "ε \(e) λ \(l)")
                XCTAssertEqual(sensitivity.ndcg[i][j].count, 2)
            }
        }
        let markdown = tables.mainMarkdown(proposed: "accf").joined(separator: "\n")
        XCTAssertTrue(markdown.contains("| ndcg@20 | 0.3100 ± 0.0141 | 0.3400 ± 0.0141 | 0.3500 ± 0.0141 | +2.94% (vs xsimgcl) |"), markdown)
        XCTAssertTrue(tables.noiseMarkdown().joined().contains("-25.00%"), "accf's change at 10%")
    }
}
