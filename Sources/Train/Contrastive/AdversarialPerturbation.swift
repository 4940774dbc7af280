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
        precondition(base == nil || base!.count == gradient.count)
        let rows = gradient.count / dim
        var delta = [Float](repeating: 0, count: gradient.count)
        var draw = [Float](repeating: 0, count: dim)
        for n in 0..<rows {
            let o = n * dim
            let gNorm = rowNorm(gradient, o, dim)
            if gNorm == 0 { continue }
            var size = epsilon
            if let base { size *= rowNorm(base, o, dim) }
            switch direction {
            case .adversarial:
                let s = size / gNorm
                for c in 0..<dim { delta[o + c] = gradient[o + c] * s }
            case .random:
                var sq: Float = 0
                for c in 0..<dim { let z = Float(generator.nextGaussian()); draw[c] = z; sq += z * z }
                let s = sq > 0 ? size / sq.squareRoot() : 0
                for c in 0..<dim { delta[o + c] = draw[c] * s }
            }
        }
        return delta
    }

    static func rowNorm(_ x: [Float], _ offset: Int, _ dim: Int) -> Float {
        var sq: Float = 0
        for c in 0..<dim { sq += x[offset + c] * x[offset + c] }
        return sq.squareRoot()
    }
}

/// XSimGCL / SimGCL's uniform noise: H += ε · sign(H) ⊙ normalize(U(0,1)ᵈ) per row.
///
/// Why this shape: the noise keeps each coordinate in its own orthant (sign(H)) and has norm ε per
/// row, a small rotation rather than a random jump. sign(0) = 0, so zero rows (isolated nodes)
/// stay zero. The noise is a constant for the backward pass (sign has zero derivative), so a
/// noisy propagation is back-propagated exactly like a clean one.
public enum UniformSignNoise {
    /// Adds the noise in place; draws dim uniforms per row, in row order.
    public static func add(to h: inout [Float], dim: Int, epsilon: Float, generator: inout SeededGenerator) {
        let rows = h.count / dim
        var u = [Float](repeating: 0, count: dim)
        for n in 0..<rows {
            var sq: Float = 0
            for c in 0..<dim { let x = generator.nextUnitFloat(); u[c] = x; sq += x * x }
            let s = epsilon / max(sq.squareRoot(), 1e-12)
            let o = n * dim
            for c in 0..<dim {
                let x = h[o + c]
                let sign: Float = x > 0 ? 1 : (x < 0 ? -1 : 0)
                h[o + c] = x + sign * u[c] * s
            }
        }
    }
}
