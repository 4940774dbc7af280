import XCTest
@testable import Train

final class VectorMathTests: XCTestCase {
    func testExpMatchesLibmWithinTwoUlpOnTheSoftmaxRange() {
        var worst: Double = 0
        var x: Float = -40
        while x <= 12 {
            var v = SIMD16<Float>()
            for k in 0..<16 { v[k] = x + Float(k) * 1.3e-3 }
            let e = VectorMath.exp(v)
            for k in 0..<16 {
                let reference = Foundation.exp(Double(v[k]))
                worst = max(worst, abs(Double(e[k]) - reference) / reference)
            }
            x += 0.0173
        }
        XCTAssertLessThan(worst, 2.5e-7, "relative error vs double exp")
    }

    func testExpEdgesAreFiniteAndOrdered() {
        let v = SIMD16<Float>(-.infinity, -200, -87.3, -50, -1, -1e-7, 0, 1e-7, 1, 10, 50, 88, 88.3, 100, .infinity, 0.5)
        let e = VectorMath.exp(v)
        XCTAssertEqual(e[6], 1)
        for k in 0..<16 { XCTAssertTrue(e[k].isFinite && e[k] > 0, "lane \(k): \(e[k])") }
        XCTAssertLessThan(e[2], 1e-37)
        XCTAssertEqual(Double(e[8]), Foundation.exp(1.0), accuracy: 1e-6)
    }
}

import Foundation
