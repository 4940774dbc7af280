/// Stable sort orders for large integer keys, in linear time.
///
/// Ingest sorts tens of millions of (user, item) pairs several times (dedup, per-user grouping,
/// shard order); a comparison sort with a closure costs ~1 µs per row there, LSD radix with
/// 16-bit digits a few ns. Digits that are the same for every key (the high bits of small ids)
/// are skipped. Pointer work stays in this file.
enum RadixSort {
    /// Indices that sort `keys` ascending; equal keys keep their input order.
    static func order(_ keys: [UInt64]) -> [UInt32] {
        let n = keys.count
        var idx = [UInt32](unsafeUninitializedCapacity: n) { b, c in
            for k in 0..<n { b[k] = UInt32(k) }
            c = n
        }
        if n < 2 { return idx }
        var key = keys
        var keyTmp = [UInt64](repeating: 0, count: n)
        var idxTmp = [UInt32](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 1 << 16)
        for pass in 0..<4 {
            let shift = UInt64(pass * 16)
            counts.withUnsafeMutableBufferPointer { cnt in
                for k in 0..<(1 << 16) { cnt[k] = 0 }
                key.withUnsafeBufferPointer { kb in
                    for k in 0..<n { cnt[Int((kb[k] >> shift) & 0xFFFF)] += 1 }
                }
            }
            if counts.contains(n) { continue }   // every key has the same digit: nothing to do
            counts.withUnsafeMutableBufferPointer { cnt in
                var sum = 0
                for k in 0..<(1 << 16) { let c = cnt[k]; cnt[k] = sum; sum += c }
                key.withUnsafeBufferPointer { kb in
                    idx.withUnsafeBufferPointer { ib in
                        keyTmp.withUnsafeMutableBufferPointer { kt in
                            idxTmp.withUnsafeMutableBufferPointer { it in
                                for k in 0..<n {
                                    let d = Int((kb[k] >> shift) & 0xFFFF)
                                    let p = cnt[d]
                                    cnt[d] = p + 1
                                    kt[p] = kb[k]
                                    it[p] = ib[k]
                                }
                            }
                        }
                    }
                }
            }
            swap(&key, &keyTmp)
            swap(&idx, &idxTmp)
        }
        return idx
    }
}
