/// The instance-weighted BPR loss L = Σₖ δₖ lₖ / Σₖ δₖ, lₖ = softplus(−(eᵤ·eᵢ − eᵤ·eⱼ)).
///
/// Why a weighted mean rather than a weighted sum: the normalization by Σδ makes the loss invariant
/// to the overall scale of the weights, so the weight network can only move emphasis between
/// triplets, never inflate the learning rate. With `weights == nil` it is the plain BPR mean.
/// In the embedding update δ is a constant (DESIGN.md: the embeddings must not learn to lower the
/// weights of their own hard triplets); `weightGradient` gives ∂L/∂δ for the alternating variant.
public enum WeightedBPR {
    /// Loss value and the per-triplet pieces a caller needs for weights and monitoring.
    public struct Result: Sendable {
        /// Σδl/Σδ (or the plain mean without weights).
        public var loss: Float
        /// lₖ per triplet.
        public var tripletLosses: [Float]
        /// σ(−xₖ) = −∂lₖ/∂xₖ per triplet.
        public var slopes: [Float]
    }

    /// Computes the loss on the node table `embeddings` (row-major, width `dim`) and adds
    /// `scale · ∂L/∂E` into `gradient` (same shape), holding the weights constant.
    @discardableResult
    public static func lossAndGradient(embeddings: [Float], dim: Int, triplets: NodeTriplets,
                                       weights: [Float]?, scale: Float,
                                       gradient: inout [Float]) -> Result {
        let n = triplets.count
        precondition(weights == nil || weights!.count == n)
        precondition(gradient.count == embeddings.count)
        var losses = [Float](repeating: 0, count: n)
        var slopes = [Float](repeating: 0, count: n)
        var weightSum: Double = 0, weighted: Double = 0
        embeddings.withUnsafeBufferPointer { eb in
            let e = eb.baseAddress!
            for k in 0..<n {
                let u = triplets.users[k] * dim, i = triplets.positives[k] * dim, j = triplets.negatives[k] * dim
                let x = RowKernels.dot(e + u, e + i, dim) - RowKernels.dot(e + u, e + j, dim)
                losses[k] = StableMath.softplus(-x)
                slopes[k] = StableMath.sigmoid(-x)
                let w = weights.map { Double($0[k]) } ?? 1
                weightSum += w
                weighted += w * Double(losses[k])
            }
            guard n > 0, weightSum > 0 else { return }
            gradient.withUnsafeMutableBufferPointer { gb in
                let g = gb.baseAddress!
                for k in 0..<n {
                    let w = weights.map { Double($0[k]) } ?? 1
                    // ∂L/∂xₖ = −δₖ σ(−xₖ) / S
                    let dx = Float(-w / weightSum) * slopes[k] * scale
                    let u = triplets.users[k] * dim, i = triplets.positives[k] * dim, j = triplets.negatives[k] * dim
                    RowKernels.axpy(dx, e + i, g + u, dim)
                    RowKernels.axpy(-dx, e + j, g + u, dim)
                    RowKernels.axpy(dx, e + u, g + i, dim)
                    RowKernels.axpy(-dx, e + u, g + j, dim)
                }
            }
        }
        let loss = n > 0 && weightSum > 0 ? Float(weighted / weightSum) : 0
        return Result(loss: loss, tripletLosses: losses, slopes: slopes)
    }

    /// ∂L/∂δₖ = (lₖ − L) / Σδ: raising a weight helps exactly when its triplet's loss is above
    /// the current weighted mean.
    public static func weightGradient(tripletLosses: [Float], weights: [Float]) -> [Float] {
        precondition(tripletLosses.count == weights.count)
        var s: Double = 0, wl: Double = 0
        for k in weights.indices { s += Double(weights[k]); wl += Double(weights[k]) * Double(tripletLosses[k]) }
        guard s > 0 else { return [Float](repeating: 0, count: weights.count) }
        let mean = wl / s
        return tripletLosses.map { Float((Double($0) - mean) / s) }
    }
}
