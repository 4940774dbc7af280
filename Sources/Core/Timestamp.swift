#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock and monotonic time helpers.
public enum Timestamp {
    /// Now as ISO 8601 UTC with milliseconds, e.g. "2026-11-27T21:56:48.123Z".
    public static func iso8601Now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return iso8601(seconds: Int(ts.tv_sec), milliseconds: Int(ts.tv_nsec / 1_000_000))
    }

    /// A Unix time as ISO 8601 UTC.
    public static func iso8601(seconds: Int, milliseconds: Int? = nil) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        var s = "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
        if let ms = milliseconds { s += "." + pad(Int32(ms), 3) }
        return s + "Z"
    }

    /// Monotonic seconds, for durations.
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

/// Measures elapsed wall time.
public struct Stopwatch: Sendable {
    private let start = Timestamp.monotonicSeconds()
    public init() {}
    /// Seconds since creation.
    public var seconds: Double { Timestamp.monotonicSeconds() - start }
}

/// Process resource usage.
public enum ResourceUsage {
    /// Peak resident set size of this process in bytes (Linux reports KiB in ru_maxrss).
    public static func peakResidentBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss)
        #endif
    }
}
