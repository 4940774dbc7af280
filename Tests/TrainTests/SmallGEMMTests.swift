import XCTest
@testable import Train

final class SmallGEMMTests: XCTestCase {
    func testMatchesNaiveProductPlainAndTransposed() {
        let m = 8, n = 32, k = 13
        let x = ContrastiveFixture.randomFloats(m * k, scale: 1, seed: 71)
        let xt = ContrastiveFixture.randomFloats(k * m, scale: 1, seed: 72)
        let y = ContrastiveFixture.randomFloats(k * n, scale: 1, seed: 73)
        for transposed in [false, true] {
            for threads in [1, 2] {
                var c = [Float](repeating: -7, count: m * n)
                let src = transposed ? xt : x
                src.withUnsafeBufferPointer { px in y.withUnsafeBufferPointer { py in c.withUnsafeMutableBufferPointer { pc in
                    SmallGEMM.multiply(m: m, n: n, k: k, x: px.baseAddress!, xRow: transposed ? 1 : k, xColumn: transposed ? m : 1,
                                       y: py.baseAddress!, ldy: n, c: pc.baseAddress!, ldc: n, threads: threads)
                }}}
                for i in 0..<m {
                    for j in 0..<n {
                        var expected = 0.0
                        for p in 0..<k { expected += Double(transposed ? xt[p * m + i] : x[i * k + p]) * Double(y[p * n + j]) }
                        XCTAssertEqual(Double(c[i * n + j]), expected, accuracy: 1e-4, "transposed \(transposed) (\(i), \(j))")
                    }
                }
            }
        }
    }

    /// Several row-block counts, bit for bit against one fused multiply-add chain per element in k
    /// order, plain and transposed, 1 and 3 threads: the blocking and the thread split must not
    /// change the arithmetic (InfoNCE's gradients are deterministic because of it). k = 520 spans
    /// three depth tiles (each continues the chain from C), m = 56 two groups of row blocks, and
    /// n = 32 two column tiles; k = 0 must still store zeros.
    func testBlockingGivesTheFusedChainsBytes() {
        let n = 32
        for (m, k) in [(4, 37), (8, 37), (12, 37), (16, 37), (20, 37), (28, 37), (32, 37), (48, 37), (56, 520), (52, 257), (12, 0)] {
            let x = ContrastiveFixture.randomFloats(max(1, m * k), scale: 1, seed: UInt64(m))  // ≥ 1: a base address
            let y = ContrastiveFixture.randomFloats(max(1, k * n), scale: 1, seed: 99)
            for transposed in [false, true] {
                for threads in [1, 3] {
                    var c = [Float](repeating: -7, count: m * n)
                    x.withUnsafeBufferPointer { px in y.withUnsafeBufferPointer { py in c.withUnsafeMutableBufferPointer { pc in
                        SmallGEMM.multiply(m: m, n: n, k: k, x: px.baseAddress!, xRow: transposed ? 1 : k, xColumn: transposed ? m : 1,
                                           y: py.baseAddress!, ldy: n, c: pc.baseAddress!, ldc: n, threads: threads)
                    }}}
                    for i in 0..<m {
                        for j in 0..<n {
                            var expected: Float = 0
                            for p in 0..<k { expected = expected.addingProduct(transposed ? x[p * m + i] : x[i * k + p], y[p * n + j]) }
                            XCTAssertEqual(c[i * n + j].bitPattern, expected.bitPattern, "m \(m) transposed \(transposed) (\(i), \(j))")
                        }
                    }
                }
            }
        }
    }
}
