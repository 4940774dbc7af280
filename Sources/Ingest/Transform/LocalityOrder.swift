/// Dense ids in a locality order of the train graph: reverse Cuthill–McKee over the bipartite
/// user–item graph, users numbered in the order they appear in it, then items likewise.
///
/// Why: every propagation product Â X gathers one embedding row of X per nonzero of Â, and
/// those gathers are what the training step waits on (DESIGN.md, "Performance facts"). When
/// neighbouring nodes have nearby ids, the rows that consecutive output rows read were mostly
/// read just before and are still in the core's private cache. Measured on yelp2018 (70k nodes,
/// 2.2M nonzeros): LightGCN's epoch 10–25% shorter in most rounds on a noisy host (docs/train.md).
///
/// Cuthill–McKee: each connected component is walked breadth-first from its lowest-degree node,
/// a node's unvisited neighbours taken in ascending (degree, id); the whole order is reversed.
/// Ties break on the incoming dense id, so the order is a pure function of the train
/// interactions. Users or items without a train interaction come after the others, in id order.
enum LocalityOrder {
    /// `old dense id → new dense id` for users and for items (each a permutation), computed from
    /// the rows of `table` whose split is train.
    static func permutations(_ table: InteractionTable, userCount: Int, itemCount: Int) -> (users: [UInt32], items: [UInt32]) {
        let nodes = userCount + itemCount
        // Adjacency of the train graph as CSR (nodes: users, then items offset by userCount).
        var degree = [Int](repeating: 0, count: nodes)
        for k in 0..<table.count where table.splits[k] == 0 {
            degree[Int(table.users[k])] += 1
            degree[userCount + Int(table.items[k])] += 1
        }
        var start = [Int](repeating: 0, count: nodes + 1)
        for n in 0..<nodes { start[n + 1] = start[n] + degree[n] }
        var fill = Array(start.dropLast())
        var neighbours = [Int32](repeating: 0, count: start[nodes])
        for k in 0..<table.count where table.splits[k] == 0 {
            let u = Int(table.users[k]), i = userCount + Int(table.items[k])
            neighbours[fill[u]] = Int32(i); fill[u] += 1
            neighbours[fill[i]] = Int32(u); fill[i] += 1
        }

        let byDegree = { (a: Int, b: Int) -> Bool in degree[a] != degree[b] ? degree[a] < degree[b] : a < b }
        let seeds = (0..<nodes).filter { degree[$0] > 0 }.sorted(by: byDegree)
        var visited = [Bool](repeating: false, count: nodes)
        var order: [Int] = []
        order.reserveCapacity(nodes)
        var head = 0
        var fresh: [Int] = []
        for seed in seeds where !visited[seed] {
            visited[seed] = true
            order.append(seed)
            while head < order.count {
                let v = order[head]
                head += 1
                fresh.removeAll(keepingCapacity: true)
                for k in start[v]..<start[v + 1] {
                    let w = Int(neighbours[k])
                    if !visited[w] { visited[w] = true; fresh.append(w) }  // marked now: duplicates skip
                }
                fresh.sort(by: byDegree)
                order.append(contentsOf: fresh)
            }
        }
        order.reverse()
        for n in 0..<nodes where !visited[n] { order.append(n) }

        var users = [UInt32](repeating: 0, count: userCount), items = [UInt32](repeating: 0, count: itemCount)
        var nextUser: UInt32 = 0, nextItem: UInt32 = 0
        for n in order {
            if n < userCount { users[n] = nextUser; nextUser += 1 } else { items[n - userCount] = nextItem; nextItem += 1 }
        }
        return (users, items)
    }

    /// Renumbers `table` and the `dense → interned` maps by the permutations, then restores the
    /// table's row order (by user, then time).
    static func apply(_ table: inout InteractionTable, userOrder: inout [Int], itemOrder: inout [Int]) {
        let (newUser, newItem) = permutations(table, userCount: userOrder.count, itemCount: itemOrder.count)
        for k in 0..<table.count {
            table.users[k] = newUser[Int(table.users[k])]
            table.items[k] = newItem[Int(table.items[k])]
        }
        var users = userOrder, items = itemOrder
        for (old, new) in newUser.enumerated() { users[Int(new)] = userOrder[old] }
        for (old, new) in newItem.enumerated() { items[Int(new)] = itemOrder[old] }
        userOrder = users
        itemOrder = items
        table = table.permuted(table.orderByUserTime())
    }
}
