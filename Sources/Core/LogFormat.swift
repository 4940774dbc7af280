import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How accf writes its log lines: readable text for a person, JSON lines for machines.
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json

    /// Text on a terminal, JSON lines otherwise (cron and workflow runners collect JSON).
    public static var automatic: LogFormat { isatty(STDERR_FILENO) != 0 ? .text : .json }
}

/// A swift-log handler writing one line per event to stderr, as text or as a JSON object.
///
/// JSON lines carry `ts`, `level`, `label`, `msg` and every metadata key as a field, so a
/// stage can log `event`, `stage`, counts and durations that collectors index directly.
public struct AccfLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public let label: String
    public let format: LogFormat

    public init(label: String, format: LogFormat, level: Logger.Level) {
        self.label = label
        self.format = format
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let line: String
        switch format {
        case .text:
            let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let prefix = event.level >= .warning ? "\(event.level): " : ""
            line = fields.isEmpty ? "\(prefix)\(event.message)" : "\(prefix)\(event.message)  \(fields)"
        case .json:
            var parts = ["\"ts\":\(JSONText.quote(Timestamp.iso8601Now()))",
                         "\"level\":\(JSONText.quote(event.level.rawValue))",
                         "\"label\":\(JSONText.quote(label))",
                         "\"msg\":\(JSONText.quote(event.message.description))"]
            for (key, value) in all.sorted(by: { $0.key < $1.key }) {
                parts.append("\(JSONText.quote(key)):\(JSONText.value(value))")
            }
            line = "{" + parts.joined(separator: ",") + "}"
        }
        StandardError.writeLine(line)
    }
}

/// Sets up logging for the process once, from the global `--log-format` and `--quiet` flags.
public enum AccfLogging {
    /// Bootstraps swift-log; `quiet` keeps warnings and errors only.
    public static func bootstrap(format: LogFormat, quiet: Bool, verbose: Bool = false) {
        let level: Logger.Level = quiet ? .warning : (verbose ? .debug : .info)
        LoggingSystem.bootstrap { label in AccfLogHandler(label: label, format: format, level: level) }
    }
}

/// Unbuffered writes to stderr, one whole line per call.
public enum StandardError {
    public static func writeLine(_ line: String) {
        var text = line
        text.append("\n")
        text.withUTF8 { buf in
            var p = buf.baseAddress!
            var left = buf.count
            while left > 0 {
                let n = write(STDERR_FILENO, p, left)
                if n <= 0 { if errno == EINTR { continue }; return }
                p += n
                left -= n
            }
        }
    }
}
