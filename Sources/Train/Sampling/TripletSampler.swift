import Core
import Ingest

/// A batch of BPR triplets (user, positive item, negative item), item indices 0..<itemCount.
public struct TripletBatch: Sendable, Equatable {
    public var users: [UInt32]
    public var positives: [UInt32]
    public var negatives: [UInt32]

    public init(users: [UInt32] = [], positives: [UInt32] = [], negatives: [UInt32] = []) {
        self.users = users
        self.positives = positives
        self.negatives = negatives
    }

    public var count: Int { users.count }
}

/// Draws BPR triplets: one epoch is one pass over the train interactions in a seeded shuffled
/// order, each positive paired with one uniform negative the user has not interacted with.
///
/// Why this shape: the epoch order is a pure function of (seed, epoch), so a checkpoint needs only
/// the epoch, the batch position and the negative generator's state to continue bit-for-bit.
/// Membership uses the sorted per-user CSR (`ItemExclusions`, binary search), not a Set per user.
public struct TripletSampler: Sendable {
    public let itemCount: Int
    let users: [UInt32]
    let items: [UInt32]
    let interacted: ItemExclusions
    /// Rejection tries before a negative is accepted anyway (only users who interacted with
    /// nearly every item get there; the alternative would be an endless loop).
    static let maxTries = 64

    public init(interactions: InteractionColumns, userCount: Int, itemCount: Int) {
        self.itemCount = itemCount
        users = interactions.users
        items = interactions.items
        interacted = ItemExclusions(userCount: userCount, splits: [interactions])
    }

    /// Number of positives per epoch.
    public var interactionCount: Int { users.count }

    /// Number of batches in an epoch (the last one may be short).
    public func batchCount(batchSize: Int) -> Int { (users.count + batchSize - 1) / batchSize }

    /// The shuffled interaction order of `epoch` (depends on seed and epoch only).
    public func epochOrder(seed: UInt64, epoch: Int) -> [UInt32] {
        var order = (0..<UInt32(users.count)).map { $0 }
        var rng = SeededGenerator(seed: seed, stream: 0x5A4D_0000 &+ UInt64(epoch))
        rng.shuffle(&order)
        return order
    }

    /// Whether `user` interacted with `item` in the sampled split.
    public func hasInteracted(user: Int, item: UInt32) -> Bool { interacted.contains(user: user, item: item) }

    /// Batch `index` of an epoch order, negatives drawn from `rng`.
    public func batch(order: [UInt32], index: Int, batchSize: Int, rng: inout SeededGenerator) -> TripletBatch {
        let lo = index * batchSize, hi = min(order.count, lo + batchSize)
        var b = TripletBatch()
        b.users.reserveCapacity(hi - lo); b.positives.reserveCapacity(hi - lo); b.negatives.reserveCapacity(hi - lo)
        for k in lo..<hi {
            let row = Int(order[k])
            let u = users[row]
            b.users.append(u)
            b.positives.append(items[row])
            b.negatives.append(negative(for: Int(u), rng: &rng))
        }
        return b
    }

    /// A uniform negative for `user`, rejected while the user interacted with it.
    public func negative(for user: Int, rng: inout SeededGenerator) -> UInt32 {
        var j = UInt32(rng.nextInt(below: itemCount))
        var tries = 1
        while tries < Self.maxTries && interacted.contains(user: user, item: j) {
            j = UInt32(rng.nextInt(below: itemCount))
            tries += 1
        }
        return j
    }

    /// `size` positives drawn uniformly with replacement (e.g. validation batches for a bi-level
    /// outer step), each with a negative.
    public func randomBatch(size: Int, rng: inout SeededGenerator) -> TripletBatch {
        var b = TripletBatch()
        guard !users.isEmpty else { return b }
        for _ in 0..<size {
            let row = rng.nextInt(below: users.count)
            b.users.append(users[row]); b.positives.append(items[row])
            b.negatives.append(negative(for: Int(users[row]), rng: &rng))
        }
        return b
    }
}
