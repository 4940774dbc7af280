import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import pipeline

/// The study report's charts: valid XML, the expected series and points, escaping, and (where
/// `rsvg-convert` is installed) that a real renderer accepts them.
final class SVGChartTests: XCTestCase {
    /// Counts elements by name (and `class`) and collects polyline point lists.
    private final class Census: NSObject, XMLParserDelegate {
        var elements: [String: Int] = [:]
        var polylinePoints: [Int] = []
        var texts: [String] = []
        private var inText = false
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let key = attributes["class"].map { "\(name).\($0)" } ?? name
            elements[key, default: 0] += 1
            if name == "polyline" {
                polylinePoints.append((attributes["points"] ?? "").split(separator: " ").count)
            }
            inText = name == "text"
            if inText { texts.append("") }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inText { texts[texts.count - 1] += string }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "text" { inText = false }
        }
    }

    private func census(_ svg: String) throws -> Census {
        let parser = XMLParser(data: Data(svg.utf8))
        let census = Census()
        parser.delegate = census
        XCTAssertTrue(parser.parse(), "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")")
        return census
    }

    func testLineChartHasOneLinePerSeriesWithEveryFinitePoint() throws {
        let chart = LineChart(title: "valid NDCG@20 <per epoch> & more", xLabel: "epoch", yLabel: "NDCG@20", series: [
            .init(name: "LightGCN", points: (1...30).map { (Double($0), 0.1 + 0.005 * Double($0)) }),
            .init(name: "ACCF", points: (1...20).map { (Double($0), $0 == 7 ? .nan : 0.2) }),
            .init(name: "\"XSimGCL\"", points: [(1, 0.05)]),
        ])
        let c = try census(chart.svg())
        XCTAssertEqual(c.elements["polyline.series"], 3)
        XCTAssertEqual(c.polylinePoints, [30, 19, 1], "the NaN point is left out")
        XCTAssertTrue(c.texts.contains("valid NDCG@20 <per epoch> & more"), "the title survives escaping")
        XCTAssertTrue(c.texts.contains("\"XSimGCL\""))
    }

    func testGroupedBarsDrawOneBarPerFiniteValue() throws {
        let chart = GroupedBarChart(title: "ablation", yLabel: "test", groups: ["NDCG@10", "NDCG@20", "Recall@20"], series: [
            (name: "ACCF", values: [0.31, 0.33, 0.37]),
            (name: "BPR+G+W", values: [0.27, 0.29, .nan]),
        ])
        let c = try census(chart.svg())
        XCTAssertEqual(c.elements["rect.bar"], 5)
    }

    func testHeatMapHasACellPerGridPoint() throws {
        let map = HeatMap(title: "sensitivity", rowLabel: "ε", columnLabel: "λ_cl", rows: ["0.05", "0.1", "0.2"],
                          columns: ["0.01", "0.05"], values: [[0.30, 0.31], [0.32, .nan], [0.29, 0.28]])
        let c = try census(map.svg())
        XCTAssertEqual(c.elements["rect.cell"], 6)
        XCTAssertTrue(c.texts.contains("–"), "a cell not run is marked")
    }

    func testSameDataSameBytes() {
        let make = { LineChart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "a", points: [(0, 1), (1, 2)])]).svg() }
        XCTAssertEqual(make(), make())
    }

    func testTicksAreRoundAndCoverTheRange() {
        XCTAssertEqual(SVGDocument.ticks(low: 0, high: 1), [0, 0.2, 0.4, 0.6, 0.8, 1.0].map { $0 }, accuracy: 1e-12)
        let t = SVGDocument.ticks(low: 3, high: 97)
        XCTAssertEqual(t.first, 20)
        XCTAssertEqual(t.last, 80)
    }

    func testRsvgConvertRendersEveryChartKind() throws {
        guard let rsvg = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("rsvg-convert is not installed (Debian: librsvg2-bin); the XML checks above still ran")
        }
        // ACCF_SVG_KEEP=DIR keeps the rendered PNGs there, to look at them.
        let keep = ProcessInfo.processInfo.environment["ACCF_SVG_KEEP"]
        let dir = keep ?? NSTemporaryDirectory() + "accf-svg-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: dir) } }
        func curve(_ top: Double, _ lag: Double) -> [(x: Double, y: Double)] {
            var points: [(x: Double, y: Double)] = []
            for epoch in 1...40 {
                let e = Double(epoch)
                points.append((x: e, y: top * (1 - 1 / (e + lag))))
            }
            return points
        }
        let lightGCN = curve(0.3, 1), accf = curve(0.33, 2)
        let curves = LineChart(title: "valid NDCG@20", xLabel: "epoch", yLabel: "NDCG@20",
                               series: [.init(name: "LightGCN", points: lightGCN), .init(name: "ACCF", points: accf)])
        let bars = GroupedBarChart(title: "ablation", yLabel: "test", groups: ["NDCG@10", "NDCG@20", "Recall@20"], series: [
            (name: "ACCF", values: [0.317, 0.331, 0.376]), (name: "BPR+G+W", values: [0.277, 0.294, 0.330]),
            (name: "BPR+G+C", values: [0.317, 0.331, 0.376]),
        ])
        let grid: [[Double]] = [[0.31, 0.32, 0.30], [0.32, 0.33, .nan], [0.30, 0.31, 0.29]]
        let heat = HeatMap(title: "NDCG@20 over ε × λ_cl", rowLabel: "ε", columnLabel: "λ_cl", rows: ["0.05", "0.1", "0.2"],
                           columns: ["0.01", "0.05", "0.2"], values: grid)
        let charts: [String] = [curves.svg(), bars.svg(), heat.svg()]
        for (k, svg) in charts.enumerated() {
            let input = "\(dir)/\(k).svg", output = "\(dir)/\(k).png"
            try svg.write(toFile: input, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: rsvg)
            process.arguments = ["-o", output, input]
            try process.run()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "rsvg-convert rejected chart \(k)")
            XCTAssertGreaterThan((try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0, 100)
        }
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
