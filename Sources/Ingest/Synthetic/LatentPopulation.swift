import Core

/// The hidden truth behind a synthetic log: cluster memberships, popularity and activity.
///
/// Kept separate from the line formatting so tests can check the generated interactions
/// against it (e.g. the share of in-cluster interactions is far above 1/clusters).
public struct LatentPopulation: Sendable {
    /// Cluster of each user and of each item.
    public let userCluster: [Int32]
    public let itemCluster: [Int32]
    /// Unnormalized Zipf popularity weight of each item.
    public let itemPopularity: [Double]
    private let userActivity: AliasTable
    private let globalItems: AliasTable
    private let clusterItems: [AliasTable?]
    private let clusterMembers: [[Int32]]

    /// Draws the population from `config.seed` (its own stream, independent of the line stream).
    public init(config: SyntheticConfig) {
        var rng = SeededGenerator(seed: config.seed, stream: 1)
        let clusters = config.clusters
        userCluster = (0..<config.users).map { _ in Int32(rng.nextInt(below: clusters)) }
        // Every cluster gets at least one item so that in-cluster draws are always possible.
        var itemClusters = (0..<config.items).map { i in Int32(i < clusters ? i : rng.nextInt(below: clusters)) }
        rng.shuffle(&itemClusters)
        itemCluster = itemClusters

        var ranks = Array(1...config.items)
        rng.shuffle(&ranks)
        itemPopularity = ranks.map { 1 / Double.pow($0, config.popularityExponent) }
        var activityRanks = Array(1...config.users)
        rng.shuffle(&activityRanks)
        userActivity = AliasTable(weights: activityRanks.map { 1 / Double.pow($0, config.activityExponent) })
        globalItems = AliasTable(weights: itemPopularity)

        var members = [[Int32]](repeating: [], count: clusters)
        for (i, c) in itemClusters.enumerated() { members[Int(c)].append(Int32(i)) }
        clusterMembers = members
        let popularity = itemPopularity
        clusterItems = members.map { m in m.isEmpty ? nil : AliasTable(weights: m.map { popularity[Int($0)] }) }
    }

    /// Draws one (user, item) pair: an active user, then an item of their cluster with
    /// probability `inCluster`, else any item by global popularity.
    public func drawInteraction(_ rng: inout SeededGenerator, inCluster: Double) -> (user: Int, item: Int) {
        let user = userActivity.draw(&rng)
        if rng.nextUnitDouble() < inCluster, let table = clusterItems[Int(userCluster[user])] {
            let k = table.draw(&rng)
            return (user, Int(clusterMembers[Int(userCluster[user])][k]))
        }
        return (user, globalItems.draw(&rng))
    }
}

extension Double {
    static func pow(_ base: Int, _ exponent: Double) -> Double {
        exponent == 0 ? 1 : _pow(Double(base), exponent)
    }
}

#if canImport(Glibc)
import Glibc
private func _pow(_ a: Double, _ b: Double) -> Double { Glibc.pow(a, b) }
#elseif canImport(Darwin)
import Darwin
private func _pow(_ a: Double, _ b: Double) -> Double { Darwin.pow(a, b) }
#endif
