/// A seeded random generator whose entire state is one `UInt64` (SplitMix64).
///
/// Checkpoints store `state` and resume bit-for-bit. The helpers below (`nextInt(below:)`,
/// `nextUnitFloat()`, …) are ours rather than the standard library's `random(in:using:)`, whose
/// algorithm is not part of Swift's stability contract: same seed → same bytes, across toolchains.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable, Codable {
    /// The whole state; save it to checkpoint, assign it to restore.
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for an independent stream derived from this seed (e.g. one per thread or
    /// per purpose), so that adding draws to one stream does not shift another.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SeededGenerator(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state = mixer.next()
    }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform integer in `0..<bound` (Lemire's multiply-shift with rejection: unbiased).
    @inlinable
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold {
                product = next().multipliedFullWidth(by: b)
            }
        }
        return Int(product.high)
    }

    /// Uniform `Float` in [0, 1) with 24 random bits.
    @inlinable
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform `Double` in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Standard normal draw (Box–Muller; one of the pair is discarded to keep the state simple).
    @inlinable
    public mutating func nextGaussian() -> Double {
        var u = nextUnitDouble()
        while u <= 0 { u = nextUnitDouble() }
        let v = nextUnitDouble()
        return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
    }

    /// Fisher–Yates shuffle with our own index draws (stable across toolchains).
    @inlinable
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@usableFromInline func _log(_ x: Double) -> Double { log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { cos(x) }
