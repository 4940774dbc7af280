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
    var bytesRead = 0

    /// Initial block buffer size (tests use tiny ones to cross many block boundaries).
    let blockSize: Int

    init(path: String, maxLineLength: Int = 64 << 20, blockSize: Int = 4 << 20) throws {
        source = try DecompressingReader(path: path)
        self.maxLineLength = maxLineLength
        self.blockSize = max(16, blockSize)
    }

    var path: String { source.path }

    /// Calls `body(line, lineNumber)` for every line, the last one even without a final newline.
    func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        var lineNumber = 0
        try forEachBlock { block in
            try Self.forEachLine(in: block) { line in
                lineNumber += 1
                try body(line, lineNumber)
            }
        }
    }

    /// Calls `body` with the lines of a block, without `\n` and a trailing `\r`.
    @inline(__always)
    static func forEachLine(in block: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        guard let base = block.baseAddress else { return }
        var start = 0
        let end = block.count
        while start < end {
            let nl: Int
            if let hit = memchr(base + start, 0x0A, end - start) {
                nl = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            } else {
                nl = end
            }
            var lineEnd = nl
            if lineEnd > start && base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            try body(UnsafeBufferPointer(start: base + start, count: lineEnd - start))
            start = nl + 1
        }
    }

    /// Calls `body` with blocks of whole lines (each ends with `\n`, except perhaps the file's
    /// last), about a megabyte or more each, so callers can split a block across threads.
    func forEachBlock(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var capacity = blockSize
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        var end = 0
        var finished = false
        while !finished {
            // Fill at least half the buffer (or to the end of the input).
            while !finished && end < capacity / 2 {
                let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end..<capacity]))
                bytesRead += n
                if n == 0 { finished = true }
                end += n
            }
            let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var blockEnd = end
            if !finished {
                var last = end - 1
                while last >= 0 && base[last] != 0x0A { last -= 1 }
                guard last >= 0 else {
                    // One line fills half the buffer: grow it.
                    if capacity >= maxLineLength {
                        throw AccfError.badData(path, "a line is longer than \(maxLineLength) bytes",
                                                hint: "is this a text file in the declared format?")
                    }
                    let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity * 2, alignment: 64)
                    bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
                    buffer.deallocate()
                    buffer = bigger
                    capacity *= 2
                    continue
                }
                blockEnd = last + 1
            }
            if blockEnd > 0 { try body(UnsafeBufferPointer(start: base, count: blockEnd)) }
            // Keep the partial last line for the next block.
            if end > blockEnd { memmove(buffer.baseAddress!, buffer.baseAddress! + blockEnd, end - blockEnd) }
            end -= blockEnd
        }
    }
}
