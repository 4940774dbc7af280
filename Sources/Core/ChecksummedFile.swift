/// The envelope of every accf binary file: magic, format version, payload length and checksum.
///
/// Layout (little-endian, 64 bytes, so that the payload starts 64-byte aligned when mapped):
///
///     0  magic            8 bytes, e.g. "ACCFGRPH"
///     8  format version   UInt32
///    12  reserved         UInt32 (0)
///    16  payload length   UInt64
///    24  payload XXH64    UInt64
///    32  reserved         24 bytes (0)
///    56  header XXH64     UInt64 over bytes 0..<56
///    64  payload
///
/// Readers check, in this order, the size, the header checksum, the magic, the version and the
/// payload checksum before they trust a byte, so every failure names its cause precisely.
public enum ChecksummedFile {
    /// Size of the envelope header in bytes.
    public static let headerSize = 64

    /// The header for a payload.
    public static func header(magic: String, version: UInt32, payloadLength: Int, payloadHash: UInt64) -> [UInt8] {
        precondition(magic.utf8.count == 8, "magic must be 8 ASCII bytes")
        var w = ByteWriter(capacity: headerSize)
        w.append(bytes: Array(magic.utf8))
        w.append(version)
        w.append(UInt32(0))
        w.append(UInt64(payloadLength))
        w.append(payloadHash)
        w.append(bytes: [UInt8](repeating: 0, count: 24))
        let h = w.bytes.withUnsafeBytes { XXHash64.hash($0) }
        w.append(h)
        return w.bytes
    }

    /// Writes `payload` atomically to `path` inside the envelope.
    public static func write(path: String, magic: String, version: UInt32, payload: [UInt8]) throws {
        let hash = payload.withUnsafeBytes { XXHash64.hash($0) }
        let w = try AtomicFileWriter(destination: path)
        try w.write(header(magic: magic, version: version, payloadLength: payload.count, payloadHash: hash))
        try w.write(payload)
        try w.commit()
    }

    /// Checks the envelope of `bytes` and returns the payload slice.
    ///
    /// - Parameters:
    ///   - what: the kind of file for messages ("graph", "checkpoint").
    ///   - supportedVersion: the one version this build reads; older or newer is an error that says what to do.
    public static func payload(of bytes: UnsafeRawBufferPointer, path: String, magic: String, what: String,
                               supportedVersion: UInt32) throws -> UnsafeRawBufferPointer {
        if bytes.count < headerSize {
            throw AccfError.corrupt(path, "truncated \(what) file: \(bytes.count) bytes, shorter than its \(headerSize)-byte header")
        }
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[0..<headerSize]), file: path)
        let fileMagic = try r.readBytes(8)
        if !fileMagic.elementsEqual(magic.utf8) {
            throw AccfError(.dataError, "\(path): not an accf \(what) file (magic \(String(decoding: fileMagic, as: UTF8.self).debugDescription), expected \(magic))",
                            hint: "pass the \(what) file written by accf")
        }
        let headerHash = XXHash64.hash(UnsafeRawBufferPointer(rebasing: bytes[0..<56]))
        let storedHeaderHash = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 56, as: UInt64.self))
        if headerHash != storedHeaderHash {
            throw AccfError.corrupt(path, "\(what) header checksum mismatch")
        }
        let version = try r.read(UInt32.self)
        if version != supportedVersion {
            let hint = version > supportedVersion
                ? "it was written by a newer accf (format \(version)); upgrade accf or re-run the stage with this version"
                : "it was written by an older accf (format \(version)); re-run the stage that writes it"
            throw AccfError(.dataError, "\(path): \(what) format version \(version), this accf reads version \(supportedVersion)", hint: hint)
        }
        _ = try r.read(UInt32.self)
        let length = try r.read(UInt64.self)
        let storedHash = try r.read(UInt64.self)
        if UInt64(bytes.count - headerSize) != length {
            throw AccfError.corrupt(path, "\(what) payload is \(bytes.count - headerSize) bytes, header says \(length) (truncated or appended to)")
        }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[headerSize...])
        if XXHash64.hash(payload) != storedHash {
            throw AccfError.corrupt(path, "\(what) payload checksum mismatch")
        }
        return payload
    }
}
