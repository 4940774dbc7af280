import Core

/// A seeded mutation fuzzer over byte strings, for the CI layer of the hostile-input tests
/// (`ParserFuzzTests`); the libFuzzer harnesses in `Fuzz/` explore further by hand.
///
/// Each call applies 1–6 edits drawn from what breaks text parsers: bit flips, byte
/// replacements, inserts and deletes, splices from other seeds, long runs, NUL bytes, quotes,
/// braces, backslash escapes, CR/LF, a BOM, invalid UTF-8 and numbers far out of range.
struct ByteMutator {
    var rng: SeededGenerator
    let seeds: [[UInt8]]
    /// Inputs stay below this size, so every case is fast and its memory small.
    let maxSize: Int

    static let tokens: [[UInt8]] = [
        "\"", "\"\"", "{", "}", "[", "]", ":", ",", "\\", "\\\"", "\\u", "\\ud800", "\\udc00\\ud800", "\\u0000",
        "\t", "\r", "\n", "\r\n", "::", " ", "#", "-", "+", ".", "e", "E", "null", "true", "tru",
        "1e39", "1e400", "-1e400", "NaN", "inf", "99999999999999999999", "-9223372036854775808",
        "-9223372036854775807", "9223372036854775807", "4294967296", "18446744073709551616", "0000000001",
        "2018-02-30 25:61:61", "9999-12-31T23:59:59+99:99", "\u{FEFF}", "ü", "😀",
    ].map { Array($0.utf8) } + [[0x00], [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xEF, 0xBB, 0xBF]]

    init(seed: UInt64, seeds: [[UInt8]], maxSize: Int = 4096) {
        rng = SeededGenerator(seed: seed)
        self.seeds = seeds
        self.maxSize = maxSize
    }

    private mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : rng.nextInt(below: n) }

    /// A mutant of a random seed.
    mutating func next() -> [UInt8] {
        var b = seeds[below(seeds.count)]
        for _ in 0..<(1 + below(6)) { mutate(&b) }
        if b.count > maxSize { b.removeLast(b.count - maxSize) }
        return b
    }

    private mutating func mutate(_ b: inout [UInt8]) {
        let at = below(b.count + 1)
        switch below(11) {
        case 0 where !b.isEmpty:  // flip one bit
            let k = below(b.count); b[k] ^= UInt8(1) << UInt8(below(8))
        case 1 where !b.isEmpty:  // replace a byte
            b[below(b.count)] = UInt8(truncatingIfNeeded: rng.next())
        case 2:  // insert a random byte
            b.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
        case 3 where !b.isEmpty:  // delete a range
            let n = min(1 + below(16), b.count - min(at, b.count - 1))
            let s = min(at, b.count - 1)
            b.removeSubrange(s..<(s + n))
        case 4, 5:  // insert a nasty token
            b.insert(contentsOf: Self.tokens[below(Self.tokens.count)], at: at)
        case 6:  // splice a piece of another seed
            let other = seeds[below(seeds.count)]
            guard !other.isEmpty else { return }
            let s = below(other.count), n = 1 + below(min(200, other.count - s))
            b.insert(contentsOf: other[s..<(s + n)], at: at)
        case 7:  // a long run of one byte (NULs, quotes, braces, digits, …)
            let byte: UInt8 = [0x00, 0x22, 0x7B, 0x5B, 0x39, 0x5C, 0x0A, 0x2C, 0x09, 0x20][below(10)]
            b.insert(contentsOf: repeatElement(byte, count: 1 + below(1500)), at: at)
        case 8 where !b.isEmpty:  // duplicate a range in place
            let s = below(b.count), n = 1 + below(min(300, b.count - s))
            b.insert(contentsOf: Array(b[s..<(s + n)]), at: at)
        case 9 where !b.isEmpty:  // truncate
            b.removeLast(b.count - below(b.count))
        default:  // swap two lines' worth: move a chunk elsewhere
            guard b.count > 2 else { return }
            let s = below(b.count - 1), n = 1 + below(min(64, b.count - s - 1))
            let chunk = Array(b[s..<(s + n)])
            b.removeSubrange(s..<(s + n))
            b.insert(contentsOf: chunk, at: below(b.count + 1))
        }
    }
}
