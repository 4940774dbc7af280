import Core

/// The `[pipeline]` section: the pipeline's name and where its work directory and reports live.
///
/// Defaults live here and nowhere else (docs/manifest.md lists them). Paths are resolved against
/// the manifest's folder by `PipelineDefinition`, so the struct holds what the user wrote.
struct PipelineSettings: Codable, Equatable, Sendable {
    /// Shown in logs and as the Prometheus `pipeline` label. Default: the manifest's file name without `.toml`.
    var name = ""
    /// Every stage's outputs, the state, lock and log files live under here. Default: `runs/<name>`.
    var workdir = ""
    /// The Prometheus textfile. Default: `<workdir>/accf.prom`; "" after resolution never happens.
    var prometheusTextfile = ""
    /// The run log (JSON lines, appended). Default: `<workdir>/accf-run.log`.
    var logFile = ""

    enum CodingKeys: String, CodingKey {
        case name, workdir
        case prometheusTextfile = "prometheus_textfile"
        case logFile = "log_file"
    }

    init() {}

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? name
        workdir = try c.decodeIfPresent(String.self, forKey: .workdir) ?? workdir
        prometheusTextfile = try c.decodeIfPresent(String.self, forKey: .prometheusTextfile) ?? prometheusTextfile
        logFile = try c.decodeIfPresent(String.self, forKey: .logFile) ?? logFile
    }

    /// Fills the defaults and makes every path absolute against the manifest's folder.
    func resolved(in manifest: Manifest) throws -> PipelineSettings {
        var s = self
        if s.name.isEmpty {
            let file = FilePath.lastComponent(of: manifest.path)
            s.name = file.hasSuffix(".toml") ? String(file.dropLast(5)) : file
        }
        guard s.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw manifest.error(at: ["pipeline", "name"], "pipeline.name \"\(s.name)\" may only hold letters, digits, '-', '_' and '.'")
        }
        s.workdir = manifest.resolve(s.workdir.isEmpty ? "runs/\(s.name)" : s.workdir)
        s.prometheusTextfile = s.prometheusTextfile.isEmpty ? FilePath.join(s.workdir, "accf.prom") : manifest.resolve(s.prometheusTextfile)
        s.logFile = s.logFile.isEmpty ? FilePath.join(s.workdir, "accf-run.log") : manifest.resolve(s.logFile)
        return s
    }
}
