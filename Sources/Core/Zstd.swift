import CZstd

/// One-shot zstd compression with frame content checksums, for shards and checkpoints.
///
/// Streaming decompression of raw inputs lives in Ingest; this is for accf's own blobs, which are
/// bounded in size and whose decompressed size is recorded in the frame.
public enum Zstd {
    /// Compresses `input` at `level` with a content checksum in the frame.
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = 3) throws -> [UInt8] {
        guard let cctx = ZSTD_createCCtx() else { throw AccfError.internalError("ZSTD_createCCtx failed") }
        defer { ZSTD_freeCCtx(cctx) }
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)
        let bound = ZSTD_compressBound(input.count)
        var out = [UInt8](repeating: 0, count: bound)
        let n = out.withUnsafeMutableBytes { dst in
            ZSTD_compress2(cctx, dst.baseAddress, dst.count, input.baseAddress, input.count)
        }
        if ZSTD_isError(n) != 0 {
            throw AccfError.internalError("zstd compression failed: \(String(cString: ZSTD_getErrorName(n)))")
        }
        out.removeLast(bound - n)
        return out
    }

    /// Compresses an array's bytes.
    public static func compress(_ input: [UInt8], level: Int32 = 3) throws -> [UInt8] {
        try input.withUnsafeBytes { try compress($0, level: level) }
    }

    /// Decompresses one frame, verifying its checksum; `file` names the source in errors.
    /// `expectedSize` guards against a frame that claims an absurd size.
    public static func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int, file: String) throws -> [UInt8] {
        let declared = ZSTD_getFrameContentSize(input.baseAddress, input.count)
        if declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN || declared != UInt64(expectedSize) {
            throw AccfError.corrupt(file, "zstd frame header damaged (declared size \(declared), expected \(expectedSize))")
        }
        var out = [UInt8](repeating: 0, count: expectedSize)
        let n = out.withUnsafeMutableBytes { dst in
            ZSTD_decompress(dst.baseAddress, dst.count, input.baseAddress, input.count)
        }
        if ZSTD_isError(n) != 0 {
            throw AccfError.corrupt(file, "zstd frame damaged: \(String(cString: ZSTD_getErrorName(n)))")
        }
        if n != expectedSize { throw AccfError.corrupt(file, "zstd frame holds \(n) bytes, expected \(expectedSize)") }
        return out
    }
}
