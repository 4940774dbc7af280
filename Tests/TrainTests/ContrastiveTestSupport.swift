import XCTest
import Core
import Graph
import Ingest
@testable import Train

/// Shared fixtures for the contrastive-loss gradient checks: a small random bipartite graph, its
/// dense double-precision propagation matrix, and a central-difference checker.
///
/// Why double references: the analytic gradients are computed in Float by the library; the checks
/// recompute each loss independently in Double (naive loops, no shared code) and differentiate that
/// numerically, so rounding in the difference quotient cannot hide or fake an error.
enum ContrastiveFixture {
    /// A random bipartite interaction set with every user and item touched at least once.
    static func interactions(users: Int, items: Int, perUser: Int, seed: UInt64) -> InteractionColumns {
        var rng = SeededGenerator(seed: seed)
        var pairs = Set<[UInt32]>()
        for u in 0..<users {
            pairs.insert([UInt32(u), UInt32(u % items)])
            for _ in 0..<perUser { pairs.insert([UInt32(u), UInt32(rng.nextInt(below: items))]) }
        }
        for i in 0..<items { pairs.insert([UInt32(i % users), UInt32(i)]) }
        let sorted = pairs.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
        return InteractionColumns(users: sorted.map { $0[0] }, items: sorted.map { $0[1] })
    }

    /// Â = D^-1/2 A D^-1/2 as CSR, built here from the interactions.
    static func graph(users: Int, items: Int, train: InteractionColumns) -> NormalizedGraph {
        let n = users + items
        var adjacency = [[Int]](repeating: [], count: n)
        for k in 0..<train.count {
            let u = Int(train.users[k]), i = users + Int(train.items[k])
            adjacency[u].append(i)
            adjacency[i].append(u)
        }
        var rowPointers = [0], columns: [UInt32] = [], values: [Float] = []
        for r in 0..<n {
            for c in adjacency[r].sorted() {
                columns.append(UInt32(c))
                values.append(Float(1 / (Double(adjacency[r].count) * Double(adjacency[c].count)).squareRoot()))
            }
            rowPointers.append(columns.count)
        }
        return NormalizedGraph(userCount: users, itemCount: items, rowPointers: rowPointers,
                               columns: columns, values: values)
    }

    /// Dense P = (1/(L+1)) Σ Âˡ in Double (N × N).
    static func denseLayerMean(_ g: NormalizedGraph, layers: Int) -> [Double] {
        let n = g.nodeCount
        var a = [Double](repeating: 0, count: n * n)
        for r in 0..<n {
            for k in g.rowPointers[r]..<g.rowPointers[r + 1] { a[r * n + Int(g.columns[k])] = Double(g.values[k]) }
        }
        var power = [Double](repeating: 0, count: n * n)
        for r in 0..<n { power[r * n + r] = 1 }
        var sum = power
        for _ in 0..<layers {
            var next = [Double](repeating: 0, count: n * n)
            for r in 0..<n { for k in 0..<n where a[r * n + k] != 0 { for c in 0..<n { next[r * n + c] += a[r * n + k] * power[k * n + c] } } }
            power = next
            for i in sum.indices { sum[i] += power[i] }
        }
        return sum.map { $0 / Double(layers + 1) }
    }

    /// y = M x for dense M (n × n) and x (n × dim).
    static func apply(_ m: [Double], _ x: [Double], dim: Int) -> [Double] {
        let n = x.count / dim
        var y = [Double](repeating: 0, count: x.count)
        for r in 0..<n { for k in 0..<n where m[r * n + k] != 0 { for c in 0..<dim { y[r * dim + c] += m[r * n + k] * x[k * dim + c] } } }
        return y
    }

    static func randomFloats(_ count: Int, scale: Float, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in (2 * rng.nextUnitFloat() - 1) * scale }
    }

    static func triplets(users: Int, items: Int, count: Int, seed: UInt64) -> NodeTriplets {
        var rng = SeededGenerator(seed: seed)
        var u: [Int] = [], i: [Int] = [], j: [Int] = []
        for _ in 0..<count {
            u.append(rng.nextInt(below: users))
            let p = rng.nextInt(below: items)
            var q = rng.nextInt(below: items)
            if q == p { q = (q + 1) % items }
            i.append(users + p)
            j.append(users + q)
        }
        return NodeTriplets(users: u, positives: i, negatives: j)
    }

    // MARK: - Double references

    static func softplus(_ x: Double) -> Double { max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x))) }

    static func bpr(_ e: [Double], dim: Int, _ t: NodeTriplets, weights: [Double]?) -> Double {
        var s = 0.0, wl = 0.0
        for k in 0..<t.count {
            var x = 0.0
            for c in 0..<dim { x += e[t.users[k] * dim + c] * (e[t.positives[k] * dim + c] - e[t.negatives[k] * dim + c]) }
            let w = weights?[k] ?? 1
            s += w
            wl += w * softplus(-x)
        }
        return wl / s
    }

    static func infoNCE(_ v1: [Double], _ v2: [Double], dim: Int, rows: [Int], tau: Double) -> Double {
        func unit(_ v: [Double], _ r: Int) -> [Double] {
            let row = Array(v[(r * dim)..<(r * dim + dim)])
            let n = max(row.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
            return row.map { $0 / n }
        }
        let a = rows.map { unit(v1, $0) }, b = rows.map { unit(v2, $0) }
        var total = 0.0
        for u in rows.indices {
            let s = rows.indices.map { v in zip(a[u], b[v]).reduce(0) { $0 + $1.0 * $1.1 } / tau }
            let m = s.max()!
            let lse = m + Foundation.log(s.reduce(0) { $0 + Foundation.exp($1 - m) })
            total += lse - s[u]
        }
        return total / Double(rows.count)
    }

    // MARK: - Checking

    /// Central differences of `f` at `x` (all coordinates).
    static func numericGradient(_ x: [Double], step: Double = 1e-5, _ f: ([Double]) -> Double) -> [Double] {
        var probe = x
        return x.indices.map { i in
            probe[i] = x[i] + step
            let up = f(probe)
            probe[i] = x[i] - step
            let down = f(probe)
            probe[i] = x[i]
            return (up - down) / (2 * step)
        }
    }

    /// Norm-wise relative error ‖a − n‖/‖n‖ and the worst coordinate relative to max|n|.
    static func assertClose(_ analytic: [Float], _ numeric: [Double], tolerance: Double = 1e-3,
                            _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(analytic.count, numeric.count, what, file: file, line: line)
        var diff = 0.0, norm = 0.0, worst = 0.0, largest = 0.0
        for k in numeric.indices {
            let d = Double(analytic[k]) - numeric[k]
            diff += d * d
            norm += numeric[k] * numeric[k]
            worst = max(worst, abs(d))
            largest = max(largest, abs(numeric[k]))
        }
        XCTAssertGreaterThan(largest, 0, "\(what): numeric gradient is zero — the check would be vacuous", file: file, line: line)
        let relative = diff.squareRoot() / max(norm.squareRoot(), 1e-30)
        XCTAssertLessThanOrEqual(relative, tolerance, "\(what): relative error \(relative)", file: file, line: line)
        XCTAssertLessThanOrEqual(worst / largest, tolerance, "\(what): worst coordinate error \(worst) vs max \(largest)", file: file, line: line)
    }
}
