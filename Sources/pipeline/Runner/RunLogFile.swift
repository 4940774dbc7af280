import Core
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The run log in the workdir (`accf-run.log`): every log line of every run, as JSON lines, appended.
///
/// Whatever the terminal showed (text or JSON), the file is always JSON so it can be grepped and
/// loaded alike; each line carries `run` (the run's start time) so one night's run can be picked
/// out. O_APPEND writes of one whole line are atomic enough for a file one process writes at a time
/// (the workdir lock makes it one process).
final class RunLogFile: @unchecked Sendable {
    private let fd: Int32
    let path: String
    let runID: String

    init(path: String) throws {
        try FilePath.createDirectories(FilePath.directory(of: path))
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AccfError.cannotCreate(path, String(cString: strerror(errno))) }
        self.path = path
        runID = Timestamp.iso8601Now()
    }

    deinit { close(fd) }

    func append(_ line: String) {
        var text = line
        text.append("\n")
        text.withUTF8 { buffer in
            var p = buffer.baseAddress!
            var left = buffer.count
            while left > 0 {
                let n = write(fd, p, left)
                if n <= 0 { if errno == EINTR { continue }; return }
                p += n
                left -= n
            }
        }
    }
}

/// A swift-log handler that appends JSON lines to a `RunLogFile`.
struct RunLogFileHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    let label: String
    let file: RunLogFile

    init(label: String, file: RunLogFile, level: Logger.Level) {
        self.label = label
        self.file = file
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        var parts = ["\"ts\":\(JSONText.quote(Timestamp.iso8601Now()))",
                     "\"run\":\(JSONText.quote(file.runID))",
                     "\"level\":\(JSONText.quote(event.level.rawValue))",
                     "\"label\":\(JSONText.quote(label))",
                     "\"msg\":\(JSONText.quote(event.message.description))"]
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            parts.append("\(JSONText.quote(key)):\(JSONText.value(value))")
        }
        file.append("{" + parts.joined(separator: ",") + "}")
    }
}
