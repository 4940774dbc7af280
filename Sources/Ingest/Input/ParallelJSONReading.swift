import Core
import Dispatch

/// Per-thread state of the parallel JSON scan: a parser and what it extracted from its part.
final class JSONScanPart: @unchecked Sendable {
    var parser: JSONReviewParser
    var records: [ExtractedReview] = []
    var reasons: [String] = []
    /// Start and length of every line in the block, for examples of malformed lines.
    var lines: [(Int32, Int32)] = []
    var arena: [UInt8] = []
    var range: Range<Int> = 0..<0

    init(flavor: JSONReviewParser.Flavor) { parser = JSONReviewParser(flavor: flavor) }

    /// Scans the lines of `block[range]`; touches nothing but this object.
    func scan(_ block: UnsafeBufferPointer<UInt8>) {
        records.removeAll(keepingCapacity: true)
        reasons.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        let base = block.baseAddress!
        LineReader.forEachLine(in: UnsafeBufferPointer(rebasing: block[range])) { line in
            let offset = base.distance(to: line.baseAddress ?? base + range.lowerBound)
            let (rec, reason) = parser.extract(line, offset: offset, arena: &arena)
            records.append(rec)
            lines.append((Int32(offset), Int32(line.count)))
            if let reason { reasons.append(reason) }
        }
    }
}

/// A block pointer that may cross into the scan workers (read-only while they run).
private struct SharedBlock: @unchecked Sendable {
    let bytes: UnsafeBufferPointer<UInt8>
}

extension InputReading {
    /// JSON lines on all cores: workers scan parts of each block (the costly structural walk over
    /// review text), then this thread adds the records in line order. The result — ids, order,
    /// report — is the same for any thread count.
    mutating func runParallelJSON(_ reader: LineReader, flavor: JSONReviewParser.Flavor,
                                  _ stats: inout IngestReport.InputStats) throws {
        let threads = max(1, min(Parallel.defaultThreads, 8))
        // Two sets of parts: one scans block k while this thread merges block k − 1.
        let sets = (0..<2).map { _ in (0..<threads).map { _ in JSONScanPart(flavor: flavor) } }
        let group = DispatchGroup()
        var lineNumber = 0
        var previous: UnsafeBufferPointer<UInt8>?
        var set = 0
        let path = reader.path
        do {
            try reader.forEachBlockDoubleBuffered(drain: { group.wait() }) { block in
                group.wait()
                let done = previous
                let doneSet = set
                if block.count > 0 {
                    set ^= 1
                    let parts = sets[set]
                    // Cut the block into `threads` parts at line boundaries.
                    var cuts = [0]
                    for k in 1..<threads {
                        var c = max(cuts[k - 1], block.count * k / threads)
                        while c < block.count && c > 0 && block[c - 1] != 0x0A { c += 1 }
                        cuts.append(c)
                    }
                    cuts.append(block.count)
                    let shared = SharedBlock(bytes: block)
                    for k in 0..<threads {
                        parts[k].range = cuts[k]..<cuts[k + 1]
                        DispatchQueue.global().async(group: group) { parts[k].scan(shared.bytes) }
                    }
                    previous = block
                } else {
                    previous = nil
                }
                guard let done else { return }
                for part in sets[doneSet] { try merge(part, done, path, reader.maxLineLength, &lineNumber, &stats) }
            }
        } catch is LineTooLong {
            // The block handed out last is scanned (drained) but not merged: its lines come first.
            let pending = previous == nil ? 0 : sets[set].reduce(0) { $0 + $1.records.count }
            throw lineTooLong(path, lineNumber + pending + 1, reader.maxLineLength)
        }
    }

    /// Adds one scanned part's records in line order, counting and sampling as `run` does.
    private mutating func merge(_ part: JSONScanPart, _ block: UnsafeBufferPointer<UInt8>, _ path: String, _ maxLineLength: Int,
                                _ lineNumber: inout Int, _ stats: inout IngestReport.InputStats) throws {
        var reasonIndex = 0
        try part.arena.withUnsafeBufferPointer { arena in
            for (k, rec) in part.records.enumerated() {
                lineNumber += 1
                let (s, n) = part.lines[k]
                let line = UnsafeBufferPointer(rebasing: block[Int(s)..<Int(s + n)])
                if line.count > maxLineLength { throw lineTooLong(path, lineNumber, maxLineLength) }
                let outcome: LineOutcome
                switch rec.status {
                case ExtractedReview.parsed:
                    let refused = log.add(user: rec.user(block, arena), item: rec.item(block, arena), rating: rec.rating, timestamp: rec.timestamp)
                    outcome = refused.map { .malformed($0) } ?? .parsed(1)
                case ExtractedReview.skipped:
                    outcome = .skipped
                default:
                    outcome = .malformed(part.reasons[reasonIndex])
                    reasonIndex += 1
                }
                try count(outcome, path, lineNumber, line, &stats)
            }
        }
    }
}
