import Core

extension LineReader {
    /// Like `forEachBlock`, but with two buffers so a block stays valid until the *next* call of
    /// `body` returns: the caller can hand block k to worker threads and work on block k − 1
    /// meanwhile (read, scan and intern overlap). After the last block, `body` is called once
    /// with an empty block so the caller can finish the previous one.
    func forEachBlockDoubleBuffered(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var capacity = [blockSize, blockSize]
        var buffers = [UnsafeMutableRawBufferPointer.allocate(byteCount: capacity[0], alignment: 64),
                       UnsafeMutableRawBufferPointer.allocate(byteCount: capacity[1], alignment: 64)]
        defer { buffers[0].deallocate(); buffers[1].deallocate() }
        var cur = 0
        var tail = 0..<0          // the partial last line, in buffers[cur ^ 1]
        var finished = false
        while !finished {
            var end = 0
            if !tail.isEmpty {
                if tail.count > capacity[cur] / 2 { grow(&buffers[cur], &capacity[cur], keeping: 0, to: tail.count * 4) }
                buffers[cur].baseAddress!.copyMemory(from: buffers[cur ^ 1].baseAddress! + tail.lowerBound, byteCount: tail.count)
                end = tail.count
            }
            var blockEnd = 0
            while true {
                while !finished && end < capacity[cur] / 2 {
                    let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffers[cur][end..<capacity[cur]]))
                    bytesRead += n
                    if n == 0 { finished = true }
                    end += n
                }
                if finished { blockEnd = end; break }
                let base = buffers[cur].baseAddress!.assumingMemoryBound(to: UInt8.self)
                var last = end - 1
                while last >= 0 && base[last] != 0x0A { last -= 1 }
                if last >= 0 { blockEnd = last + 1; break }
                if capacity[cur] >= maxLineLength {
                    throw AccfError.badData(path, "a line is longer than \(maxLineLength) bytes",
                                            hint: "is this a text file in the declared format?")
                }
                grow(&buffers[cur], &capacity[cur], keeping: end, to: capacity[cur] * 2)
            }
            tail = blockEnd..<end
            if blockEnd > 0 {
                try body(UnsafeBufferPointer(start: buffers[cur].baseAddress!.assumingMemoryBound(to: UInt8.self), count: blockEnd))
            }
            cur ^= 1
        }
        try body(UnsafeBufferPointer(start: nil, count: 0))
    }

    private func grow(_ buffer: inout UnsafeMutableRawBufferPointer, _ capacity: inout Int, keeping: Int, to size: Int) {
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        if keeping > 0 { bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: keeping) }
        buffer.deallocate()
        buffer = bigger
        capacity = size
    }
}
