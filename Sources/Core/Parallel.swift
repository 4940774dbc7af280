import Dispatch

/// Fixed partitions of work over threads, so results never depend on scheduling.
///
/// Every parallel kernel splits its range into `threads` contiguous parts decided by the thread
/// count alone (or by a caller-given cost prefix); each part is computed by one worker exactly as
/// it would be alone, so the same thread count gives the same bytes on every run.
public enum Parallel {
    /// The number of worker threads to use by default: the machine's active cores.
    public static var defaultThreads: Int { max(1, System.activeProcessorCount) }

    /// Splits `0..<count` into `parts` contiguous ranges of near-equal size.
    public static func evenRanges(count: Int, parts: Int) -> [Range<Int>] {
        let p = max(1, min(parts, max(count, 1)))
        return (0..<p).map { k in (count * k / p)..<(count * (k + 1) / p) }
    }

    /// Splits rows into `parts` contiguous ranges of near-equal cost, given a prefix sum of
    /// per-row cost with `rowCount + 1` entries (e.g. CSR row pointers: balance by nonzeros).
    public static func balancedRanges(prefix: UnsafeBufferPointer<Int>, parts: Int) -> [Range<Int>] {
        let rows = prefix.count - 1
        let p = max(1, min(parts, max(rows, 1)))
        let total = prefix[rows] - prefix[0]
        var bounds = [0]
        var row = 0
        for k in 1..<p {
            let target = prefix[0] + total * k / p
            // Binary search for the first row whose prefix reaches the target.
            var lo = row, hi = rows
            while lo < hi {
                let mid = (lo + hi) / 2
                if prefix[mid] < target { lo = mid + 1 } else { hi = mid }
            }
            row = max(lo, bounds.last!)
            bounds.append(row)
        }
        bounds.append(rows)
        return (0..<p).map { bounds[$0]..<bounds[$0 + 1] }
    }

    /// Runs `body(part, range)` for each range, on up to `ranges.count` threads; returns when all
    /// are done. The caller and `SpinningWorkers` share the parts (`concurrentPerform` when the
    /// pool is in use already: a nested call).
    public static func run(_ ranges: [Range<Int>], _ body: @Sendable (Int, Range<Int>) -> Void) {
        if ranges.count == 1 {
            body(0, ranges[0])
            return
        }
        if SpinningWorkers.shared.run(parts: ranges.count, { k in body(k, ranges[k]) }) { return }
        DispatchQueue.concurrentPerform(iterations: ranges.count) { k in body(k, ranges[k]) }
    }
}

/// Host facts.
public enum System {
    /// Online processor count.
    public static var activeProcessorCount: Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#endif
