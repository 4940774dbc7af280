/// XXH64, the checksum of every accf binary file.
///
/// Chosen over CRC32 because it runs at memory speed in portable code (several GB/s here) and
/// over a cryptographic hash because integrity against accidents, not adversaries, is the goal.
/// Streaming: feed chunks with `update`, read `digest` at any point.
public struct XXHash64: Sendable {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    private var v1: UInt64, v2: UInt64, v3: UInt64, v4: UInt64
    private let seed: UInt64
    private var totalLength: UInt64 = 0
    private var buffer = [UInt8](repeating: 0, count: 32)
    private var bufferCount = 0

    public init(seed: UInt64 = 0) {
        self.seed = seed
        v1 = seed &+ Self.p1 &+ Self.p2
        v2 = seed &+ Self.p2
        v3 = seed
        v4 = seed &- Self.p1
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        var h = XXHash64(seed: seed)
        h.update(bytes)
        return h.digest
    }

    /// The digest of an array's bytes.
    public static func hash<T>(_ array: [T], seed: UInt64 = 0) -> UInt64 {
        array.withUnsafeBytes { hash($0, seed: seed) }
    }

    @inline(__always) private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        var acc = acc &+ input &* p2
        acc = (acc << 31) | (acc >> 33)
        return acc &* p1
    }

    @inline(__always) private static func merge(_ acc: UInt64, _ val: UInt64) -> UInt64 {
        let acc = (acc ^ round(0, val)) &* p1 &+ p4
        return acc
    }

    @inline(__always) private static func load64(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always) private static func load32(_ p: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Feeds more bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        totalLength &+= UInt64(bytes.count)
        var offset = 0
        if bufferCount > 0 {
            let take = min(32 - bufferCount, bytes.count)
            for k in 0..<take { buffer[bufferCount + k] = bytes[k] }
            bufferCount += take
            offset = take
            if bufferCount < 32 { return }
            buffer.withUnsafeBytes { b in consumeStripe(b.baseAddress!) }
            bufferCount = 0
        }
        while bytes.count - offset >= 32 {
            consumeStripe(base + offset)
            offset += 32
        }
        let rest = bytes.count - offset
        for k in 0..<rest { buffer[k] = bytes[offset + k] }
        bufferCount = rest
    }

    /// Feeds the bytes of an array.
    public mutating func update<T>(_ array: [T]) {
        array.withUnsafeBytes { update($0) }
    }

    @inline(__always) private mutating func consumeStripe(_ p: UnsafeRawPointer) {
        v1 = Self.round(v1, Self.load64(p, 0))
        v2 = Self.round(v2, Self.load64(p, 8))
        v3 = Self.round(v3, Self.load64(p, 16))
        v4 = Self.round(v4, Self.load64(p, 24))
    }

    /// The digest of everything fed so far.
    public var digest: UInt64 {
        var h: UInt64
        if totalLength >= 32 {
            h = ((v1 << 1) | (v1 >> 63)) &+ ((v2 << 7) | (v2 >> 57))
                &+ ((v3 << 12) | (v3 >> 52)) &+ ((v4 << 18) | (v4 >> 46))
            h = Self.merge(h, v1)
            h = Self.merge(h, v2)
            h = Self.merge(h, v3)
            h = Self.merge(h, v4)
        } else {
            h = seed &+ Self.p5
        }
        h &+= totalLength
        buffer.withUnsafeBytes { b in
            let p = b.baseAddress!
            var i = 0
            while i + 8 <= bufferCount {
                let k1 = Self.round(0, Self.load64(p, i))
                h ^= k1
                h = ((h << 27) | (h >> 37)) &* Self.p1 &+ Self.p4
                i += 8
            }
            if i + 4 <= bufferCount {
                h ^= UInt64(Self.load32(p, i)) &* Self.p1
                h = ((h << 23) | (h >> 41)) &* Self.p2 &+ Self.p3
                i += 4
            }
            while i < bufferCount {
                h ^= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) &* Self.p5
                h = ((h << 11) | (h >> 53)) &* Self.p1
                i += 1
            }
        }
        h ^= h >> 33
        h = h &* Self.p2
        h ^= h >> 29
        h = h &* Self.p3
        h ^= h >> 32
        return h
    }
}
