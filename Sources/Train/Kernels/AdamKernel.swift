import Core

/// The element-wise Adam update over a flat tensor, SIMD16 and split into fixed parts per thread.
///
/// Every element is updated by exactly one worker with the same arithmetic as alone, so the
/// bytes do not depend on the thread count.
enum AdamKernel {
    static func update(value: inout [Float], gradient: inout [Float], m: inout [Float], v: inout [Float],
                       stepSize: Float, beta1: Float, beta2: Float, sqrtBC2: Float, epsilon: Float, threads: Int,
                       zeroGradient: Bool = true) {
        let n = value.count
        let parts = n < 1 << 15 ? 1 : max(1, threads)
        let ranges = Parallel.evenRanges(count: n / 16, parts: parts)
        value.withUnsafeMutableBufferPointer { pv in
        gradient.withUnsafeMutableBufferPointer { pg in
        m.withUnsafeMutableBufferPointer { pm in
        v.withUnsafeMutableBufferPointer { ps in
            let x = SendablePointer(base: pv.baseAddress ?? UnsafeMutablePointer(bitPattern: 16)!)
            let g = SendablePointer(base: pg.baseAddress ?? UnsafeMutablePointer(bitPattern: 16)!)
            let mm = SendablePointer(base: pm.baseAddress ?? UnsafeMutablePointer(bitPattern: 16)!)
            let vv = SendablePointer(base: ps.baseAddress ?? UnsafeMutablePointer(bitPattern: 16)!)
            @inline(__always) func scalar(_ i: Int) {
                let gi = g.base[i]
                let mi = beta1 * mm.base[i] + (1 - beta1) * gi
                let vi = beta2 * vv.base[i] + (1 - beta2) * gi * gi
                mm.base[i] = mi; vv.base[i] = vi
                x.base[i] -= stepSize * mi / (vi.squareRoot() * (1 / sqrtBC2) + epsilon)
                if zeroGradient { g.base[i] = 0 }
            }
            Parallel.run(ranges) { _, r in
                let b1 = SIMD16<Float>(repeating: beta1), b2 = SIMD16<Float>(repeating: beta2)
                let c1 = SIMD16<Float>(repeating: 1 - beta1), c2 = SIMD16<Float>(repeating: 1 - beta2)
                let step = SIMD16<Float>(repeating: stepSize), eps = SIMD16<Float>(repeating: epsilon)
                let bc = SIMD16<Float>(repeating: 1 / sqrtBC2)
                for block in r {
                    let o = block * 16
                    let gi = UnsafeRawPointer(g.base + o).loadUnaligned(as: SIMD16<Float>.self)
                    var mi = UnsafeRawPointer(mm.base + o).loadUnaligned(as: SIMD16<Float>.self)
                    var vi = UnsafeRawPointer(vv.base + o).loadUnaligned(as: SIMD16<Float>.self)
                    var xi = UnsafeRawPointer(x.base + o).loadUnaligned(as: SIMD16<Float>.self)
                    mi = b1 * mi + c1 * gi
                    vi = b2 * vi + c2 * gi * gi
                    xi -= step * mi / (vi.squareRoot() * bc + eps)
                    UnsafeMutableRawPointer(mm.base + o).storeBytes(of: mi, as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(vv.base + o).storeBytes(of: vi, as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(x.base + o).storeBytes(of: xi, as: SIMD16<Float>.self)
                    if zeroGradient { UnsafeMutableRawPointer(g.base + o).storeBytes(of: SIMD16<Float>(), as: SIMD16<Float>.self) }
                }
            }
            for i in (n / 16) * 16..<n { scalar(i) }
        }}}}
    }
}
