/// Pointer-level loops over BPR triplets: dot products and gradient scatter in SIMD16 chunks.
///
/// Serial in batch order on purpose: triplets share rows, so a parallel scatter would need
/// atomics or a reduction whose order depends on threads; at batch × 3 rows × d it is cheap.
enum TripletKernel {
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ dim: Int) -> Float {
        var acc = SIMD16<Float>()
        var c = 0
        while c + 16 <= dim {
            acc.addProduct(UnsafeRawPointer(a + c).loadUnaligned(as: SIMD16<Float>.self),
                           UnsafeRawPointer(b + c).loadUnaligned(as: SIMD16<Float>.self))
            c += 16
        }
        var s = acc.sum()
        while c < dim { s += a[c] * b[c]; c += 1 }
        return s
    }

    /// y += alpha · x over `dim` floats.
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ dim: Int) {
        var c = 0
        let a = SIMD16<Float>(repeating: alpha)
        while c + 16 <= dim {
            var v = UnsafeRawPointer(y + c).loadUnaligned(as: SIMD16<Float>.self)
            v.addProduct(a, UnsafeRawPointer(x + c).loadUnaligned(as: SIMD16<Float>.self))
            UnsafeMutableRawPointer(y + c).storeBytes(of: v, as: SIMD16<Float>.self)
            c += 16
        }
        while c < dim { y[c] += alpha * x[c]; c += 1 }
    }

    /// Σ softplus(−xₖ) and ∂/∂e of `weight(k) ·` softplus(−xₖ) added into g, xₖ = eᵤ·(eᵢ − eⱼ).
    /// `weights` nil means every triplet has weight `scale`.
    static func bpr(e: UnsafePointer<Float>, g: UnsafeMutablePointer<Float>, dim: Int, userCount: Int,
                    users: UnsafePointer<UInt32>, positives: UnsafePointer<UInt32>, negatives: UnsafePointer<UInt32>,
                    count: Int, scale: Float, weights: UnsafePointer<Float>?) -> Double {
        var total = 0.0
        for k in 0..<count {
            let u = Int(users[k]) * dim
            let i = (userCount + Int(positives[k])) * dim
            let j = (userCount + Int(negatives[k])) * dim
            let x = dot(e + u, e + i, dim) - dot(e + u, e + j, dim)
            total += Double(BPRLoss.softplus(-x))
            let d = -BPRLoss.sigmoid(-x) * (weights.map { $0[k] * scale } ?? scale)
            axpy(d, e + i, g + u, dim)
            axpy(-d, e + j, g + u, dim)
            axpy(d, e + u, g + i, dim)
            axpy(-d, e + u, g + j, dim)
        }
        return total
    }

    /// Σ‖rows‖² over the triplets' rows (once per occurrence) and `w ·` row added into g.
    static func l2(e: UnsafePointer<Float>, g: UnsafeMutablePointer<Float>, dim: Int, userCount: Int,
                   users: UnsafePointer<UInt32>, positives: UnsafePointer<UInt32>, negatives: UnsafePointer<UInt32>,
                   count: Int, w: Float) -> Double {
        var total = 0.0
        @inline(__always) func row(_ r: Int) {
            let o = r * dim
            total += Double(dot(e + o, e + o, dim))
            axpy(w, e + o, g + o, dim)
        }
        for k in 0..<count {
            row(Int(users[k]))
            row(userCount + Int(positives[k]))
            row(userCount + Int(negatives[k]))
        }
        return total
    }
}
