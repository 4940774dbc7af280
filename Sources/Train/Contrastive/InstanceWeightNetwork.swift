import Core

/// The ACCF instance-weight network: δₖ = softplus(w₂ᵀ relu(W₁ fₖ + b₁) + c), fₖ = [eᵤ, eᵢ, eⱼ,
/// eᵤ⊙eᵢ, eᵤ⊙eⱼ] (5d features from the propagated embeddings).
///
/// Why it starts uniform: the findings (DESIGN.md) show uniform weights are the bar to beat and
/// that an unbounded softplus drifts to a few huge weights, so w₂ starts at zero and c at
/// softplus⁻¹(1) — every δ is exactly 1 until the outer update moves it — and `WeightBounding`
/// can renormalize the weights to batch mean 1 and clip them.
///
/// Parameters live in one flat array (`parameters`) so that checkpoints and the meta optimizer
/// treat them as a single tensor: W₁ (hidden × 5d, row-major), b₁ (hidden), w₂ (hidden), c (1).
public struct InstanceWeightNetwork: Sendable, Equatable {
    public let dim: Int
    public let hidden: Int
    public var parameters: [Float]

    /// Input width 5d.
    public var inputWidth: Int { 5 * dim }
    var w1Offset: Int { 0 }
    var b1Offset: Int { hidden * inputWidth }
    var w2Offset: Int { b1Offset + hidden }
    var cOffset: Int { w2Offset + hidden }
    /// Number of parameters.
    public var parameterCount: Int { cOffset + 1 }

    /// softplus⁻¹(1) = log(e − 1): the output bias that makes every initial weight exactly 1.
    public static let uniformBias: Float = 0.541_324_854_6

    /// Xavier-uniform W₁ from the seeded generator, zero b₁ and w₂, c = softplus⁻¹(1).
    public init(dim: Int, hidden: Int, generator: inout SeededGenerator) {
        precondition(dim > 0 && hidden > 0)
        self.dim = dim
        self.hidden = hidden
        parameters = []
        parameters = [Float](repeating: 0, count: parameterCount)
        let bound = (6 / Float(inputWidth + hidden)).squareRoot()
        for p in 0..<(hidden * inputWidth) {
            parameters[p] = (2 * generator.nextUnitFloat() - 1) * bound
        }
        parameters[cOffset] = Self.uniformBias
    }

    /// Restores a network from saved parameters.
    public init(dim: Int, hidden: Int, parameters: [Float]) {
        self.dim = dim
        self.hidden = hidden
        self.parameters = parameters
        precondition(parameters.count == parameterCount, "instance-weight parameter count mismatch")
    }

    /// What the backward pass needs from the forward pass.
    public struct Activations: Sendable {
        /// Features fₖ, count × 5d.
        var features: [Float]
        /// Pre-activations W₁fₖ + b₁, count × hidden.
        var preActivations: [Float]
        /// Outputs oₖ before the softplus.
        var outputs: [Float]
        /// δₖ = softplus(oₖ).
        public var weights: [Float]
    }

    /// Builds fₖ from the node table and evaluates δₖ for every triplet.
    public func forward(embeddings: [Float], triplets: NodeTriplets, threads: Int = 1) -> Activations {
        let n = triplets.count, f = inputWidth, h = hidden, d = dim
        var features = [Float](repeating: 0, count: n * f)
        for k in 0..<n {
            let u = triplets.users[k] * d, i = triplets.positives[k] * d, j = triplets.negatives[k] * d
            let o = k * f
            for c in 0..<d {
                let eu = embeddings[u + c], ei = embeddings[i + c], ej = embeddings[j + c]
                features[o + c] = eu
                features[o + d + c] = ei
                features[o + 2 * d + c] = ej
                features[o + 3 * d + c] = eu * ei
                features[o + 4 * d + c] = eu * ej
            }
        }
        var pre = [Float](repeating: 0, count: n * h)
        var outputs = [Float](repeating: 0, count: n)
        let (b1, w2, cOff) = (b1Offset, w2Offset, cOffset)
        parameters.withUnsafeBufferPointer { pp in features.withUnsafeBufferPointer { pf in
            pre.withUnsafeMutableBufferPointer { pz in outputs.withUnsafeMutableBufferPointer { po in
                let P = SharedConstFloats(base: pp.baseAddress!), F = SharedConstFloats(base: pf.baseAddress!)
                let Z = SharedFloats(base: pz.baseAddress!), O = SharedFloats(base: po.baseAddress!)
                Parallel.run(Parallel.evenRanges(count: n, parts: threads)) { _, range in
                    for k in range {
                        var out = P.base[cOff]
                        for r in 0..<h {
                            let z = RowKernels.dot(P.base + r * f, F.base + k * f, f) + P.base[b1 + r]
                            Z.base[k * h + r] = z
                            if z > 0 { out += P.base[w2 + r] * z }
                        }
                        O.base[k] = out
                    }
                }
            }}
        }}
        return Activations(features: features, preActivations: pre, outputs: outputs,
                           weights: outputs.map(StableMath.softplus))
    }

    /// ∂/∂parameters of Σₖ gₖ δₖ, given gₖ = ∂(objective)/∂δₖ (the raw softplus outputs).
    /// Accumulated serially in triplet order: same bytes for any thread count.
    public func backward(_ activations: Activations, weightGradient: [Float]) -> [Float] {
        let n = activations.weights.count, f = inputWidth, h = hidden
        precondition(weightGradient.count == n)
        var grad = [Float](repeating: 0, count: parameterCount)
        let (b1, w2, cOff) = (b1Offset, w2Offset, cOffset)
        var dz = [Float](repeating: 0, count: h)
        grad.withUnsafeMutableBufferPointer { pg in activations.features.withUnsafeBufferPointer { pf in
            let g = pg.baseAddress!, feat = pf.baseAddress!
            for k in 0..<n {
                let dOut = weightGradient[k] * StableMath.sigmoid(activations.outputs[k])
                if dOut == 0 { continue }
                g[cOff] += dOut
                for r in 0..<h {
                    let z = activations.preActivations[k * h + r]
                    if z > 0 {
                        g[w2 + r] += dOut * z
                        dz[r] = dOut * parameters[w2 + r]
                    } else {
                        dz[r] = 0
                    }
                }
                for r in 0..<h where dz[r] != 0 {
                    g[b1 + r] += dz[r]
                    RowKernels.axpy(dz[r], feat + k * f, g + r * f, f)
                }
            }
        }}
        return grad
    }
}

/// How raw network outputs become the weights the loss uses.
///
/// Why: Σδl/Σδ is invariant to scaling δ, but an unbounded softplus lets a few triplets take almost
/// all the weight (the findings measured a max weight 170–1,900× the mean). `meanOneClipped`
/// divides by the batch mean and clips at `clip`, bounding any triplet's share.
public enum WeightBounding: Sendable, Equatable, Codable {
    case none
    case meanOneClipped(clip: Float)

    /// δ̂ from raw δ.
    public func apply(_ raw: [Float]) -> [Float] {
        switch self {
        case .none: return raw
        case .meanOneClipped(let clip):
            let mean = Self.mean(raw)
            guard mean > 0 else { return raw.map { _ in 1 } }
            return raw.map { min($0 / mean, clip) }
        }
    }

    /// ∂/∂δ from ∂/∂δ̂ (chain rule through the mean and the clip; a clipped weight passes nothing).
    public func backward(raw: [Float], gradient: [Float]) -> [Float] {
        switch self {
        case .none: return gradient
        case .meanOneClipped(let clip):
            let mean = Self.mean(raw)
            guard mean > 0 else { return gradient.map { _ in 0 } }
            let n = Float(raw.count)
            // δ̂ₖ = δₖ/μ (unclipped): ∂δ̂ₖ/∂δⱼ = [k=j]/μ − δₖ/(μ² n).
            var cross: Float = 0
            var active = [Bool](repeating: false, count: raw.count)
            for k in raw.indices where raw[k] / mean < clip {
                active[k] = true
                cross += gradient[k] * raw[k]
            }
            let shared = cross / (mean * mean * n)
            return raw.indices.map { j in (active[j] ? gradient[j] / mean : 0) - shared }
        }
    }

    static func mean(_ x: [Float]) -> Float {
        x.isEmpty ? 0 : Float(x.reduce(0.0) { $0 + Double($1) } / Double(x.count))
    }
}
