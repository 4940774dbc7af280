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
        /// Features fₖ, rows padded to a multiple of 4 and columns to `featureStride` (zeros).
        var features: [Float]
        var featureStride: Int
        /// Pre-activations W₁fₖ + b₁, rows × `hiddenStride`.
        var preActivations: [Float]
        var hiddenStride: Int
        /// Outputs oₖ before the softplus.
        var outputs: [Float]
        /// δₖ = softplus(oₖ).
        public var weights: [Float]
    }

    /// Builds fₖ from the node table and evaluates δₖ for every triplet.
    /// W₁fₖ for the whole batch is one `SmallGEMM` product (F · W₁ᵀ).
    public func forward(embeddings: [Float], triplets: NodeTriplets, threads: Int = 1) -> Activations {
        let n = triplets.count, f = inputWidth, h = hidden, d = dim
        let rows = (n + 3) / 4 * 4, fs = (f + 15) / 16 * 16, hs = (h + 15) / 16 * 16
        var features = [Float](repeating: 0, count: rows * fs)
        for k in 0..<n {
            let u = triplets.users[k] * d, i = triplets.positives[k] * d, j = triplets.negatives[k] * d
            let o = k * fs
            for c in 0..<d {
                let eu = embeddings[u + c], ei = embeddings[i + c], ej = embeddings[j + c]
                features[o + c] = eu
                features[o + d + c] = ei
                features[o + 2 * d + c] = ej
                features[o + 3 * d + c] = eu * ei
                features[o + 4 * d + c] = eu * ej
            }
        }
        var w1t = [Float](repeating: 0, count: fs * hs)
        for r in 0..<h { for c in 0..<f { w1t[c * hs + r] = parameters[w1Offset + r * f + c] } }
        var pre = [Float](repeating: 0, count: rows * hs)
        features.withUnsafeBufferPointer { pf in w1t.withUnsafeBufferPointer { pw in pre.withUnsafeMutableBufferPointer { pz in
            SmallGEMM.multiply(m: rows, n: hs, k: fs, x: pf.baseAddress!, xRow: fs, xColumn: 1,
                               y: pw.baseAddress!, ldy: hs, c: pz.baseAddress!, ldc: hs, threads: threads)
        }}}
        var outputs = [Float](repeating: 0, count: n)
        for k in 0..<n {
            var out = parameters[cOffset]
            for r in 0..<h {
                let z = pre[k * hs + r] + parameters[b1Offset + r]
                pre[k * hs + r] = z
                if z > 0 { out += parameters[w2Offset + r] * z }
            }
            outputs[k] = out
        }
        return Activations(features: features, featureStride: fs, preActivations: pre, hiddenStride: hs,
                           outputs: outputs, weights: outputs.map(StableMath.softplus))
    }

    /// ∂/∂parameters of Σₖ gₖ δₖ, given gₖ = ∂(objective)/∂δₖ (the raw softplus outputs).
    /// ∂W₁ = dZᵀ F is one `SmallGEMM` product; the rest is O(batch · hidden).
    public func backward(_ activations: Activations, weightGradient: [Float], threads: Int = 1) -> [Float] {
        let n = activations.weights.count, f = inputWidth, h = hidden
        let fs = activations.featureStride, hs = activations.hiddenStride
        let rows = activations.features.count / fs
        precondition(weightGradient.count == n)
        var grad = [Float](repeating: 0, count: parameterCount)
        var dz = [Float](repeating: 0, count: rows * hs)
        for k in 0..<n {
            let dOut = weightGradient[k] * StableMath.sigmoid(activations.outputs[k])
            grad[cOffset] += dOut
            for r in 0..<h {
                let z = activations.preActivations[k * hs + r]
                if z > 0 {
                    grad[w2Offset + r] += dOut * z
                    let dzr = dOut * parameters[w2Offset + r]
                    dz[k * hs + r] = dzr
                    grad[b1Offset + r] += dzr
                }
            }
        }
        let hRows = (h + 3) / 4 * 4
        var dW1 = [Float](repeating: 0, count: hRows * fs)
        dz.withUnsafeBufferPointer { pz in activations.features.withUnsafeBufferPointer { pf in
            dW1.withUnsafeMutableBufferPointer { pw in
                SmallGEMM.multiply(m: hRows, n: fs, k: rows, x: pz.baseAddress!, xRow: 1, xColumn: hs,
                                   y: pf.baseAddress!, ldy: fs, c: pw.baseAddress!, ldc: fs, threads: threads)
            }
        }}
        for r in 0..<h { for c in 0..<f { grad[w1Offset + r * f + c] = dW1[r * fs + c] } }
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
