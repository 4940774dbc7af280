import Core
import Graph

/// The perturbed LightGCN encoder of SimGCL and XSimGCL (SELFRec `model/graph/XSimGCL.py`):
/// Hₗ₊₁ = Â Hₗ + ε·sign(ÂHₗ)⊙normalize(U(0,1)) for l = 0..L−1, H₀ = E⁽⁰⁾; the final embedding is the
/// mean of layers 1..L (without layer 0, as the reference code does), and the contrastive partner is
/// layer l*'s (noisy) output.
///
/// Why a type of its own: the noise is a constant for the backward pass, so the encoder is affine
/// in E⁽⁰⁾ and its backward is the transposed (= same, Â symmetric) recursion below — one
/// propagation per layer, the same cost as the forward.
public enum NoisyPropagation {
    /// The final (layer-mean) embeddings and the contrastive layer's output.
    public struct Output: Sendable {
        public var final: [Float]
        public var contrastLayer: [Float]
    }

    /// Forward pass; `epsilon == 0` gives the clean encoder (used for evaluation).
    /// `contrastLayer` is 1-based (1...layers).
    public static func forward(graph: NormalizedGraph, initial: [Float], dim: Int, layers: Int,
                               epsilon: Float, contrastLayer: Int,
                               generator: inout SeededGenerator, threads: Int) -> Output {
        precondition(layers >= 1 && (1...layers).contains(contrastLayer))
        var h = initial
        var next = [Float](repeating: 0, count: h.count)
        var final = [Float](repeating: 0, count: h.count)
        var contrast: [Float] = []
        for layer in 1...layers {
            Propagation.multiply(graph, h, dim: dim, into: &next, threads: threads)
            if epsilon != 0 { UniformSignNoise.add(to: &next, dim: dim, epsilon: epsilon, generator: &generator) }
            swap(&h, &next)
            for n in final.indices { final[n] += h[n] }
            if layer == contrastLayer { contrast = h }
        }
        let scale = 1 / Float(layers)
        for n in final.indices { final[n] *= scale }
        return Output(final: final, contrastLayer: contrast)
    }

    /// ∂/∂E⁽⁰⁾ from ∂/∂final and ∂/∂contrastLayer (either may be empty for zero).
    public static func backward(graph: NormalizedGraph, finalGradient: [Float], contrastGradient: [Float],
                                count: Int, dim: Int, layers: Int, contrastLayer: Int, threads: Int) -> [Float] {
        let scale = 1 / Float(layers)
        // gₗ = ∂/∂Hₗ = final/L + [l = l*]·contrast + Â gₗ₊₁, from l = L down to 1; ∂/∂H₀ = Â g₁.
        var g = [Float](repeating: 0, count: count)
        var propagated = [Float](repeating: 0, count: count)
        for layer in stride(from: layers, through: 1, by: -1) {
            if layer < layers {
                Propagation.multiply(graph, g, dim: dim, into: &propagated, threads: threads)
                swap(&g, &propagated)
            }
            if !finalGradient.isEmpty { for n in 0..<count { g[n] += finalGradient[n] * scale } }
            if layer == contrastLayer && !contrastGradient.isEmpty {
                for n in 0..<count { g[n] += contrastGradient[n] }
            }
        }
        Propagation.multiply(graph, g, dim: dim, into: &propagated, threads: threads)
        return propagated
    }
}
