#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Core

/// Splits a (possibly compressed) input into lines without copying them, in bounded memory.
///
/// The body sees each line as a borrowed byte buffer (without `\n` and a trailing `\r`, so CRLF
/// files read like LF files) and its 1-based line number. Memory is one buffer that grows only
/// to fit the longest line, capped by `maxLineLength` so a file without newlines cannot exhaust it.
final class LineReader {
    let source: DecompressingReader
    let maxLineLength: Int
    /// Decompressed bytes delivered so far.
    private(set) var bytesRead = 0

    init(path: String, maxLineLength: Int = 64 << 20) throws {
        source = try DecompressingReader(path: path)
        self.maxLineLength = maxLineLength
    }

    var path: String { source.path }

    /// Calls `body(line, lineNumber)` for every line, the last one even without a final newline.
    func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        var capacity = 4 << 20
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        var start = 0, end = 0, lineNumber = 0
        var finished = false
        while !finished {
            // Move the partial line to the front, grow when one line fills the buffer.
            if start > 0 {
                if end > start { memmove(buffer.baseAddress!, buffer.baseAddress! + start, end - start) }
                end -= start
                start = 0
            }
            if end == capacity {
                if capacity >= maxLineLength {
                    throw AccfError.badData(path, line: lineNumber + 1, "line longer than \(maxLineLength) bytes",
                                            hint: "is this a text file in the declared format?")
                }
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity * 2, alignment: 64)
                bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end..<capacity]))
            bytesRead += n
            if n == 0 { finished = true }
            let scanFrom = end
            end += n
            let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var cursor = max(start, scanFrom)
            while cursor < end {
                guard let hit = memchr(base + cursor, 0x0A, end - cursor) else { break }
                let nl = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                lineNumber += 1
                var lineEnd = nl
                if lineEnd > start && base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                try body(UnsafeBufferPointer(start: base + start, count: lineEnd - start), lineNumber)
                start = nl + 1
                cursor = start
            }
            if finished && end > start {
                lineNumber += 1
                var lineEnd = end
                if base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                try body(UnsafeBufferPointer(start: base + start, count: lineEnd - start), lineNumber)
                start = end
            }
        }
    }
}
