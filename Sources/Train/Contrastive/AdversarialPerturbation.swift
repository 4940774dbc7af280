import Core

/// The fast-gradient-method perturbation of the initial embeddings, Δₙ = ε Gₙ/‖Gₙ‖ per row n.
///
/// G = P·∂L_ibpr/∂E is non-zero on every node within L hops of the batch, so all N rows are
/// normalized and rows that are exactly zero stay zero (DESIGN.md, "Findings"). Two options the
/// findings motivate: `relativeToRow` scales ε by the row's own norm ‖E⁽⁰⁾ₙ‖ (embedding norms grow
/// ~20× in training, so an absolute ε is huge early and tiny late), and `random` replaces the
/// adversarial direction by a random unit direction of the same norm (the ablation that shows
/// whether the *direction* matters).
public enum AdversarialPerturbation {
    /// Where the perturbation points.
    public enum Direction: String, Sendable, Codable, CaseIterable {
        /// Along the loss gradient (fast gradient method).
        case adversarial
        /// A uniformly random unit direction per row, on the rows the gradient touches.
        case random
    }

    /// Δ (node-table shaped). `base` is E⁽⁰⁾, used only when `relativeToRow` is set; `generator`
    /// only for `.random` (one Gaussian draw per coordinate of every touched row, in row order).
    public static func delta(gradient: [Float], dim: Int, epsilon: Float, direction: Direction,
                             relativeToRow base: [Float]?, generator: inout SeededGenerator) -> [Float] {
        var out: [Float] = []
        delta(gradient: gradient, dim: dim, epsilon: epsilon, direction: direction, relativeToRow: base,
              generator: &generator, into: &out, threads: 1)
        return out
    }

    /// `delta` into a reused buffer (every element is written). The adversarial direction is
    /// split over threads by rows (each row is computed the same way alone); the random one draws
    /// from the generator in row order, on one thread.
    public static func delta(gradient: [Float], dim: Int, epsilon: Float, direction: Direction,
                             relativeToRow base: [Float]?, generator: inout SeededGenerator,
                             into out: inout [Float], threads: Int) {
        precondition(base == nil || base!.count == gradient.count)
        if out.count != gradient.count { out = [Float](repeating: 0, count: gradient.count) }
        let rows = gradient.count / dim
        switch direction {
        case .adversarial:
            gradient.withUnsafeBufferPointer { gp in out.withUnsafeMutableBufferPointer { op in
                let g = SharedConstFloats(base: gp.baseAddress ?? UnsafePointer(bitPattern: 8).unsafelyUnwrapped)
                let d = SharedFloats(base: op.baseAddress ?? UnsafeMutablePointer(bitPattern: 8).unsafelyUnwrapped)
                let b = base.map { array in array.withUnsafeBufferPointer { SharedConstFloats(base: $0.baseAddress!) } }
                withExtendedLifetime(base) {
                    let parts = rows * dim < 1 << 15 ? 1 : max(1, threads)
                    Parallel.run(Parallel.evenRanges(count: rows, parts: parts)) { _, range in
                        for n in range {
                            let o = n * dim
                            let gNorm = RowKernels.dot(g.base + o, g.base + o, dim).squareRoot()
                            if gNorm == 0 { (d.base + o).update(repeating: 0, count: dim); continue }
                            var size = epsilon
                            if let b { size *= RowKernels.dot(b.base + o, b.base + o, dim).squareRoot() }
                            let s = size / gNorm
                            for c in o..<(o + dim) { d.base[c] = g.base[c] * s }
                        }
                    }
                }
            }}
        case .random:
            var draw = [Float](repeating: 0, count: dim)
            for n in 0..<rows {
                let o = n * dim
                for c in 0..<dim { out[o + c] = 0 }
                let gNorm = rowNorm(gradient, o, dim)
                if gNorm == 0 { continue }
                var size = epsilon
                if let base { size *= rowNorm(base, o, dim) }
                var sq: Float = 0
                for c in 0..<dim { let z = Float(generator.nextGaussian()); draw[c] = z; sq += z * z }
                let s = sq > 0 ? size / sq.squareRoot() : 0
                for c in 0..<dim { out[o + c] = draw[c] * s }
            }
        }
    }

    static func rowNorm(_ x: [Float], _ offset: Int, _ dim: Int) -> Float {
        var sq: Float = 0
        for c in 0..<dim { sq += x[offset + c] * x[offset + c] }
        return sq.squareRoot()
    }
}
