#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib
import CZstd
import Core

@inline(__always)
private func posixRead(_ fd: Int32, _ buf: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(fd, buf, count)
    #else
    return Darwin.read(fd, buf, count)
    #endif
}

/// How an input file is compressed, decided by its first bytes (never by its name).
public enum InputCompression: String, Sendable, Codable {
    case plain, gzip, zstd

    /// Detects gzip (1f 8b) and zstd (28 b5 2f fd) magic numbers; anything else is plain.
    public static func detect(_ prefix: UnsafeRawBufferPointer) -> InputCompression {
        if prefix.count >= 2 && prefix[0] == 0x1f && prefix[1] == 0x8b { return .gzip }
        if prefix.count >= 4 && prefix[0] == 0x28 && prefix[1] == 0xb5 && prefix[2] == 0x2f && prefix[3] == 0xfd {
            return .zstd
        }
        return .plain
    }
}

/// Streams the decompressed bytes of one input file in bounded memory.
///
/// Vendors ship logs plain, gzipped or zstd-compressed, often with a misleading or no extension,
/// so the codec is chosen by magic bytes. gzip files may hold several members (`cat a.gz b.gz`),
/// zstd files several frames; both are followed to the end. A truncated or damaged stream is an
/// exit-65 error naming the file, never a silently short input.
final class DecompressingReader {
    let path: String
    private(set) var compression: InputCompression = .plain
    /// Bytes read from disk so far (compressed size).
    private(set) var compressedBytesRead = 0

    private let fd: Int32
    private let input: UnsafeMutableRawBufferPointer
    private var inStart = 0
    private var inEnd = 0
    private var atEOF = false
    private var zstream: UnsafeMutablePointer<z_stream>?
    private var zstd: OpaquePointer?
    private var streamEnded = true   // true between gzip members / zstd frames

    init(path: String, bufferSize: Int = 1 << 20) throws {
        self.path = path
        var st = stat()
        if stat(path, &st) != 0 || (st.st_mode & S_IFMT) == S_IFDIR {
            throw AccfError.missingInput(path)
        }
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw AccfError.missingInput(path) }
        input = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 64)
        do {
            try fill()
            compression = InputCompression.detect(UnsafeRawBufferPointer(rebasing: input[inStart..<inEnd]))
            switch compression {
            case .plain: break
            case .gzip:
                let z = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
                z.initialize(to: z_stream())
                // 15 + 32: maximum window, automatic gzip/zlib header detection.
                if inflateInit2_(z, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) != Z_OK {
                    z.deallocate()
                    throw AccfError.internalError("zlib inflateInit2 failed")
                }
                zstream = z
                streamEnded = false
            case .zstd:
                guard let d = ZSTD_createDCtx() else { throw AccfError.internalError("ZSTD_createDCtx failed") }
                zstd = d
                streamEnded = false
            }
        } catch {
            close(fd)
            input.deallocate()
            throw error
        }
    }

    deinit {
        if let z = zstream { inflateEnd(z); z.deallocate() }
        if let d = zstd { ZSTD_freeDCtx(d) }
        input.deallocate()
        close(fd)
    }

    /// Reads more compressed bytes after the unconsumed ones; sets `atEOF` at the end of the file.
    private func fill() throws {
        if inStart > 0 {
            let remaining = inEnd - inStart
            if remaining > 0 { memmove(input.baseAddress!, input.baseAddress! + inStart, remaining) }
            inStart = 0
            inEnd = remaining
        }
        while inEnd < input.count && !atEOF {
            let n = posixRead(fd, input.baseAddress! + inEnd, input.count - inEnd)
            if n < 0 {
                if errno == EINTR { continue }
                throw AccfError.io(path, "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { atEOF = true; break }
            inEnd += n
            compressedBytesRead += n
            if compression != .plain || inEnd > 0 { break }
        }
    }

    /// Fills `dst` with up to `dst.count` decompressed bytes; returns 0 only at the end of the input.
    func read(into dst: UnsafeMutableRawBufferPointer) throws -> Int {
        switch compression {
        case .plain:
            while true {
                if inStart < inEnd {
                    let n = min(dst.count, inEnd - inStart)
                    dst.baseAddress!.copyMemory(from: input.baseAddress! + inStart, byteCount: n)
                    inStart += n
                    return n
                }
                if atEOF { return 0 }
                // Nothing buffered: read straight into the caller's buffer (no extra copy).
                while true {
                    let n = posixRead(fd, dst.baseAddress!, dst.count)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw AccfError.io(path, "read failed: \(String(cString: strerror(errno)))")
                    }
                    if n == 0 { atEOF = true }
                    compressedBytesRead += n
                    return n
                }
            }
        case .gzip: return try readGzip(into: dst)
        case .zstd: return try readZstd(into: dst)
        }
    }

    private func readGzip(into dst: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let z = zstream else { return 0 }
        var produced = 0
        while produced == 0 {
            if inStart == inEnd {
                if atEOF {
                    if streamEnded { return 0 }
                    throw AccfError.badData(path, "truncated gzip stream (the file ends inside compressed data)",
                                            hint: "the download or copy was cut short; fetch the file again")
                }
                try fill()
                continue
            }
            if streamEnded {
                // Another gzip member follows (concatenated .gz files are valid gzip).
                if inflateReset(z) != Z_OK { throw AccfError.internalError("zlib inflateReset failed") }
                streamEnded = false
            }
            z.pointee.next_in = (input.baseAddress! + inStart).assumingMemoryBound(to: Bytef.self)
            z.pointee.avail_in = uInt(inEnd - inStart)
            z.pointee.next_out = (dst.baseAddress! + produced).assumingMemoryBound(to: Bytef.self)
            z.pointee.avail_out = uInt(dst.count - produced)
            let rc = inflate(z, Z_NO_FLUSH)
            let consumed = (inEnd - inStart) - Int(z.pointee.avail_in)
            inStart += consumed
            produced = dst.count - Int(z.pointee.avail_out)
            if rc == Z_STREAM_END {
                streamEnded = true
            } else if rc == Z_BUF_ERROR {
                if inStart == inEnd { continue }
            } else if rc != Z_OK {
                let msg = z.pointee.msg.map { String(cString: $0) } ?? "error \(rc)"
                throw AccfError.badData(path, "damaged gzip data: \(msg)", hint: "the file is corrupt; fetch it again")
            }
        }
        return produced
    }

    private func readZstd(into dst: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let d = zstd else { return 0 }
        var produced = 0
        while produced == 0 {
            if inStart == inEnd {
                if atEOF {
                    if streamEnded { return 0 }
                    throw AccfError.badData(path, "truncated zstd stream (the file ends inside a frame)",
                                            hint: "the download or copy was cut short; fetch the file again")
                }
                try fill()
                continue
            }
            var inb = ZSTD_inBuffer(src: input.baseAddress! + inStart, size: inEnd - inStart, pos: 0)
            var outb = ZSTD_outBuffer(dst: dst.baseAddress!, size: dst.count, pos: 0)
            let rc = ZSTD_decompressStream(d, &outb, &inb)
            if ZSTD_isError(rc) != 0 {
                throw AccfError.badData(path, "damaged zstd data: \(String(cString: ZSTD_getErrorName(rc)))",
                                        hint: "the file is corrupt; fetch it again")
            }
            inStart += inb.pos
            produced = outb.pos
            streamEnded = (rc == 0)
        }
        return produced
    }
}
