import Core

/// Training progress for a person at a terminal: one redrawn line with a bar, the running loss,
/// steps per second and the epoch's ETA. Silent when stderr is not a terminal (the per-epoch
/// JSON log lines carry the same facts for machines).
struct ProgressReporter {
    let enabled: Bool
    private var lastDraw = 0.0

    init(enabled: Bool) {
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
    }

    mutating func update(epoch: Int, done: Int, total: Int, loss: Double, stepsPerSecond: Double) {
        guard enabled else { return }
        let now = Timestamp.monotonicSeconds()
        if done < total && now - lastDraw < 0.1 { return }
        lastDraw = now
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let eta = stepsPerSecond > 0 ? Double(total - done) / stepsPerSecond : 0
        let line = "\repoch \(epoch + 1) [\(bar)] \(done)/\(total) loss \(format(loss)) \(format(stepsPerSecond)) step/s ETA \(Int(eta.rounded()))s\u{1B}[K"
        var text = line
        text.withUTF8 { buf in _ = write(STDERR_FILENO, buf.baseAddress, buf.count) }
    }

    func finishLine() {
        guard enabled else { return }
        _ = write(STDERR_FILENO, "\r\u{1B}[K", 4)
    }

    private func format(_ x: Double) -> String {
        let v = (x * 10000).rounded() / 10000
        return String(v)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
