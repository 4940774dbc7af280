import Core
import Ingest
@testable import Graph

/// Small graphs and dense references shared by the graph tests.
enum TestGraphs {
    /// The hand-computed example: 3 users × 4 items,
    /// u0: i0 i1; u1: i1 i2 i3; u2: i3 (degrees u 2 3 1, i 1 2 1 2).
    static let handTrain = InteractionColumns(users: [0, 0, 1, 1, 1, 2], items: [0, 1, 1, 2, 3, 3])

    /// Random bipartite interactions (unique pairs, sorted by user then item), each pair kept with probability `density`.
    static func randomTrain(users: Int, items: Int, density: Double, seed: UInt64) -> InteractionColumns {
        var rng = SeededGenerator(seed: seed)
        var us: [UInt32] = [], its: [UInt32] = []
        for u in 0..<users {
            for i in 0..<items where rng.nextUnitDouble() < density {
                us.append(UInt32(u))
                its.append(UInt32(i))
            }
        }
        return InteractionColumns(users: us, items: its)
    }

    /// Dense Â in Double from the definition (N × N, row-major).
    static func denseNormalized(users: Int, items: Int, train: InteractionColumns) -> [Double] {
        let n = users + items
        var a = [Double](repeating: 0, count: n * n)
        for e in 0..<train.count {
            let u = Int(train.users[e]), i = users + Int(train.items[e])
            a[u * n + i] = 1
            a[i * n + u] = 1
        }
        var degree = [Double](repeating: 0, count: n)
        for r in 0..<n { for c in 0..<n { degree[r] += a[r * n + c] } }
        for r in 0..<n {
            for c in 0..<n where a[r * n + c] != 0 { a[r * n + c] /= (degree[r] * degree[c]).squareRoot() }
        }
        return a
    }

    /// Dense CSR → Double matrix, for comparisons.
    static func dense(_ g: NormalizedGraph) -> [Double] {
        let n = g.nodeCount
        var a = [Double](repeating: 0, count: n * n)
        for r in 0..<n {
            for k in g.rowPointers[r]..<g.rowPointers[r + 1] { a[r * n + Int(g.columns[k])] = Double(g.values[k]) }
        }
        return a
    }

    /// y = M x in Double for a dense N × N matrix and row-major N × dim x.
    static func denseMultiply(_ m: [Double], n: Int, _ x: [Double], dim: Int) -> [Double] {
        var y = [Double](repeating: 0, count: n * dim)
        for r in 0..<n {
            for c in 0..<n where m[r * n + c] != 0 {
                let v = m[r * n + c]
                for j in 0..<dim { y[r * dim + j] += v * x[c * dim + j] }
            }
        }
        return y
    }

    /// Seeded values in [-1, 1).
    static func randomMatrix(count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in rng.nextUnitFloat() * 2 - 1 }
    }

    /// ‖a − b‖₂ / ‖b‖₂ (0 when both are zero).
    static func relativeError(_ a: [Float], _ b: [Double]) -> Double {
        var num = 0.0, den = 0.0
        for k in b.indices {
            num += (Double(a[k]) - b[k]) * (Double(a[k]) - b[k])
            den += b[k] * b[k]
        }
        return den == 0 ? num.squareRoot() : (num / den).squareRoot()
    }

    /// Bitwise equality of two float arrays.
    static func sameBytes(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in pa.elementsEqual(pb) } }
    }
}
