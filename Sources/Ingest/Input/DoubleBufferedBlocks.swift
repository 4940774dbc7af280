import Core

extension LineReader {
    /// Like `forEachBlock`, but with two buffers so a block stays valid until the *next* call of
    /// `body` returns: the caller can hand block k to worker threads and work on block k − 1
    /// meanwhile (read, scan and intern overlap). After the last block, `body` is called once
    /// with an empty block so the caller can finish the previous one.
    ///
    /// `drain` runs before the buffers are freed, on every exit: when reading fails (a damaged
    /// stream, a line too long) while workers still scan the last block handed out, the caller
    /// must wait for them there, or they would read freed memory.
    func forEachBlockDoubleBuffered(drain: () -> Void = {}, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var buffers = [UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64),
                       UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)]
        defer { drain(); buffers[0].deallocate(); buffers[1].deallocate() }
        var cur = 0
        var tail = 0..<0          // the partial last line, in buffers[cur ^ 1]
        var finished = false
        while !finished {
            var end = 0
            if !tail.isEmpty {
                if tail.count >= buffers[cur].count { buffers[cur] = grown(buffers[cur], keeping: 0, atLeast: tail.count + 1) }
                buffers[cur].baseAddress!.copyMemory(from: buffers[cur ^ 1].baseAddress! + tail.lowerBound, byteCount: tail.count)
                end = tail.count
            }
            var blockEnd = 0
            var fillAll = false
            while true {
                let target = fillAll ? buffers[cur].count : buffers[cur].count / 2
                while !finished && end < max(1, target) {
                    let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffers[cur][end...]))
                    bytesRead += n
                    if n == 0 { finished = true }
                    end += n
                }
                if let e = try self.blockEnd(buffers[cur], end, finished: finished) { blockEnd = e; break }
                if end < buffers[cur].count { fillAll = true } else { buffers[cur] = grown(buffers[cur], keeping: end) }
            }
            tail = blockEnd..<end
            if blockEnd > 0 {
                try body(UnsafeBufferPointer(start: buffers[cur].baseAddress!.assumingMemoryBound(to: UInt8.self), count: blockEnd))
            }
            cur ^= 1
        }
        try body(UnsafeBufferPointer(start: nil, count: 0))
    }
}
