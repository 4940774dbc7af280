/// The node rows a batch touches, for the restricted propagations of a training step.
///
/// Why: BPR reads and writes only the rows of the batch's users, positives and negatives, so the
/// forward pass needs the layer mean only there (`outputRows`) and the upstream gradient is zero
/// elsewhere (`inputRows`); see `Propagation.layerMean(_:_:dim:layers:into:inputRows:outputRows:)`.
extension TripletBatch {
    /// Ascending distinct node rows of the batch's users (u) and items (U + i, both positives and negatives).
    public func nodeRows(userCount: Int) -> [Int] {
        var rows = [Int]()
        rows.reserveCapacity(3 * count)
        for u in users { rows.append(Int(u)) }
        for i in positives { rows.append(userCount + Int(i)) }
        for i in negatives { rows.append(userCount + Int(i)) }
        return NodeTriplets.distinct(rows)
    }
}

extension Array where Element == Float {
    /// Zeroes rows `rows` of a row-major table of width `dim` (the rows a batch wrote).
    mutating func zeroRows(_ rows: [Int], dim: Int) {
        withUnsafeMutableBufferPointer { p in
            for r in rows { p.baseAddress.unsafelyUnwrapped.advanced(by: r * dim).update(repeating: 0, count: dim) }
        }
    }
}
