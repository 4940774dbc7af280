import XCTest
@testable import Train

final class AdamTests: XCTestCase {
    func testMatchesTheDefinitionIncludingRowsWithoutGradient() {
        let n = 37   // SIMD body and scalar tail
        let t = ParameterTensor(name: "p", rows: 1, columns: n, value: (0..<n).map { Float($0) * 0.1 }, learningRate: 0.01)
        var x = t.value.map(Double.init), m = [Double](repeating: 0, count: n), v = m
        let adam = Adam()
        for step in 1...5 {
            // Gradient only in the first step for odd coordinates: later steps move them by momentum.
            let g = (0..<n).map { i -> Double in (step == 1 || i % 2 == 0) ? sin(Double(i + step)) : 0 }
            t.gradient = g.map(Float.init)
            adam.update(t, threads: 2)
            for i in 0..<n {
                m[i] = 0.9 * m[i] + 0.1 * g[i]
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                let mh = m[i] / (1 - pow(0.9, Double(step))), vh = v[i] / (1 - pow(0.999, Double(step)))
                x[i] -= 0.01 * mh / (vh.squareRoot() + 1e-8)
            }
            XCTAssertEqual(t.step, step)
            XCTAssertTrue(t.gradient.allSatisfy { $0 == 0 })
        }
        for i in 0..<n { XCTAssertEqual(Double(t.value[i]), x[i], accuracy: 1e-5) }
        XCTAssertNotEqual(t.value[1], 0.1, "a row without gradient still moves by its momentum")
    }
}
