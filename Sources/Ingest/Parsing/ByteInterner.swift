/// Assigns a small integer to each distinct byte string (external user or item id), in order of
/// first appearance, without allocating a `String` per input line.
///
/// Ids are stored back to back in one byte arena; an open-addressing table of indices, keyed by
/// a 64-bit multiplicative hash of the bytes, finds them. Memory is the distinct ids plus ~16
/// bytes each — bounded by the dictionaries, not the input size, as the ingest issue requires.
struct ByteInterner {
    private(set) var arena: [UInt8] = []
    private(set) var offsets: [Int] = [0]
    private var hashes: [UInt64] = []
    private var table: [UInt32]   // entry index + 1; 0 = empty
    private var mask: Int

    init(capacity: Int = 1 << 12) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        table = [UInt32](repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { hashes.count }

    /// The bytes of entry `k`.
    func bytes(_ k: Int) -> ArraySlice<UInt8> { arena[offsets[k]..<offsets[k + 1]] }

    /// Entry `k` as a String (invalid UTF-8 is repaired with U+FFFD).
    func string(_ k: Int) -> String { String(decoding: bytes(k), as: UTF8.self) }

    @inline(__always)
    static func hash(_ s: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(s.count)
        var i = 0
        let n = s.count
        let raw = UnsafeRawPointer(s.baseAddress)
        while i + 8 <= n {
            let w = raw!.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n { w |= UInt64(s[i]) << shift; shift += 8; i += 1 }
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
        }
        h ^= h >> 32
        h = h &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 29)
    }

    /// The index of `s`, adding it when new.
    @inline(__always)
    mutating func intern(_ s: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let h = Self.hash(s)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = table[slot]
            if e == 0 { break }
            let k = Int(e - 1)
            if hashes[k] == h {
                let a = offsets[k], b = offsets[k + 1]
                if b - a == s.count && arena.withUnsafeBufferPointer({ memcmp($0.baseAddress! + a, s.baseAddress!, s.count) == 0 }) {
                    return UInt32(k)
                }
            }
            slot = (slot + 1) & mask
        }
        let k = hashes.count
        hashes.append(h)
        arena.append(contentsOf: s)
        offsets.append(arena.count)
        table[slot] = UInt32(k + 1)
        if hashes.count * 2 > table.count { grow() }
        return UInt32(k)
    }

    private mutating func grow() {
        let size = table.count * 2
        table = [UInt32](repeating: 0, count: size)
        mask = size - 1
        for k in hashes.indices {
            var slot = Int(truncatingIfNeeded: hashes[k]) & mask
            while table[slot] != 0 { slot = (slot + 1) & mask }
            table[slot] = UInt32(k + 1)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
