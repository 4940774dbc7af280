import Core
import Foundation

/// The last run as a Prometheus textfile (`accf.prom`) for node_exporter's textfile collector.
///
/// Why a file and not a push gateway: a nightly batch job has nobody to scrape while it runs;
/// node_exporter reads `*.prom` from its textfile directory (point it at the workdir, or set
/// `[pipeline] prometheus_textfile`). Written atomically so the collector never reads half a file.
/// Alert on `accf_last_run_status != 0` and on `time() - accf_last_run_timestamp_seconds`.
enum PrometheusTextfile {
    static func write(pipeline: String, state: PipelineState, stageNames: [String], summary: RunSummary,
                      to path: String) throws {
        try AtomicFileWriter.write(Array(render(pipeline: pipeline, state: state, stageNames: stageNames,
                                                summary: summary, now: Date().timeIntervalSince1970).utf8), to: path)
    }

    static func render(pipeline: String, state: PipelineState, stageNames: [String], summary: RunSummary,
                       now: Double) -> String {
        let p = "pipeline=\"\(escape(pipeline))\""
        var out = ""
        func metric(_ name: String, _ help: String, _ samples: [(labels: String, value: Double)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for sample in samples { out += "\(name){\(sample.labels)} \(format(sample.value))\n" }
        }
        metric("accf_last_run_status", "Exit status of the last accf run (0 ok, 75 locked, see docs/operations.md).",
               [(p, Double(summary.status.rawValue))])
        metric("accf_last_run_timestamp_seconds", "Unix time the last accf run ended.", [(p, now)])
        metric("accf_last_run_duration_seconds", "Wall time of the last accf run.", [(p, summary.durationSeconds)])
        metric("accf_stage_ran", "1 when the stage ran in the last run, 0 when it was up to date or not reached.",
               stageNames.map { ("\(p),stage=\"\($0)\"", summary.ran.contains($0) ? 1 : 0) })
        metric("accf_stage_failed", "1 when the stage failed in the last run.",
               stageNames.map { ("\(p),stage=\"\($0)\"", summary.failedStage == $0 ? 1 : 0) })
        metric("accf_stage_duration_seconds", "Wall time of the stage's last execution (it may be from an earlier run).",
               stageNames.compactMap { name in state.stages[name]?.durationSeconds.map { ("\(p),stage=\"\(name)\"", $0) } })
        var metrics: [(String, Double)] = []
        for name in stageNames {
            guard let record = state.stages[name], record.status == .finished else { continue }
            for (key, value) in record.metrics.sorted(by: { $0.key < $1.key }) {
                metrics.append(("\(p),stage=\"\(name)\",metric=\"\(escape(key))\"", value))
            }
        }
        metric("accf_metric", "Quality metrics of the last finished run of each stage (test split for train).", metrics)
        return out
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }
}
