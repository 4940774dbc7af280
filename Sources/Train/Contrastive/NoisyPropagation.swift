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
/// Why an object: a training step needs the outputs only on the batch's rows (`rows`), so the
/// last layer is computed there alone and the backward starts from a batch-sparse gradient; the
/// N × d buffers are kept between steps instead of being allocated (and page-faulted) every step.
/// Not safe for concurrent use.
public final class NoisyEncoder {
    let graph: NormalizedGraph
    let dim: Int
    let layers: Int
    let contrastLayer: Int
    let workspace = PropagationWorkspace()
    /// Mean of layers 1..L and layer l*'s output (exact on the last forward's `rows`, or everywhere).
    public private(set) var final: [Float]
    public private(set) var contrast: [Float]
    private var current: [Float], previous: [Float]
    /// Backward buffers: `seed` is zero outside the rows of a step between calls; `dense*` are scratch.
    private var seed: [Float], denseA: [Float], denseB: [Float]

    /// `contrastLayer` is 1-based (1...layers).
    public init(graph: NormalizedGraph, dim: Int, layers: Int, contrastLayer: Int) {
        precondition(layers >= 1 && (1...layers).contains(contrastLayer))
        self.graph = graph
        self.dim = dim
        self.layers = layers
        self.contrastLayer = contrastLayer
        let n = graph.nodeCount * dim
        final = [Float](repeating: 0, count: n)
        contrast = final; current = final; previous = final
        seed = []; denseA = []; denseB = []  // allocated by the first backward
    }

    /// Forward pass with noise of norm `epsilon` (0: the clean encoder; one key per layer is drawn
    /// from `generator` otherwise). With `rows` (ascending, distinct) `final` and `contrast` are
    /// exact on those rows only.
    public func forward(_ initial: [Float], epsilon: Float, generator: inout SeededGenerator, rows: [Int]?, threads: Int) {
        precondition(initial.count == final.count)
        let keys = epsilon == 0 ? [] : (0..<layers).map { _ in generator.next() }
        let scale = 1 / Float(layers)
        for layer in 1...layers {
            let restricted = layer == layers ? rows : nil
            Propagation.multiply(graph, layer == 1 ? initial : previous, dim: dim, into: &current, inputRows: nil,
                                 outputRows: restricted, threads: threads, workspace: workspace)
            if epsilon != 0 {
                UniformSignNoise.add(to: &current, dim: dim, epsilon: epsilon, key: keys[layer - 1], rows: restricted, threads: threads)
            }
            contrast.withUnsafeMutableBufferPointer { c in
                RowOps.accumulate(current, into: &final, copy: layer == contrastLayer ? c.baseAddress! : nil, rows: rows, dim: dim,
                                  first: layer == 1, scale: layer == layers ? scale : nil, threads: threads)
            }
            swap(&current, &previous)
        }
    }

    /// ∂/∂E⁽⁰⁾ from ∂/∂final and ∂/∂contrast (either may be empty for zero) into `gradient`.
    /// With `rows` (ascending, distinct), both are zero outside those rows.
    public func backward(finalGradient: [Float], contrastGradient: [Float], rows: [Int]?, into gradient: inout [Float], threads: Int) {
        let count = final.count
        precondition(finalGradient.isEmpty || finalGradient.count == count)
        precondition(contrastGradient.isEmpty || contrastGradient.count == count)
        if gradient.count != count { gradient = [Float](repeating: 0, count: count) }
        let scale = 1 / Float(layers)
        // gₗ = ∂/∂Hₗ = final/L + [l = l*]·contrast + Â gₗ₊₁, from l = L down to 1; ∂/∂H₀ = Â g₁.
        // With rows, g_L is batch-sparse (built in `seed`) and its product costs the batch's nonzeros.
        var sparseSeed: [Float] = [], a: [Float] = [], b: [Float] = []
        swap(&sparseSeed, &seed); swap(&a, &denseA); swap(&b, &denseB)
        for k in [0, 1, 2] where [sparseSeed, a, b][k].isEmpty {
            let zeros = [Float](repeating: 0, count: count)
            if k == 0 { sparseSeed = zeros } else if k == 1 { a = zeros } else { b = zeros }
        }
        defer { swap(&sparseSeed, &seed); swap(&a, &denseA); swap(&b, &denseB) }
        func propagateSeed(into out: inout [Float]) {
            if let rows {
                RowOps.combine(finalGradient, scale: scale, contrastGradient, addB: layers == contrastLayer, into: &sparseSeed,
                               rows: rows, dim: dim, overwrite: true, threads: threads)
                Propagation.multiply(graph, sparseSeed, dim: dim, into: &out, inputRows: rows, outputRows: nil, threads: threads)
                sparseSeed.zeroRows(rows, dim: dim)  // zero outside the next step's rows again
            } else {
                RowOps.combine(finalGradient, scale: scale, contrastGradient, addB: layers == contrastLayer, into: &b,
                               rows: nil, dim: dim, overwrite: true, threads: threads)
                Propagation.multiply(graph, b, dim: dim, into: &out, threads: threads, workspace: workspace)
            }
        }
        if layers == 1 {
            propagateSeed(into: &gradient)
            return
        }
        propagateSeed(into: &a)
        for layer in stride(from: layers - 1, through: 1, by: -1) {
            RowOps.combine(finalGradient, scale: scale, contrastGradient, addB: layer == contrastLayer, into: &a, rows: rows,
                           dim: dim, overwrite: false, threads: threads)
            if layer == 1 {
                Propagation.multiply(graph, a, dim: dim, into: &gradient, threads: threads, workspace: workspace)
            } else {
                Propagation.multiply(graph, a, dim: dim, into: &b, threads: threads, workspace: workspace)
                swap(&a, &b)
            }
        }
    }
}

/// The old stateless entry points, on a temporary encoder (tests, evaluation).
public enum NoisyPropagation {
    /// The final (layer-mean) embeddings and the contrastive layer's output.
    public struct Output: Sendable {
        public var final: [Float]
        public var contrastLayer: [Float]
    }

    /// Forward pass on all rows; `epsilon == 0` gives the clean encoder (used for evaluation).
    public static func forward(graph: NormalizedGraph, initial: [Float], dim: Int, layers: Int,
                               epsilon: Float, contrastLayer: Int,
                               generator: inout SeededGenerator, threads: Int) -> Output {
        let encoder = NoisyEncoder(graph: graph, dim: dim, layers: layers, contrastLayer: contrastLayer)
        encoder.forward(initial, epsilon: epsilon, generator: &generator, rows: nil, threads: threads)
        return Output(final: encoder.final, contrastLayer: encoder.contrast)
    }

    /// ∂/∂E⁽⁰⁾ from ∂/∂final and ∂/∂contrastLayer (either may be empty for zero).
    public static func backward(graph: NormalizedGraph, finalGradient: [Float], contrastGradient: [Float],
                                count: Int, dim: Int, layers: Int, contrastLayer: Int, threads: Int) -> [Float] {
        let encoder = NoisyEncoder(graph: graph, dim: dim, layers: layers, contrastLayer: contrastLayer)
        var out = [Float](repeating: 0, count: count)
        encoder.backward(finalGradient: finalGradient, contrastGradient: contrastGradient, rows: nil, into: &out, threads: threads)
        return out
    }
}
