import Core
import Graph

/// The one-step-lookahead hypergradient of the validation loss w.r.t. the instance weights.
///
/// Θ′(δ) = Θ − α ∇_Θ L_ibpr(Θ; δ); we want ∂L_val(Θ′)/∂δₖ. With S = Σδ (DESIGN.md):
/// ∂L_val/∂δₖ = −(α/S)(cₖ − c̄), cₖ = ⟨∇_Θ L_val(Θ′), ∇_Θ lₖ(Θ)⟩, c̄ = Σδₖcₖ/S.
/// Since ∇_Θ = P·∂/∂E and P is symmetric, cₖ = ⟨V, ∂lₖ/∂E⟩ with V = P²·∂L_val/∂E|_{E′}; ∂lₖ/∂E has
/// only the rows u, i, j, so every cₖ costs O(d). Taking V at Θ′ (not Θ) makes it exact — one
/// more propagation than the approximation, and G is the gradient the adversarial step already
/// has. Why not differentiate the weighted training loss instead: that just moves weight onto easy
/// triplets (the "alternating" collapse in the findings).
public enum Hypergradient {
    /// cₖ = ⟨V, ∂lₖ/∂E⟩ = −σ(−xₖ) (⟨Vᵤ, eᵢ − eⱼ⟩ + ⟨Vᵢ − Vⱼ, eᵤ⟩), all at the current E.
    public static func alignments(v: [Float], embeddings: [Float], dim: Int, triplets: NodeTriplets,
                                  slopes: [Float]) -> [Float] {
        precondition(v.count == embeddings.count && slopes.count == triplets.count)
        var c = [Float](repeating: 0, count: triplets.count)
        v.withUnsafeBufferPointer { pv in embeddings.withUnsafeBufferPointer { pe in
            let V = pv.baseAddress!, E = pe.baseAddress!
            for k in 0..<triplets.count {
                let u = triplets.users[k] * dim, i = triplets.positives[k] * dim, j = triplets.negatives[k] * dim
                let inner = RowKernels.dot(V + u, E + i, dim) - RowKernels.dot(V + u, E + j, dim)
                    + RowKernels.dot(V + i, E + u, dim) - RowKernels.dot(V + j, E + u, dim)
                c[k] = -slopes[k] * inner
            }
        }}
        return c
    }

    /// −(α/S)(cₖ − c̄).
    public static func weightGradient(alignments c: [Float], weights: [Float], stepSize: Float) -> [Float] {
        precondition(c.count == weights.count)
        var s: Double = 0, sc: Double = 0
        for k in c.indices { s += Double(weights[k]); sc += Double(weights[k]) * Double(c[k]) }
        guard s > 0 else { return [Float](repeating: 0, count: c.count) }
        let mean = sc / s
        let factor = -Double(stepSize) / s
        return c.map { Float(factor * (Double($0) - mean)) }
    }

    /// The whole outer-step computation: ∂L_val(Θ′)/∂δ for the weights `weights` the inner loss
    /// used, and the validation loss at Θ′ (for monitoring).
    ///
    /// - Parameters:
    ///   - initial: Θ = E⁽⁰⁾.
    ///   - propagated: E = PΘ.
    ///   - trainingGradient: G = ∇_Θ L_ibpr(Θ; δ) (w.r.t. E⁽⁰⁾, no regularizer).
    ///   - slopes: σ(−xₖ) of the training triplets at E (from `WeightedBPR.Result`).
    public static func lookahead(graph: NormalizedGraph, layers: Int, dim: Int, threads: Int,
                                 initial: [Float], propagated: [Float], trainingGradient: [Float],
                                 triplets: NodeTriplets, slopes: [Float], weights: [Float],
                                 validation: NodeTriplets, stepSize: Float,
                                 workspace: PropagationWorkspace = PropagationWorkspace(),
                                 buffers: LookaheadBuffers? = nil) -> (weightGradient: [Float], validationLoss: Float) {
        let b = buffers ?? LookaheadBuffers()
        b.prepare(initial.count)
        for n in initial.indices { b.moved[n] = initial[n] - stepSize * trainingGradient[n] }
        // The validation BPR reads E′ on the validation rows only and its gradient is zero elsewhere;
        // the alignments read V on the training rows only: restrict those propagations.
        let validationRows = NodeTriplets.distinct(validation.users + validation.positives + validation.negatives)
        let trainingRows = NodeTriplets.distinct(triplets.users + triplets.positives + triplets.negatives)
        Propagation.layerMean(graph, b.moved, dim: dim, layers: layers, into: &b.movedE, inputRows: nil, outputRows: validationRows,
                              threads: threads, workspace: workspace)
        let val = WeightedBPR.lossAndGradient(embeddings: b.movedE, dim: dim, triplets: validation,
                                              weights: nil, scale: 1, gradient: &b.gradVal)
        Propagation.layerMean(graph, b.gradVal, dim: dim, layers: layers, into: &b.once, inputRows: validationRows, outputRows: nil,
                              threads: threads, workspace: workspace)
        b.gradVal.zeroRows(validationRows, dim: dim)  // all zero again for the next call
        Propagation.layerMean(graph, b.once, dim: dim, layers: layers, into: &b.v, inputRows: nil, outputRows: trainingRows,
                              threads: threads, workspace: workspace)
        let c = alignments(v: b.v, embeddings: propagated, dim: dim, triplets: triplets, slopes: slopes)
        return (weightGradient(alignments: c, weights: weights, stepSize: stepSize), val.loss)
    }
}

/// The N × d buffers of `Hypergradient.lookahead`, kept between outer steps (five fresh 18 MB
/// arrays per outer step on yelp2018 cost page faults and zeroing). `gradVal` is all zero
/// between calls. Not safe for concurrent use.
public final class LookaheadBuffers {
    var moved: [Float] = [], movedE: [Float] = [], gradVal: [Float] = [], once: [Float] = [], v: [Float] = []

    public init() {}

    func prepare(_ count: Int) {
        guard moved.count != count else { return }
        moved = [Float](repeating: 0, count: count)
        movedE = moved; gradVal = moved; once = moved; v = moved
    }
}
