import Core
import Graph
import Ingest
@testable import Train

/// Small planted datasets and graphs for the train tests.
enum TestData {
    /// Users in `clusters` groups, each preferring its own block of items; per user `perUser`
    /// distinct items (90% from its block), split 8:1:1 per user with a fixed generator.
    static func planted(users: Int, items: Int, perUser: Int, clusters: Int = 4, seed: UInt64 = 1) -> TrainingData {
        var rng = SeededGenerator(seed: seed)
        var train = InteractionColumns(), valid = InteractionColumns(), test = InteractionColumns()
        let block = items / clusters
        for u in 0..<users {
            let c = u % clusters
            var chosen = Set<Int>()
            while chosen.count < min(perUser, items) {
                let i = rng.nextInt(below: 10) < 9 ? c * block + rng.nextInt(below: block) : rng.nextInt(below: items)
                chosen.insert(i)
            }
            var list = chosen.sorted()
            rng.shuffle(&list)
            for (k, i) in list.enumerated() {
                let slot = k % 10
                if slot == 8 { valid.users.append(UInt32(u)); valid.items.append(UInt32(i)) }
                else if slot == 9 { test.users.append(UInt32(u)); test.items.append(UInt32(i)) }
                else { train.users.append(UInt32(u)); train.items.append(UInt32(i)) }
            }
        }
        sortByUserItem(&train); sortByUserItem(&valid); sortByUserItem(&test)
        let graph = buildGraph(userCount: users, itemCount: items, train: train)
        return TrainingData(userCount: users, itemCount: items, train: train, valid: valid, test: test, graph: graph, datasetHash: seed)
    }

    static func sortByUserItem(_ c: inout InteractionColumns) {
        let order = (0..<c.count).sorted { (c.users[$0], c.items[$0]) < (c.users[$1], c.items[$1]) }
        c = InteractionColumns(users: order.map { c.users[$0] }, items: order.map { c.items[$0] })
    }

    /// Â = D^-1/2 A D^-1/2 of the bipartite train graph (the graph stage's builder).
    static func buildGraph(userCount: Int, itemCount: Int, train: InteractionColumns) -> NormalizedGraph {
        // swiftlint:disable:next force_try — planted data has no duplicates.
        try! GraphBuilder.build(userCount: userCount, itemCount: itemCount, train: train)
    }

    /// Double-precision reference of the layer mean P x.
    static func layerMeanDouble(_ g: NormalizedGraph, _ x: [Double], dim: Int, layers: Int) -> [Double] {
        var out = x, cur = x
        for _ in 0..<layers {
            var next = [Double](repeating: 0, count: x.count)
            for r in 0..<g.nodeCount {
                for k in g.rowPointers[r]..<g.rowPointers[r + 1] {
                    let c = Int(g.columns[k]), v = Double(g.values[k])
                    for d in 0..<dim { next[r * dim + d] += v * cur[c * dim + d] }
                }
            }
            for i in out.indices { out[i] += next[i] }
            cur = next
        }
        return out.map { $0 / Double(layers + 1) }
    }
}
