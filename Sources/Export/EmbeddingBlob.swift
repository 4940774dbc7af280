/// The BLOB layout of an exported embedding: `dim` IEEE-754 float32 values, little-endian, no header.
///
/// Why raw little-endian floats: `numpy.frombuffer(blob, dtype='<f4')` reads it with no code, and
/// every current CPU stores floats that way, so on those hosts encoding is a plain byte view.
public enum EmbeddingBlob {
    /// Calls `body` with the little-endian bytes of `values` (a byte view on little-endian hosts).
    public static func withLittleEndian<R>(_ values: [Float], _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        #if _endian(little)
        return try values.withUnsafeBytes(body)
        #else
        let swapped = values.map { $0.bitPattern.littleEndian }
        return try swapped.withUnsafeBytes(body)
        #endif
    }

    /// Decodes a BLOB; nil when its length is not a whole number of floats.
    public static func decode(_ bytes: [UInt8]) -> [Float]? {
        guard bytes.count % 4 == 0 else { return nil }
        return (0..<(bytes.count / 4)).map { k in
            let b = UInt32(bytes[4 * k]) | UInt32(bytes[4 * k + 1]) << 8 | UInt32(bytes[4 * k + 2]) << 16 | UInt32(bytes[4 * k + 3]) << 24
            return Float(bitPattern: b)
        }
    }
}
