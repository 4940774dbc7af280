import Core

/// XSimGCL / SimGCL's uniform noise: H += ε · sign(H) ⊙ normalize(U(0,1)ᵈ) per row.
///
/// Why this shape: the noise keeps each coordinate in its own orthant (sign(H)) and has norm ε per
/// row, a small rotation rather than a random jump. sign(0) = 0, so zero rows (isolated nodes)
/// stay zero. The noise is a constant for the backward pass (sign has zero derivative), so a
/// noisy propagation is back-propagated exactly like a clean one.
/// The uniforms of row n are a pure function of (key, n) (`NoiseKernel`): noise for a subset of
/// rows equals the full table's noise there, and the thread count never changes the bytes.
public enum UniformSignNoise {
    /// Adds the noise in place with a key drawn from `generator` (one draw per call).
    public static func add(to h: inout [Float], dim: Int, epsilon: Float, generator: inout SeededGenerator) {
        add(to: &h, dim: dim, epsilon: epsilon, key: generator.next(), rows: nil, threads: 1)
    }

    /// Adds the noise of `key` to the rows `rows` (all rows when nil; ascending or not, distinct).
    public static func add(to h: inout [Float], dim: Int, epsilon: Float, key: UInt64, rows: [Int]?, threads: Int) {
        precondition(dim > 0 && h.count % dim == 0)
        let n = h.count / dim
        precondition(rows?.allSatisfy { $0 >= 0 && $0 < n } ?? true, "noise rows out of range")
        guard n > 0 else { return }
        h.withUnsafeMutableBufferPointer { hp in
            if let rows {
                rows.withUnsafeBufferPointer { rp in
                    NoiseKernel.add(hp.baseAddress!, nodeCount: n, dim: dim, epsilon: epsilon, key: key, rows: rp, threads: threads)
                }
            } else {
                NoiseKernel.add(hp.baseAddress!, nodeCount: n, dim: dim, epsilon: epsilon, key: key, rows: nil, threads: threads)
            }
        }
    }
}
