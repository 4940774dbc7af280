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
    ///
    /// A large x is first copied into a huge-page buffer of `workspace` (a temporary one when
    /// nil): see `PropagationWorkspace`. Pass a workspace to reuse that buffer across calls.
    public static func multiply(_ graph: NormalizedGraph, _ x: [Float], dim: Int, into y: inout [Float], threads: Int = 1,
                                workspace: PropagationWorkspace? = nil) {
        precondition(dim > 0, "dim must be positive")
        precondition(x.count == graph.nodeCount * dim, "x has \(x.count) floats, expected nodeCount \(graph.nodeCount) × dim \(dim)")
        if y.count != x.count { y = [Float](repeating: 0, count: x.count) }
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                multiply(graph, xp, dim: dim, into: yp, threads: threads, workspace: workspace)
            }
        }
    }

    /// y = Â x over caller-owned buffers (e.g. a slice of a parameter block). They must not overlap.
    public static func multiply(_ graph: NormalizedGraph, _ x: UnsafeBufferPointer<Float>, dim: Int,
                                into y: UnsafeMutableBufferPointer<Float>, threads: Int = 1,
                                workspace: PropagationWorkspace? = nil) {
        let count = graph.nodeCount * dim
        precondition(dim > 0 && x.count == count && y.count == count, "x and y must hold nodeCount × dim floats")
        guard count > 0, let xb = x.baseAddress, let yb = y.baseAddress else { return }
        precondition(!overlap(xb, yb, count), "x and y must not overlap")
        // The workspace owns the staged copy: keep it alive until the kernel is done.
        let workspace = workspace ?? PropagationWorkspace()
        withExtendedLifetime(workspace) {
            let source = workspace.staged(xb, count: count, threads: threads)
            SpMMKernel.run(graph, dim: dim, threads: threads, x: source, epilogue: .init(y: yb, out: nil, base: nil, scale: nil))
        }
    }

    /// y = Â x restricted like `layerMean(…inputRows:outputRows:)`: with `inputRows` (x is zero
    /// outside them) the product costs those rows' nonzeros and y is complete; with `outputRows`
    /// only those rows of y are computed (the others are left as they are). Either way the
    /// computed rows have the full product's bytes. Lists are ascending and distinct.
    public static func multiply(_ graph: NormalizedGraph, _ x: [Float], dim: Int, into y: inout [Float],
                                inputRows: [Int]?, outputRows: [Int]?, threads: Int = 1,
                                workspace: PropagationWorkspace? = nil) {
        precondition(dim > 0 && x.count == graph.nodeCount * dim, "x must hold nodeCount × dim floats")
        if y.count != x.count { y = [Float](repeating: 0, count: x.count) }
        checkRows(inputRows, graph.nodeCount)
        checkRows(outputRows, graph.nodeCount)
        let inputRows = worthScattering(graph, inputRows)
        guard x.count > 0 else { return }
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                let xb = xp.baseAddress.unsafelyUnwrapped, yb = yp.baseAddress.unsafelyUnwrapped
                precondition(!overlap(xb, yb, x.count), "x and y must not overlap")
                if let inputRows {
                    inputRows.withUnsafeBufferPointer { rows in
                        SparseInputKernel.run(graph, sources: rows, dim: dim, threads: threads, x: xb, y: yb,
                                              epilogue: .init(y: nil, out: nil, base: nil, scale: nil))
                    }
                } else if let outputRows {
                    outputRows.withUnsafeBufferPointer { rows in
                        SpMMKernel.run(graph, rows: rows, dim: dim, threads: threads, x: xb, epilogue: .init(y: yb, out: nil, base: nil, scale: nil))
                    }
                } else {
                    multiply(graph, xp, dim: dim, into: yp, threads: threads, workspace: workspace)
                }
            }
        }
    }

    /// The sparse-input kernel rewrites a destination row per nonzero of the input rows; once
    /// those rows hold a large share of Â's nonzeros (ml-100k: a batch touches most nodes) the
    /// plain gather is cheaper. Both give the same bytes, so this only picks the faster one.
    static func worthScattering(_ graph: NormalizedGraph, _ rows: [Int]?) -> [Int]? {
        guard let rows else { return nil }
        var nonzeros = 0
        graph.rowPointers.withUnsafeBufferPointer { rp in for r in rows { nonzeros += rp[r + 1] - rp[r] } }
        return nonzeros * 3 <= graph.nonzeroCount ? rows : nil
    }

    static func checkRows(_ rows: [Int]?, _ nodeCount: Int) {
        guard let rows else { return }
        for (k, r) in rows.enumerated() {
            precondition(r >= 0 && r < nodeCount && (k == 0 || rows[k - 1] < r), "row lists must be ascending, distinct node rows")
        }
    }

    /// out = (1/(L+1)) Σ_{l=0..L} Âˡ x — the LightGCN layer mean; also its own adjoint (backward).
    ///
    /// Fused: each layer's output row is added into `out` while still in registers, the first
    /// layer seeds `out` from x, and the last layer's product is never stored, so L layers cost
    /// L sparse products plus one pass over `out` per layer and at most two scratch buffers.
    /// Pass a `workspace` to reuse the scratch buffers across calls (a training loop should).
    public static func layerMean(_ graph: NormalizedGraph, _ x: [Float], dim: Int, layers: Int, into out: inout [Float],
                                 threads: Int = 1, workspace: PropagationWorkspace? = nil) {
        precondition(dim > 0, "dim must be positive")
        precondition(x.count == graph.nodeCount * dim, "x has \(x.count) floats, expected nodeCount \(graph.nodeCount) × dim \(dim)")
        if out.count != x.count { out = [Float](repeating: 0, count: x.count) }
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                layerMean(graph, xp, dim: dim, layers: layers, into: op, threads: threads, workspace: workspace)
            }
        }
    }

    /// `layerMean` restricted to what a training step needs, with the full call's bytes where it is defined.
    ///
    /// - `inputRows`: `x` is zero outside these rows (ascending, distinct), e.g. a batch's
    ///   gradient. The first layer then costs those rows' nonzeros instead of all of Â
    ///   (`SparseInputKernel`); `out` is complete and equal, bit for bit, to the full call.
    /// - `outputRows`: only these rows of `out` are wanted (ascending, distinct), e.g. the batch's
    ///   rows in a forward pass. The last layer is computed for them alone; they are equal, bit
    ///   for bit, to the full call, and **the other rows of `out` hold partial sums**.
    /// Why: on yelp2018 a batch's rows carry ~16% of Â's nonzeros, so the last forward layer and
    /// the first backward layer shrink to a sixth of a product each.
    public static func layerMean(_ graph: NormalizedGraph, _ x: [Float], dim: Int, layers: Int, into out: inout [Float],
                                 inputRows: [Int]?, outputRows: [Int]?, threads: Int = 1,
                                 workspace: PropagationWorkspace? = nil) {
        precondition(dim > 0, "dim must be positive")
        precondition(x.count == graph.nodeCount * dim, "x has \(x.count) floats, expected nodeCount \(graph.nodeCount) × dim \(dim)")
        if out.count != x.count { out = [Float](repeating: 0, count: x.count) }
        checkRows(inputRows, graph.nodeCount)
        checkRows(outputRows, graph.nodeCount)
        let inputRows = worthScattering(graph, inputRows)
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                layerMean(graph, xp, dim: dim, layers: layers, into: op, threads: threads, workspace: workspace,
                          inputRows: inputRows, outputRows: outputRows)
            }
        }
    }

    /// `layerMean` over caller-owned buffers. `x` and `out` must not overlap.
    public static func layerMean(_ graph: NormalizedGraph, _ x: UnsafeBufferPointer<Float>, dim: Int, layers: Int,
                                 into out: UnsafeMutableBufferPointer<Float>, threads: Int = 1,
                                 workspace: PropagationWorkspace? = nil) {
        layerMean(graph, x, dim: dim, layers: layers, into: out, threads: threads, workspace: workspace, inputRows: nil, outputRows: nil)
    }

    static func layerMean(_ graph: NormalizedGraph, _ x: UnsafeBufferPointer<Float>, dim: Int, layers: Int,
                          into out: UnsafeMutableBufferPointer<Float>, threads: Int,
                          workspace: PropagationWorkspace?, inputRows: [Int]?, outputRows: [Int]?) {
        let count = graph.nodeCount * dim
        precondition(layers >= 0, "layers must be ≥ 0")
        precondition(dim > 0 && x.count == count && out.count == count, "x and out must hold nodeCount × dim floats")
        guard count > 0, let xb = x.baseAddress, let ob = out.baseAddress else { return }
        precondition(!overlap(xb, UnsafeMutablePointer(mutating: ob), count), "x and out must not overlap")
        if layers == 0 {
            ob.update(from: xb, count: count)
            return
        }
        let workspace = workspace ?? PropagationWorkspace()
        withExtendedLifetime(workspace) {  // it owns the buffers the kernels read and write
            // A sparse input is only read at its rows: no staging copy.
            let input = inputRows == nil ? workspace.staged(xb, count: count, threads: threads) : xb
            let scale = 1 / Float(layers + 1)
            // Sparse input, ≥ 3 layers: the sum x + Âx differs from Âx only on the input rows
            // (elsewhere x is ±0 and Âx is never −0, so the sum is Âx bit for bit). So layer 1
            // stores Âx alone, layer 2 adds onto it, and the input rows are redone afterwards
            // as (x + Âx) + Â²x: the same additions, without a pass over all rows.
            let fold = inputRows != nil && outputRows == nil && layers >= 3
            for l in 1...layers {
                // Layer l writes scratch slot (l-1) % 2 (unless it is the last) and reads layer l-1's.
                let source = l == 1 ? input : UnsafePointer(workspace.buffer((l - 2) % 2, count: count))
                var epilogue = SpMMKernel.Epilogue(y: l < layers ? workspace.buffer((l - 1) % 2, count: count) : nil, out: ob,
                                                   base: l == 1 ? xb : UnsafePointer(ob), scale: l == layers ? scale : nil)
                if l == 1, let inputRows {
                    let y = workspace.buffer(0, count: count)
                    epilogue.y = nil
                    if fold { epilogue.out = nil }
                    inputRows.withUnsafeBufferPointer { rows in
                        SparseInputKernel.run(graph, sources: rows, dim: dim, threads: threads, x: source, y: y, epilogue: epilogue)
                    }
                } else if l == 2, fold, let inputRows {
                    let y1 = workspace.buffer(0, count: count), y2 = workspace.buffer(1, count: count)
                    SpMMKernel.run(graph, dim: dim, threads: threads, x: source, epilogue: .init(y: y2, out: ob, base: UnsafePointer(y1), scale: nil))
                    inputRows.withUnsafeBufferPointer { rows in
                        SpMMKernel.addRows(rows, y: y1, base: xb, out: ob, dim: dim)
                        SpMMKernel.addRows(rows, y: y2, base: UnsafePointer(ob), out: ob, dim: dim)
                    }
                } else if l == layers, let outputRows {
                    outputRows.withUnsafeBufferPointer { rows in
                        SpMMKernel.run(graph, rows: rows, dim: dim, threads: threads, x: source, epilogue: epilogue)
                    }
                } else if let outputRows, inputRows == nil {
                    // Only the wanted rows of the running sum matter: store the layer, then add
                    // it into `out` on those rows alone (the same additions, in the same order).
                    let y = workspace.buffer((l - 1) % 2, count: count)
                    SpMMKernel.run(graph, dim: dim, threads: threads, x: source, epilogue: .init(y: y, out: nil, base: nil, scale: nil))
                    outputRows.withUnsafeBufferPointer { rows in
                        SpMMKernel.addRows(rows, y: y, base: l == 1 ? xb : UnsafePointer(ob), out: ob, dim: dim)
                    }
                } else {
                    SpMMKernel.run(graph, dim: dim, threads: threads, x: source, epilogue: epilogue)
                }
            }
        }
    }

    private static func overlap(_ a: UnsafePointer<Float>, _ b: UnsafeMutablePointer<Float>, _ count: Int) -> Bool {
        let a0 = UInt(bitPattern: a), b0 = UInt(bitPattern: b), bytes = UInt(count * MemoryLayout<Float>.stride)
        return a0 < b0 + bytes && b0 < a0 + bytes
    }
}

/// Scratch memory for `Propagation`, kept between calls so a training loop allocates (and
/// page-faults) its N×d intermediates once, not every step.
///
/// Every buffer is a `HugePageBuffer`: SpMM gathers one random row of its input per nonzero, and
/// with 4 KiB pages a large input costs a TLB miss on most gathers (measured on yelp2018, d 64:
/// ~30% of the product's time). So layer outputs live in huge pages, and an input of at least
/// `stagingThresholdBytes` is first copied into one (a sequential copy, far cheaper than the
/// misses it saves). `stagesInput: false` turns the copy off (benchmarks compare both).
///
/// Not safe to use from two concurrent calls; give each concurrent caller its own workspace.
public final class PropagationWorkspace: @unchecked Sendable {
    /// Inputs at least this large are staged (the reach of a typical 2,048-entry 4 KiB-page TLB).
    public static let stagingThresholdBytes = 8 << 20
    /// Whether large inputs are copied into a huge-page buffer first.
    public let stagesInput: Bool
    private let threshold: Int
    private var slots: [HugePageBuffer?] = [nil, nil, nil]

    public convenience init(stagesInput: Bool = true) {
        self.init(stagesInput: stagesInput, stagingThresholdBytes: Self.stagingThresholdBytes)
    }

    /// Tests stage small inputs too, to cover that path.
    init(stagesInput: Bool, stagingThresholdBytes: Int) {
        self.stagesInput = stagesInput
        self.threshold = stagingThresholdBytes
    }

    /// Slot 0 and 1: layer outputs; slot 2: the staged input. At least `count` floats, contents unspecified.
    func buffer(_ slot: Int, count: Int) -> UnsafeMutablePointer<Float> {
        if let b = slots[slot], b.count >= count { return b.pointer }
        let fresh = HugePageBuffer(count: count)
        slots[slot] = fresh
        return fresh.pointer
    }

    /// `x` itself, or a huge-page copy of it when it is large enough for the TLB to matter.
    func staged(_ x: UnsafePointer<Float>, count: Int, threads: Int) -> UnsafePointer<Float> {
        guard stagesInput, count * MemoryLayout<Float>.stride >= threshold else { return x }
        let copy = StagingCopy(from: x, to: buffer(2, count: count))
        Parallel.run(Parallel.evenRanges(count: count, parts: max(1, threads))) { _, range in copy.run(range) }
        return UnsafePointer(copy.to)
    }
}

/// A parallel memcpy's pointers, wrapped because Swift 6 refuses raw pointers in `@Sendable` closures.
private struct StagingCopy: @unchecked Sendable {
    let from: UnsafePointer<Float>
    let to: UnsafeMutablePointer<Float>

    func run(_ range: Range<Int>) {
        (to + range.lowerBound).update(from: from + range.lowerBound, count: range.count)
    }
}
