/// Reads little-endian scalars and arrays from bytes, never past the end.
///
/// Every read is bounds-checked and throws `AccfError.corrupt` naming `file`, so a truncated or
/// damaged file is a clear error rather than a crash or garbage.
public struct ByteReader {
    public let bytes: UnsafeRawBufferPointer
    /// The file name used in error messages.
    public let file: String
    /// The read position, in bytes from the start.
    public private(set) var offset: Int = 0

    public init(_ bytes: UnsafeRawBufferPointer, file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Bytes left to read.
    public var remaining: Int { bytes.count - offset }

    private func need(_ count: Int, _ what: String) throws {
        if count < 0 || count > remaining {
            throw AccfError.corrupt(file, "truncated: needs \(count) more bytes for \(what) at offset \(offset), has \(remaining)")
        }
    }

    public mutating func read<T: FixedWidthInteger>(_ type: T.Type, _ what: String = "a number") throws -> T {
        try need(MemoryLayout<T>.size, what)
        let v = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    public mutating func readFloat(_ what: String = "a float") throws -> Float {
        Float(bitPattern: try read(UInt32.self, what))
    }

    public mutating func readDouble(_ what: String = "a double") throws -> Double {
        Double(bitPattern: try read(UInt64.self, what))
    }

    /// A length-prefixed (UInt32) UTF-8 string, at most `maxLength` bytes.
    public mutating func readString(_ what: String = "a string", maxLength: Int = 1 << 24) throws -> String {
        let n = Int(try read(UInt32.self, what))
        if n > maxLength { throw AccfError.corrupt(file, "\(what) claims \(n) bytes (limit \(maxLength))") }
        try need(n, what)
        let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n]), as: UTF8.self)
        offset += n
        return s
    }

    /// `count` raw bytes.
    public mutating func readBytes(_ count: Int, _ what: String = "bytes") throws -> UnsafeRawBufferPointer {
        try need(count, what)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
        offset += count
        return slice
    }

    /// An array of `count` fixed-width integers.
    public mutating func readArray<T: FixedWidthInteger>(_ type: T.Type, count: Int, _ what: String = "an array") throws -> [T] {
        let (size, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.size)
        if overflow { throw AccfError.corrupt(file, "\(what) claims \(count) elements") }
        let raw = try readBytes(size, what)
        var out = [T](repeating: 0, count: count)
        out.withUnsafeMutableBytes { $0.copyMemory(from: raw) }
        #if !_endian(little)
        for i in out.indices { out[i] = T(littleEndian: out[i]) }
        #endif
        return out
    }

    /// An array of `count` Float32 values.
    public mutating func readFloats(count: Int, _ what: String = "an array") throws -> [Float] {
        let bits = try readArray(UInt32.self, count: count, what)
        return bits.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// Skips to a multiple of `alignment`.
    public mutating func align(to alignment: Int) throws {
        let rem = offset % alignment
        if rem != 0 { _ = try readBytes(alignment - rem, "padding") }
    }
}
