#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Core

/// Where a `LineReader` gets its (decompressed) bytes: a file (`DecompressingReader`) or, for
/// the fuzzers, memory (`MemorySource`), so both go through the same block and line logic.
protocol ByteSource: AnyObject {
    var path: String { get }
    var compression: InputCompression { get }
    /// Fills `dst` with up to `dst.count` bytes; returns 0 only at the end of the input.
    func read(into dst: UnsafeMutableRawBufferPointer) throws -> Int
}

extension DecompressingReader: ByteSource {}

/// Thrown by `LineReader` when a line exceeds `maxLineLength`; `InputReading` knows the line
/// number and turns it into an `AccfError` naming file and line.
struct LineTooLong: Error {
    let limit: Int
}

/// Splits a (possibly compressed) input into lines without copying them, in bounded memory.
///
/// The body sees each line as a borrowed byte buffer (without `\n` and a trailing `\r`, so CRLF
/// files read like LF files) and its 1-based line number. A UTF-8 byte order mark at the start of
/// the input is dropped (Windows tools write one; it would otherwise glue itself to the first id).
/// Memory is one buffer that grows only to fit the longest line, capped by `maxLineLength` so a
/// file without newlines cannot exhaust it.
final class LineReader {
    let source: any ByteSource
    let maxLineLength: Int
    /// Decompressed bytes delivered so far.
    var bytesRead = 0
    private var startChecked = false

    /// Initial block buffer size (tests use tiny ones to cross many block boundaries).
    let blockSize: Int

    convenience init(path: String, maxLineLength: Int = 64 << 20, blockSize: Int = 4 << 20) throws {
        self.init(source: try DecompressingReader(path: path), maxLineLength: maxLineLength, blockSize: blockSize)
    }

    init(source: any ByteSource, maxLineLength: Int = 64 << 20, blockSize: Int = 4 << 20) {
        self.source = source
        self.maxLineLength = max(1, maxLineLength)
        self.blockSize = max(16, blockSize)
    }

    var path: String { source.path }

    /// The largest buffer a long line may need: the line, its `\r\n`, and one byte to see it is too long.
    var capacityLimit: Int { maxLineLength + 3 }

    /// Reads from the source, dropping a byte order mark at the very start.
    func read(into dst: UnsafeMutableRawBufferPointer) throws -> Int {
        var n = try source.read(into: dst)
        guard !startChecked else { return n }
        startChecked = true
        while n > 0 && n < 3 && dst.count >= 3 {
            let more = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: dst[n...]))
            if more == 0 { break }
            n += more
        }
        if n >= 3 && dst[0] == 0xEF && dst[1] == 0xBB && dst[2] == 0xBF {
            if n > 3 { memmove(dst.baseAddress!, dst.baseAddress! + 3, n - 3) }
            n -= 3
            if n == 0 { n = try source.read(into: dst) }
        }
        return n
    }

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

    /// Where the block of whole lines in `buffer[0..<end]` ends (all of it at the end of the
    /// input), or nil when it holds no newline. Throws `LineTooLong` when the buffer holds no
    /// newline and more than `maxLineLength` bytes: every earlier line has been delivered then,
    /// so the caller's line count names the long line. (Lines inside a block are checked by the
    /// caller, which knows their numbers.)
    func blockEnd(_ buffer: UnsafeMutableRawBufferPointer, _ end: Int, finished: Bool) throws -> Int? {
        if finished { return end }
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var last = end - 1
        while last >= 0 && base[last] != 0x0A { last -= 1 }
        if last >= 0 { return last + 1 }
        // `+ 1`: the line may still end with `\r\n`, whose `\r` does not count.
        if end > maxLineLength + 1 { throw LineTooLong(limit: maxLineLength) }
        return nil
    }

    /// A bigger buffer for a line that does not fit: double, up to `capacityLimit`.
    func grown(_ buffer: UnsafeMutableRawBufferPointer, keeping: Int, atLeast: Int = 0) -> UnsafeMutableRawBufferPointer {
        let size = max(min(buffer.count * 2, capacityLimit), keeping + 1, atLeast)
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        if keeping > 0 { bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: keeping) }
        buffer.deallocate()
        return bigger
    }

    /// Calls `body` with blocks of whole lines (each ends with `\n`, except perhaps the file's
    /// last), about a megabyte or more each, so callers can split a block across threads.
    func forEachBlock(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
        defer { buffer.deallocate() }
        var end = 0
        var finished = false
        var fillAll = false   // a line longer than half the buffer: fill it completely before growing
        while !finished {
            // Fill at least half the buffer (or to the end of the input).
            let target = fillAll ? buffer.count : buffer.count / 2
            while !finished && end < max(1, target) {
                let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
                bytesRead += n
                if n == 0 { finished = true }
                end += n
            }
            guard let blockEnd = try blockEnd(buffer, end, finished: finished) else {
                if end < buffer.count { fillAll = true } else { buffer = grown(buffer, keeping: end) }
                continue
            }
            fillAll = false
            if blockEnd > 0 { try body(UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: blockEnd)) }
            // Keep the partial last line for the next block.
            if end > blockEnd { memmove(buffer.baseAddress!, buffer.baseAddress! + blockEnd, end - blockEnd) }
            end -= blockEnd
        }
    }
}

/// An in-memory input for `LineReader`, handed out in small reads so block boundaries fall
/// everywhere (the fuzzers and property tests use it; files go through `DecompressingReader`).
final class MemorySource: ByteSource {
    let path: String
    let compression = InputCompression.plain
    private let bytes: [UInt8]
    private var position = 0
    private let chunk: Int

    init(_ bytes: [UInt8], path: String = "<memory>", chunk: Int = 1 << 16) {
        self.bytes = bytes
        self.path = path
        self.chunk = max(1, chunk)
    }

    func read(into dst: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(dst.count, chunk, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in dst.baseAddress!.copyMemory(from: src.baseAddress! + position, byteCount: n) }
        position += n
        return n
    }
}
