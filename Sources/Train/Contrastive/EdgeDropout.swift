import Core
import Ingest

/// SGL-ED's augmentation: keep each train interaction independently with probability 1 − ρ.
///
/// Why interactions and not CSR entries: an interaction is one undirected edge (two symmetric
/// entries of A); dropping it once keeps the view's adjacency symmetric, and rebuilding the
/// normalized graph from the kept interactions renormalizes the degrees as SGL does.
public enum EdgeDropout {
    /// The kept interactions, in the original order (sortedness by user, item is preserved).
    public static func keep(_ train: InteractionColumns, dropRate: Float,
                            generator: inout SeededGenerator) -> InteractionColumns {
        precondition(dropRate >= 0 && dropRate < 1, "drop rate must be in [0, 1)")
        var users: [UInt32] = [], items: [UInt32] = []
        users.reserveCapacity(train.count)
        items.reserveCapacity(train.count)
        for k in 0..<train.count where generator.nextUnitFloat() >= dropRate {
            users.append(train.users[k])
            items.append(train.items[k])
        }
        return InteractionColumns(users: users, items: items)
    }
}
