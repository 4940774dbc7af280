import CZlib
import CZstd
import Core

/// Streams bytes to a file, compressed as its name says (`.gz`, `.zst`, else plain), atomically.
///
/// Used by `accf synth` to write logs of any size without holding them in memory; the file
/// appears under its name only when complete (Core.AtomicFileWriter), so a killed generator
/// never leaves a truncated log for the ingest stage to trust.
public final class CompressedFileWriter {
    /// How the bytes are encoded on disk.
    public enum Compression: Sendable { case none, gzip, zstd }

    public let path: String
    public let compression: Compression
    private let file: AtomicFileWriter
    private var zstream = z_stream()
    private var zstdContext: OpaquePointer?
    private var output = [UInt8](repeating: 0, count: 1 << 20)

    /// The compression implied by a file name.
    public static func compression(forPath path: String) -> Compression {
        if path.hasSuffix(".gz") { return .gzip }
        if path.hasSuffix(".zst") { return .zstd }
        return .none
    }

    public init(path: String, level: Int32 = 3) throws {
        self.path = path
        compression = Self.compression(forPath: path)
        file = try AtomicFileWriter(destination: path)
        switch compression {
        case .none: break
        case .gzip:
            // windowBits 15 + 16 selects the gzip wrapper.
            let status = deflateInit2_(&zstream, min(level, 9), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                       ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            if status != Z_OK { throw AccfError.internalError("deflateInit2 failed (\(status))") }
        case .zstd:
            zstdContext = ZSTD_createCCtx()
            guard let ctx = zstdContext else { throw AccfError.internalError("ZSTD_createCCtx failed") }
            ZSTD_CCtx_setParameter(ctx, ZSTD_c_compressionLevel, level)
            ZSTD_CCtx_setParameter(ctx, ZSTD_c_checksumFlag, 1)
        }
    }

    deinit {
        if compression == .gzip { deflateEnd(&zstream) }
        if let ctx = zstdContext { ZSTD_freeCCtx(ctx) }
    }

    /// Appends bytes.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try encode($0, finish: false) }
    }

    /// Flushes the compressor and publishes the file.
    public func finish() throws {
        try encode(UnsafeRawBufferPointer(start: nil, count: 0), finish: true)
        try file.commit()
    }

    private func encode(_ input: UnsafeRawBufferPointer, finish: Bool) throws {
        switch compression {
        case .none:
            try file.write(input)
        case .gzip:
            try encodeGzip(input, finish: finish)
        case .zstd:
            try encodeZstd(input, finish: finish)
        }
    }

    private func encodeGzip(_ input: UnsafeRawBufferPointer, finish: Bool) throws {
        zstream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        zstream.avail_in = uInt(input.count)
        while true {
            let produced: Int = try output.withUnsafeMutableBytes { out in
                zstream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                zstream.avail_out = uInt(out.count)
                let status = deflate(&zstream, finish ? Z_FINISH : Z_NO_FLUSH)
                if status == Z_STREAM_ERROR { throw AccfError.internalError("deflate failed") }
                return out.count - Int(zstream.avail_out)
            }
            if produced > 0 { try output.withUnsafeBytes { try file.write(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
            if finish ? produced == 0 && zstream.avail_in == 0 : zstream.avail_in == 0 && produced < output.count { break }
        }
    }

    private func encodeZstd(_ input: UnsafeRawBufferPointer, finish: Bool) throws {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while true {
            var remaining = 0
            let produced: Int = try output.withUnsafeMutableBytes { out in
                var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                remaining = ZSTD_compressStream2(zstdContext, &outBuffer, &inBuffer, finish ? ZSTD_e_end : ZSTD_e_continue)
                if ZSTD_isError(remaining) != 0 {
                    throw AccfError.internalError("zstd: \(String(cString: ZSTD_getErrorName(remaining)))")
                }
                return outBuffer.pos
            }
            if produced > 0 { try output.withUnsafeBytes { try file.write(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
            if finish ? remaining == 0 : inBuffer.pos == inBuffer.size { break }
        }
    }
}
