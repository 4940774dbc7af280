/// Assigns a small integer to each distinct byte string (external user or item id), in order of
/// first appearance, without allocating a `String` per input line.
///
/// Ids are stored back to back in one byte arena; an open-addressing table of indices, keyed by
/// a 64-bit multiplicative hash of the bytes, finds them. Memory is the distinct ids plus ~16
/// bytes each — bounded by the dictionaries, not the input size, as the ingest issue requires.
///
/// An id that is not valid UTF-8 or holds a control byte is refused (`rejected`): the dictionary
/// files and the export store ids as text, where two such ids would decode to the same string
/// (U+FFFD) and a tab or newline would break every line-based consumer. The check runs only when
/// an id is new, so it costs nothing per line.
struct ByteInterner {
    /// What `intern` returns for an id it refuses (see above); nothing is added.
    static let rejected = UInt32.max
    private(set) var arena: [UInt8] = []
    private(set) var offsets: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Open-addressing slots holding a hash tag, the length, the index and the first 24 bytes of
    /// the id, so a lookup of a typical id (Yelp's 22, Amazon's 10–14 bytes) costs one cache miss
    /// and never touches the arena.
    private var table: [Slot]
    private var mask: Int
    /// Decimal ids without leading zeros below `numericLimit` (the common case in MovieLens,
    /// LightGCN and CSV logs) map straight through this array: entry index + 1, 0 = not seen.
    private var numeric: [UInt32] = []
    private static let numericLimit = 1 << 24

    init(capacity: Int = 1 << 12) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        table = [Slot](repeating: Slot(), count: size)
        mask = size - 1
    }

    /// meta: bits 40–63 hash tag, 32–39 length (255 = longer), 0–31 entry index + 1 (0 = empty).
    struct Slot {
        var meta: UInt64 = 0
        var w0: UInt64 = 0
        var w1: UInt64 = 0
        var w2: UInt64 = 0
    }

    /// The first 24 bytes as little-endian words, zero-padded.
    @inline(__always)
    private static func words(_ s: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64, UInt64) {
        var w: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let n = min(s.count, 24)
        guard let base = s.baseAddress else { return w }
        withUnsafeMutableBytes(of: &w) { dst in dst.baseAddress!.copyMemory(from: base, byteCount: n) }
        return w
    }

    @inline(__always)
    private static func meta(_ h: UInt64, _ count: Int) -> UInt64 {
        (h & 0xFFFF_FF00_0000_0000) | (UInt64(min(count, 255)) << 32)
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
        if s.count <= 7, let v = Self.smallNumber(s) {
            if v < numeric.count, numeric[v] != 0 { return numeric[v] - 1 }
            let k = internHashed(s)
            if v >= numeric.count {
                // Grow the direct map only for ids near the ones seen so far: one id "9999999"
                // must not cost 40 MB (memory stays proportional to the distinct ids).
                guard v < max(1 << 16, 8 * hashes.count) else { return k }
                numeric.append(contentsOf: repeatElement(0, count: max(v + 1, numeric.count * 2) - numeric.count))
            }
            numeric[v] = k + 1
            return k
        }
        return internHashed(s)
    }

    /// The value of a decimal without leading zeros below `numericLimit`, else nil.
    @inline(__always)
    private static func smallNumber(_ s: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = s.first, first != 0x30 || s.count == 1 else { return nil }
        var v = 0
        for c in s {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            v = v * 10 + Int(c - 0x30)
        }
        return v < numericLimit ? v : nil
    }

    @inline(__always)
    private mutating func internHashed(_ s: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let h = Self.hash(s)
        let m = Self.meta(h, s.count)
        let (w0, w1, w2) = Self.words(s)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = table[slot]
            if e.meta == 0 { break }
            if e.meta & 0xFFFF_FFFF_0000_0000 == m && e.w0 == w0 && e.w1 == w1 && e.w2 == w2 {
                let k = Int(e.meta & 0xFFFF_FFFF) - 1
                if s.count <= 24 { return UInt32(k) }
                let a = offsets[k], b = offsets[k + 1]
                if b - a == s.count && arena.withUnsafeBufferPointer({ Self.equal($0.baseAddress! + a, s.baseAddress!, s.count) }) {
                    return UInt32(k)
                }
            }
            slot = (slot + 1) & mask
        }
        guard Self.isAcceptable(s) else { return Self.rejected }
        let k = hashes.count
        hashes.append(h)
        arena.append(contentsOf: s)
        offsets.append(arena.count)
        table[slot] = Slot(meta: m | UInt64(k + 1), w0: w0, w1: w1, w2: w2)
        if hashes.count * 2 > table.count { grow() }
        return UInt32(k)
    }

    /// Valid UTF-8 (no overlongs, surrogates or values above U+10FFFF) without C0 controls or DEL.
    static func isAcceptable(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = s.count
        while i < n {
            let c = s[i]
            if c < 0x80 {
                if c < 0x20 || c == 0x7F { return false }
                i += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF   // allowed range of the second byte
            switch c {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return false
            }
            guard i + length <= n, s[i + 1] >= lower, s[i + 1] <= upper else { return false }
            for k in 2..<length where s[i + k] & 0xC0 != 0x80 { return false }
            i += length
        }
        return true
    }

    @inline(__always)
    private static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        if n > 32 { return memcmp(a, b, n) == 0 }
        for k in 0..<n where a[k] != b[k] { return false }
        return true
    }

    private mutating func grow() {
        let size = table.count * 2
        var fresh = [Slot](repeating: Slot(), count: size)
        mask = size - 1
        arena.withUnsafeBufferPointer { a in
            for k in hashes.indices {
                let key = UnsafeBufferPointer(rebasing: a[offsets[k]..<offsets[k + 1]])
                let (w0, w1, w2) = Self.words(key)
                var slot = Int(truncatingIfNeeded: hashes[k]) & mask
                while fresh[slot].meta != 0 { slot = (slot + 1) & mask }
                fresh[slot] = Slot(meta: Self.meta(hashes[k], key.count) | UInt64(k + 1), w0: w0, w1: w1, w2: w2)
            }
        }
        table = fresh
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
