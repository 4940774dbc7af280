import Core

/// Walker's alias method: O(1) draws from a fixed discrete distribution.
///
/// The generator draws tens of millions of items and users from Zipf-like weights; a binary
/// search over a cumulative table would cost log(n) cache misses per draw.
struct AliasTable: Sendable {
    private var probability: [Float]
    private var alias: [Int32]

    /// Builds the table from non-negative weights (at least one positive).
    init(weights: [Double]) {
        let n = weights.count
        precondition(n > 0, "alias table needs at least one weight")
        let total = weights.reduce(0, +)
        precondition(total > 0, "alias table needs a positive weight")
        var scaled = weights.map { $0 * Double(n) / total }
        probability = [Float](repeating: 1, count: n)
        alias = [Int32](repeating: 0, count: n)
        var small: [Int] = [], large: [Int] = []
        for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast() {
            guard let l = large.last else { probability[s] = 1; continue }
            probability[s] = Float(scaled[s])
            alias[s] = Int32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 { large.removeLast(); small.append(l) }
        }
        for l in large { probability[l] = 1 }
    }

    /// One draw, an index into the weights.
    func draw(_ rng: inout SeededGenerator) -> Int {
        let i = rng.nextInt(below: probability.count)
        return rng.nextUnitFloat() < probability[i] ? i : Int(alias[i])
    }
}
