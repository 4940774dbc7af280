/// Appends little-endian scalars and arrays to a byte buffer: the one way accf serializes.
///
/// Every on-disk number is little-endian whatever the host, so files move between machines.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func append(_ value: Float) { append(value.bitPattern) }
    public mutating func append(_ value: Double) { append(value.bitPattern) }

    /// Raw bytes, no length prefix.
    public mutating func append(bytes other: [UInt8]) { bytes.append(contentsOf: other) }

    /// A length-prefixed (UInt32) UTF-8 string.
    public mutating func append(string: String) {
        let utf8 = Array(string.utf8)
        append(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// An array of fixed-width scalars, no length prefix (the reader knows the count).
    /// On a little-endian host (every platform Swift ships on) this is a single copy.
    public mutating func append<T: FixedWidthInteger>(contentsOf array: [T]) {
        #if _endian(little)
        array.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in array { append(v) }
        #endif
    }

    public mutating func append(contentsOf array: [Float]) {
        #if _endian(little)
        array.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in array { append(v) }
        #endif
    }

    /// Pads with zeros to a multiple of `alignment` (so that mapped arrays are aligned).
    public mutating func pad(toMultipleOf alignment: Int) {
        let rem = bytes.count % alignment
        if rem != 0 { bytes.append(contentsOf: repeatElement(0, count: alignment - rem)) }
    }
}
