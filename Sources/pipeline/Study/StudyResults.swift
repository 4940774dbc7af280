import Core
import Foundation

/// One finished cell's numbers as its train stage wrote them (`results.json`, `metrics.jsonl`).
///
/// Why read the files rather than keep what the runner returned: a resumed study did not run the
/// cells that finished earlier, and the report must be rebuilt from what is on disk — the very
/// numbers a user can open and check.
struct CellResult: Sendable, Equatable {
    var test: [String: Double]
    var testSparse: [String: Double]
    var testUsers: Int
    var sparseTestUsers: Int
    var epochs: Int
    var bestEpoch: Int
    /// Per evaluated epoch: (epoch, valid metrics); per epoch: (epoch, loss terms).
    var validCurve: [(epoch: Int, values: [String: Double])]
    var lossCurve: [(epoch: Int, values: [String: Double])]
    var secondsPerEpoch: Double

    static func == (a: CellResult, b: CellResult) -> Bool {
        a.test == b.test && a.testSparse == b.testSparse && a.epochs == b.epochs && a.bestEpoch == b.bestEpoch
    }

    /// Reads a cell's directory; nil when it has no `results.json` (not finished).
    static func load(directory: String) throws -> CellResult? {
        let resultsPath = FilePath.join(directory, "results.json")
        guard FilePath.exists(resultsPath) else { return nil }
        guard let object = try JSONSerialization.jsonObject(with: Data(try FilePath.readAll(resultsPath))) as? [String: Any] else {
            throw AccfError.corrupt(resultsPath, "is not a JSON object; delete the cell folder and run the study again")
        }
        var result = CellResult(test: numbers(object["test"]), testSparse: numbers(object["test_sparse"]),
                                testUsers: object["test_users"] as? Int ?? 0, sparseTestUsers: object["sparse_test_users"] as? Int ?? 0,
                                epochs: object["epochs"] as? Int ?? 0, bestEpoch: object["best_epoch"] as? Int ?? 0,
                                validCurve: [], lossCurve: [], secondsPerEpoch: .nan)
        let metricsPath = FilePath.join(directory, "metrics.jsonl")
        if FilePath.exists(metricsPath) {
            var seconds: [Double] = []
            for line in String(decoding: try FilePath.readAll(metricsPath), as: UTF8.self).split(separator: "\n") {
                guard let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let epoch = entry["epoch"] as? Int else { continue }
                let valid = numbers(entry["valid"])
                if !valid.isEmpty { result.validCurve.append((epoch, valid)) }
                result.lossCurve.append((epoch, numbers(entry["loss"])))
                if let s = entry["seconds"] as? Double { seconds.append(s) }
            }
            if !seconds.isEmpty { result.secondsPerEpoch = seconds.reduce(0, +) / Double(seconds.count) }
        }
        return result
    }

    /// A flat JSON object of numbers (null → NaN).
    private static func numbers(_ value: Any?) -> [String: Double] {
        guard let dict = value as? [String: Any] else { return [:] }
        var out: [String: Double] = [:]
        for (k, v) in dict { out[k] = (v as? NSNumber)?.doubleValue ?? .nan }
        return out
    }
}

/// Mean and sample standard deviation over seeds (std 0 for one seed; NaN mean for none).
struct SeedStatistics: Sendable, Equatable {
    var mean: Double
    var std: Double
    var count: Int

    init(_ values: [Double]) {
        let v = values.filter(\.isFinite)
        count = v.count
        mean = v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
        if v.count > 1 {
            let m = mean
            std = (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
        } else {
            std = v.isEmpty ? .nan : 0
        }
    }
}

/// Every finished cell of a study, keyed by cell.
struct StudyResults: Sendable {
    var cells: [StudyCell: CellResult] = [:]

    static func load(grid: StudyGrid, workdir: String) throws -> StudyResults {
        var results = StudyResults()
        for cell in grid.cells {
            if let r = try CellResult.load(directory: StudyDefinition.Layout.cell(workdir, cell)) { results.cells[cell] = r }
        }
        return results
    }

    /// A test metric over the given cells (those finished), mean ± std.
    func statistics(_ cells: [StudyCell], metric: String, sparse: Bool = false) -> SeedStatistics {
        SeedStatistics(cells.compactMap { self.cells[$0].map { (sparse ? $0.testSparse : $0.test)[metric] ?? .nan } })
    }
}
