/// Renumbers the surviving users and items densely, ordered by external id.
///
/// Sorting (numbers numerically, then other ids bytewise) rather than first-appearance order
/// makes dense indices independent of line order and, for already-remapped inputs such as the
/// LightGCN files (ids 0..n-1), equal to the published ids. `LocalityOrder` renumbers them at the
/// end of ingest unless `id_order = "external"`.
enum DenseIds {
    /// `old → new` (UInt32.max for ids that no interaction uses) and `new → old`.
    static func order(_ interner: ByteInterner, used: [Bool]) -> (forward: [UInt32], backward: [Int]) {
        var ids = (0..<interner.count).filter { used[$0] }
        let numeric = ids.map { k in interner.bytes(k).allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        var isNumeric = [Bool](repeating: false, count: interner.count)
        for (k, id) in ids.enumerated() { isNumeric[id] = numeric[k] }
        ids.sort { a, b in
            let x = interner.bytes(a), y = interner.bytes(b)
            switch (isNumeric[a], isNumeric[b]) {
            case (true, false): return true
            case (false, true): return false
            case (true, true):
                let xs = x.drop { $0 == 0x30 }, ys = y.drop { $0 == 0x30 }
                if xs.count != ys.count { return xs.count < ys.count }
                if !xs.elementsEqual(ys) { return xs.lexicographicallyPrecedes(ys) }
                return x.count < y.count
            case (false, false):
                return x.lexicographicallyPrecedes(y)
            }
        }
        var forward = [UInt32](repeating: .max, count: interner.count)
        for (new, old) in ids.enumerated() { forward[old] = UInt32(new) }
        return (forward, ids)
    }
}
