import Core
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import pipeline

/// The report tells the truth: its tables' numbers are the means of the per-cell results files,
/// its CSV holds exactly those files' values, and its charts are well-formed SVG with one series
/// per model and one point per epoch or noise level.
final class StudyReportTests: XCTestCase {
    private var root = ""
    override func setUpWithError() throws { root = try StudyFixture.folder() }
    override func tearDown() { if !root.isEmpty { FilePath.removeTree(root) } }

    private let study = """
    models = ["bprmf", "lightgcn", "accf"]
    seeds = [1, 2]
    [study.model_options.accf]
    epsilon = 0.1
    lambda_cl = 0.05
    [study.cold_start]
    models = ["lightgcn", "accf"]
    [study.noise]
    fractions = [0, 0.1, 0.2]
    models = ["lightgcn", "accf"]
    [study.ablation]
    seed_count = 1
    [study.sensitivity]
    epsilon = [0.1, 0.2]
    lambda_cl = [0.05]
    """

    /// Element counts by "name.class" and point counts of polylines by their data-name.
    private final class Census: NSObject, XMLParserDelegate {
        var elements: [String: Int] = [:]
        var polylines: [String: Int] = [:]
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements[attributes["class"].map { "\(name).\($0)" } ?? name, default: 0] += 1
            if name == "polyline" {
                let points = (attributes["points"] ?? "").split(separator: " ").count
                polylines[attributes["data-name"] ?? "?"] = points
            }
        }
    }

    private func census(_ path: String) throws -> Census {
        let parser = XMLParser(data: Data(try FilePath.readAll(path)))
        let c = Census()
        parser.delegate = c
        XCTAssertTrue(parser.parse(), "\(path) is not well-formed XML")
        return c
    }

    private func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(try FilePath.readAll(path))) as! [String: Any]
    }

    func testTablesChartsAndRawNumbersMatchTheCellFiles() throws {
        let d = try StudyFixture.definition(StudyFixture.manifestText(study: study), in: root)
        let (summary, results) = try d.run(logger: StudyFixture.logger)
        XCTAssertNil(summary.error)
        XCTAssertEqual(results.cells.count, d.grid.cells.count)
        let report = d.settings.reportDir
        let markdown = String(decoding: try FilePath.readAll(FilePath.join(report, "report.md")), as: UTF8.self)
        let raw = try json(FilePath.join(report, "results.json"))
        let tables = raw["tables"] as! [String: Any]

        // Main table: each model's mean/std of each metric over seeds, straight from the cells' files.
        let main = (tables["main"] as! [String: Any])["values"] as! [String: [String: [String: Any]]]
        var means: [String: Double] = [:]
        for model in ["bprmf", "lightgcn", "accf"] {
            for metric in StudyTables.mainMetrics {
                let values = try [UInt64(1), 2].map { seed -> Double in
                    let dir = StudyDefinition.Layout.cell(d.settings.workdir, StudyCell(data: .clean, model: model, overrides: [:], seed: seed))
                    let file = try json(FilePath.join(dir, "results.json"))
                    return ((file["test"] as! [String: Any])[metric] as! NSNumber).doubleValue
                }
                let mean = (values[0] + values[1]) / 2
                let std = abs(values[0] - values[1]) / 2.0.squareRoot()
                let entry = main[metric]![model]!
                XCTAssertEqual((entry["mean"] as! NSNumber).doubleValue, mean, accuracy: 1e-12, "\(model) \(metric)")
                XCTAssertEqual((entry["std"] as! NSNumber).doubleValue, std, accuracy: 1e-12, "\(model) \(metric)")
                XCTAssertTrue(markdown.contains(String(format: "%.4f ± %.4f", mean, std)), "\(model) \(metric) in report.md")
                means["\(model) \(metric)"] = mean
            }
        }
        // The improvement column: ACCF against the better of BPRMF and LightGCN.
        let improvement = ((tables["main"] as! [String: Any])["improvement"] as! [String: NSNumber])["ndcg@20"]!.doubleValue
        let best = max(means["bprmf ndcg@20"]!, means["lightgcn ndcg@20"]!)
        XCTAssertEqual(improvement, (means["accf ndcg@20"]! - best) / best, accuracy: 1e-12)

        // Cold start: sparse-user means come from each cell's "test_sparse".
        let cold = tables["cold_start"] as! [String: Any]
        let sparse = (cold["sparse"] as! [String: [String: [String: Any]]])["accf"]!["ndcg@20"]!
        let coldFile = try json(FilePath.join(StudyDefinition.Layout.cell(d.settings.workdir,
            StudyCell(data: StudyDataVariant(kind: .coldStart(0.6)), model: "accf", overrides: [:], seed: 1)), "results.json"))
        XCTAssertEqual((sparse["mean"] as! NSNumber).doubleValue,
                       ((coldFile["test_sparse"] as! [String: Any])["ndcg@20"] as! NSNumber).doubleValue)
        XCTAssertGreaterThan((cold["sparse_test_users"] as! Int), 0)

        // CSV: one row per cell, the cell's values verbatim.
        let csv = String(decoding: try FilePath.readAll(FilePath.join(report, "results.csv")), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(csv.count, 1 + d.grid.cells.count)
        let header = csv[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let column = header.firstIndex(of: "test_ndcg@20")!
        for line in csv.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let cell = d.grid.cells.first { $0.id == fields[0] }!
            XCTAssertEqual(Double(fields[column]), results.cells[cell]!.test["ndcg@20"], fields[0])
        }

        // Charts: parse as XML, one series per model, one point per epoch / noise level.
        let curves = try census(FilePath.join(report, StudyReport.Chart.curvesNDCG))
        XCTAssertEqual(curves.polylines.count, 3)
        for model in ["bprmf", "lightgcn", "accf"] { XCTAssertEqual(curves.polylines[model], 2, "\(model): 2 epochs") }
        XCTAssertEqual(try census(FilePath.join(report, StudyReport.Chart.curvesLoss)).polylines.count, 3)
        let noise = try census(FilePath.join(report, StudyReport.Chart.noise))
        XCTAssertEqual(noise.polylines, ["lightgcn": 3, "accf": 3])
        XCTAssertEqual(try census(FilePath.join(report, StudyReport.Chart.noiseDecline)).polylines.count, 2)
        XCTAssertEqual(try census(FilePath.join(report, StudyReport.Chart.ablation)).elements["rect.bar"],
                       StudyGrid.ablationVariants.count * StudyTables.ablationMetrics.count)
        XCTAssertEqual(try census(FilePath.join(report, StudyReport.Chart.sensitivity)).elements["rect.cell"], 2)
        for name in [StudyReport.Chart.curvesNDCG, StudyReport.Chart.noise, StudyReport.Chart.ablation, StudyReport.Chart.sensitivity] {
            XCTAssertTrue(markdown.contains("](\(name))"), "report.md links \(name) relatively")
        }
    }

    func testAnIncompleteStudyReportsWhatFinished() throws {
        let d = try StudyFixture.definition(StudyFixture.manifestText(study: study), in: root)
        let files = StudyReport.files(definition: d, results: StudyResults())
        let markdown = files.first { $0.0 == "report.md" }!.1
        XCTAssertTrue(markdown.contains("0 of \(d.grid.cells.count) training cells finished"))
        XCTAssertTrue(markdown.contains("| bprmf |") || markdown.contains("| – |"))
        for (name, text) in files where name.hasSuffix(".svg") {
            XCTAssertTrue(XMLParser(data: Data(text.utf8)).parse(), "\(name) parses with no data")
        }
    }
}
