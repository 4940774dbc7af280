import Core

/// Sparse × dense products with Â: the hottest loop of every graph model, forward and backward.
///
/// Why this shape: Y = Â X is memory-bound (each nonzero pulls one d-wide row of X), so the kernel
/// keeps a whole output row in SIMD registers (d = 64: four `SIMD16<Float>` accumulators), walks
/// the row's nonzeros once, and writes the row once. Rows are split over threads in contiguous
/// blocks balanced by nonzeros; every row is computed the same way whichever block holds it, so
/// any thread count gives the same bytes. Â is symmetric, so the same call is its own adjoint.
///
/// All pointer work lives in `SpMMKernel` (file `SpMMKernel.swift`); this is the safe API.
public enum Propagation {
    /// y = Â x, x and y row-major nodeCount × dim. `y` is resized if it has the wrong length.
    public static func multiply(_ graph: NormalizedGraph, _ x: [Float], dim: Int, into y: inout [Float], threads: Int = 1) {
        precondition(dim > 0, "dim must be positive")
        precondition(x.count == graph.nodeCount * dim, "x has \(x.count) floats, expected nodeCount \(graph.nodeCount) × dim \(dim)")
        if y.count != x.count { y = [Float](repeating: 0, count: x.count) }
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in multiply(graph, xp, dim: dim, into: yp, threads: threads) }
        }
    }

    /// y = Â x over caller-owned buffers (e.g. a slice of a parameter block). They must not overlap.
    public static func multiply(_ graph: NormalizedGraph, _ x: UnsafeBufferPointer<Float>, dim: Int,
                                into y: UnsafeMutableBufferPointer<Float>, threads: Int = 1) {
        let count = graph.nodeCount * dim
        precondition(dim > 0 && x.count == count && y.count == count, "x and y must hold nodeCount × dim floats")
        guard count > 0, let xb = x.baseAddress, let yb = y.baseAddress else { return }
        precondition(!overlap(xb, yb, count), "x and y must not overlap")
        SpMMKernel.run(graph, dim: dim, threads: threads, x: xb, epilogue: .init(y: yb, out: nil, base: nil, scale: nil))
    }

    /// out = (1/(L+1)) Σ_{l=0..L} Âˡ x — the LightGCN layer mean; also its own adjoint (backward).
    ///
    /// Fused: each layer's output row is added into `out` while still in registers, the first
    /// layer seeds `out` from x, and the last layer's product is never stored, so L layers cost
    /// L sparse products plus one pass over `out` per layer and at most two scratch buffers.
    public static func layerMean(_ graph: NormalizedGraph, _ x: [Float], dim: Int, layers: Int, into out: inout [Float],
                                 threads: Int = 1) {
        let workspace = PropagationWorkspace()
        layerMean(graph, x, dim: dim, layers: layers, into: &out, threads: threads, workspace: workspace)
    }

    /// `layerMean` reusing the scratch buffers of `workspace` across calls (no per-call allocation).
    public static func layerMean(_ graph: NormalizedGraph, _ x: [Float], dim: Int, layers: Int, into out: inout [Float],
                                 threads: Int = 1, workspace: PropagationWorkspace) {
        precondition(dim > 0, "dim must be positive")
        precondition(x.count == graph.nodeCount * dim, "x has \(x.count) floats, expected nodeCount \(graph.nodeCount) × dim \(dim)")
        if out.count != x.count { out = [Float](repeating: 0, count: x.count) }
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                layerMean(graph, xp, dim: dim, layers: layers, into: op, threads: threads, workspace: workspace)
            }
        }
    }

    /// `layerMean` over caller-owned buffers. `x` and `out` must not overlap.
    public static func layerMean(_ graph: NormalizedGraph, _ x: UnsafeBufferPointer<Float>, dim: Int, layers: Int,
                                 into out: UnsafeMutableBufferPointer<Float>, threads: Int = 1,
                                 workspace: PropagationWorkspace = PropagationWorkspace()) {
        let count = graph.nodeCount * dim
        precondition(layers >= 0, "layers must be ≥ 0")
        precondition(dim > 0 && x.count == count && out.count == count, "x and out must hold nodeCount × dim floats")
        guard count > 0, let xb = x.baseAddress, let ob = out.baseAddress else { return }
        precondition(!overlap(xb, UnsafeMutablePointer(mutating: ob), count), "x and out must not overlap")
        if layers == 0 {
            ob.update(from: xb, count: count)
            return
        }
        let scratch = workspace.buffers(count: count, needed: min(layers - 1, 2))
        let scale = 1 / Float(layers + 1)
        for l in 1...layers {
            // Layer l writes scratch[(l-1) % 2] (unless it is the last) and reads layer l-1's.
            let source = l == 1 ? xb : UnsafePointer(scratch[(l - 2) % 2])
            let epilogue = SpMMKernel.Epilogue(y: l < layers ? scratch[(l - 1) % 2] : nil, out: ob,
                                               base: l == 1 ? xb : UnsafePointer(ob), scale: l == layers ? scale : nil)
            SpMMKernel.run(graph, dim: dim, threads: threads, x: source, epilogue: epilogue)
        }
    }

    private static func overlap(_ a: UnsafePointer<Float>, _ b: UnsafeMutablePointer<Float>, _ count: Int) -> Bool {
        let a0 = UInt(bitPattern: a), b0 = UInt(bitPattern: b), bytes = UInt(count * MemoryLayout<Float>.stride)
        return a0 < b0 + bytes && b0 < a0 + bytes
    }
}

/// Scratch buffers for `Propagation.layerMean`, kept between calls so a training loop allocates
/// (and page-faults) its two N×d intermediates once, not every step.
///
/// Not safe to use from two concurrent calls; give each concurrent caller its own workspace.
public final class PropagationWorkspace: @unchecked Sendable {
    private var storage: [UnsafeMutableBufferPointer<Float>] = []

    public init() {}

    deinit {
        for b in storage { b.deallocate() }
    }

    /// `needed` buffers of at least `count` floats each (contents unspecified).
    func buffers(count: Int, needed: Int) -> [UnsafeMutablePointer<Float>] {
        for k in 0..<needed {
            if k < storage.count && storage[k].count >= count { continue }
            let fresh = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            fresh.initialize(repeating: 0)
            if k < storage.count {
                storage[k].deallocate()
                storage[k] = fresh
            } else {
                storage.append(fresh)
            }
        }
        return storage.prefix(needed).map { $0.baseAddress! }
    }
}
