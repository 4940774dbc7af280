/// Vendor-looking external ids for dense indices: unique, deterministic, not sequential.
///
/// Each id is a bijective scramble of the index, so two indices never share an id, and the
/// ingest stage has to build its own dictionaries rather than lean on numeric ids.
enum SyntheticIdentifiers {
    private static let base36 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
    private static let base64url = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The SplitMix64 finalizer: a bijection on UInt64.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func append(_ value: UInt64, digits: Int, alphabet: [UInt8], to out: inout [UInt8]) {
        var v = value
        let base = UInt64(alphabet.count)
        var tmp = [UInt8](repeating: 0, count: digits)
        for k in stride(from: digits - 1, through: 0, by: -1) {
            tmp[k] = alphabet[Int(v % base)]
            v /= base
        }
        out.append(contentsOf: tmp)
    }

    /// Amazon reviewer id: "A" + 13 base-36 characters (14 in all, like real ones).
    static func appendAmazonReviewer(_ index: Int, salt: UInt64, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "A"))
        append(mix(UInt64(index) ^ salt), digits: 13, alphabet: base36, to: &out)
    }

    /// Amazon ASIN: "B0" + 8 base-36 characters; multiplication by a unit mod 36⁸ is a bijection.
    static func appendASIN(_ index: Int, to out: inout [UInt8]) {
        let modulus: UInt64 = 2_821_109_907_456 // 36^8
        let scrambled = (UInt64(index) &* 1_234_567_891 &+ 977) % modulus
        out.append(contentsOf: "B0".utf8)
        append(scrambled, digits: 8, alphabet: base36, to: &out)
    }

    /// Yelp id: 22 base64url characters, the first 11 a bijection of the index.
    static func appendYelp(_ index: Int, salt: UInt64, to out: inout [UInt8]) {
        let a = mix(UInt64(index) ^ salt)
        append(a >> 2, digits: 11, alphabet: base64url, to: &out)  // 62 bits in 11 digits
        append(mix(a) >> 2, digits: 10, alphabet: base64url, to: &out)
        out.append(base64url[Int(a & 3)])                          // the 2 low bits: keeps it bijective
    }
}
