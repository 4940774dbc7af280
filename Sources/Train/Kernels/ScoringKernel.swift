/// The pointer-level scoring kernels behind `TopKRetrieval` (blocked SIMD GEMM + heap top-K).
///
/// Everything unsafe about ranking lives here: item embeddings are packed into blocks of 16
/// items × dim (so the inner loop reads one contiguous SIMD16 per dimension), a 4-user × 16-item
/// micro-kernel keeps its accumulators in registers, and a bounded min-heap selects each user's
/// top K while walking the user's sorted exclusion list. Callers see only `TopKRetrieval`.
enum ScoringKernel {
    static let itemBlock = 16
    static let userBlock = 4

    /// Items packed block-major: block b holds items 16b..<16b+16, dimension-major inside
    /// (`packed[b*dim*16 + k*16 + lane]`); missing items in the last block are zero.
    static func pack(items: [Float], itemCount: Int, dim: Int) -> [Float] {
        let blocks = (itemCount + itemBlock - 1) / itemBlock
        var packed = [Float](repeating: 0, count: max(1, blocks * dim * itemBlock))
        packed.withUnsafeMutableBufferPointer { p in
            items.withUnsafeBufferPointer { src in
                for i in 0..<itemCount {
                    let b = i / itemBlock, lane = i % itemBlock
                    let base = b * dim * itemBlock + lane
                    for k in 0..<dim { p[base + k * itemBlock] = src[i * dim + k] }
                }
            }
        }
        return packed
    }

    /// Scores of up to 4 users (rows of `users`, `rows` ≤ 4) against the packed item blocks
    /// `blocks`, written to `out[r * stride + (b − blocks.lowerBound) * 16 + lane]`.
    @inline(__always)
    static func scoreBlock(users: UnsafePointer<Float>, rows: Int, dim: Int,
                           packed: UnsafePointer<Float>, blocks: Range<Int>, stride: Int, out: UnsafeMutablePointer<Float>) {
        // Zero-padded copies of the user rows so the micro-kernel never branches on `rows`.
        var u0 = users, u1 = users, u2 = users, u3 = users
        if rows > 1 { u1 = users + dim }
        if rows > 2 { u2 = users + 2 * dim }
        if rows > 3 { u3 = users + 3 * dim }
        for b in blocks {
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            var p = UnsafeRawPointer(packed + b * dim * itemBlock)
            for k in 0..<dim {
                let v = p.loadUnaligned(as: SIMD16<Float>.self)
                a0.addProduct(SIMD16(repeating: u0[k]), v)
                a1.addProduct(SIMD16(repeating: u1[k]), v)
                a2.addProduct(SIMD16(repeating: u2[k]), v)
                a3.addProduct(SIMD16(repeating: u3[k]), v)
                p += itemBlock * MemoryLayout<Float>.stride
            }
            let o = UnsafeMutableRawPointer(out + (b - blocks.lowerBound) * itemBlock)
            o.storeBytes(of: a0, as: SIMD16<Float>.self)
            if rows > 1 { (o + stride * 4).storeBytes(of: a1, as: SIMD16<Float>.self) }
            if rows > 2 { (o + 2 * stride * 4).storeBytes(of: a2, as: SIMD16<Float>.self) }
            if rows > 3 { (o + 3 * stride * 4).storeBytes(of: a3, as: SIMD16<Float>.self) }
        }
    }

    /// One user's running top-k: a bounded heap whose root is the worst kept entry (lowest
    /// score; among equal scores the higher item), fed item tiles in increasing item order.
    struct Selector {
        let k: Int
        let heapScores: UnsafeMutablePointer<Float>
        let heapItems: UnsafeMutablePointer<UInt32>
        let excluded: UnsafeBufferPointer<UInt32>
        var size = 0
        var next = 0   // first excluded entry not yet passed

        init(k: Int, heapScores: UnsafeMutablePointer<Float>, heapItems: UnsafeMutablePointer<UInt32>, excluded: UnsafeBufferPointer<UInt32>) {
            self.k = k
            self.heapScores = heapScores
            self.heapItems = heapItems
            self.excluded = excluded
        }

        @inline(__always) func worse(_ a: Int, _ b: Int) -> Bool {
            heapScores[a] < heapScores[b] || (heapScores[a] == heapScores[b] && heapItems[a] > heapItems[b])
        }

        @inline(__always) mutating func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1
                if l >= size { return }
                var m = l
                if l + 1 < size && worse(l + 1, l) { m = l + 1 }
                if !worse(m, i) { return }
                swap(&heapScores[m], &heapScores[i]); swap(&heapItems[m], &heapItems[i])
                i = m
            }
        }

        /// Whether `item` is excluded; the cursor only moves forward (items arrive in order).
        @inline(__always) mutating func isExcluded(_ item: Int) -> Bool {
            while next < excluded.count && Int(excluded[next]) < item { next += 1 }
            return next < excluded.count && Int(excluded[next]) == item
        }

        @inline(__always) mutating func offer(_ s: Float, _ item: Int) {
            if size == k {
                if !(s > heapScores[0]) || isExcluded(item) { return }   // also skips NaN
                heapScores[0] = s; heapItems[0] = UInt32(item)
                siftDown(0)
            } else {
                if s.isNaN || isExcluded(item) { return }
                var c = size
                heapScores[c] = s; heapItems[c] = UInt32(item)
                size += 1
                while c > 0 {
                    let parent = (c - 1) / 2
                    if !worse(c, parent) { break }
                    swap(&heapScores[c], &heapScores[parent]); swap(&heapItems[c], &heapItems[parent])
                    c = parent
                }
            }
        }

        /// Offers items `first ..< first + count` with `scores[0 ..< count]`; excluded and NaN skipped.
        /// Items arrive in increasing index, so an equal score never displaces the root. Once the
        /// heap is full, 16 scores at a time are compared with the root first: most items of a
        /// full ranking lose there and never touch the heap or the exclusion list.
        @inline(__always) mutating func feed(scores: UnsafePointer<Float>, first: Int, count: Int) {
            var t = 0
            while t < count && size < k { offer(scores[t], first + t); t += 1 }
            while t + 16 <= count {
                // A branch-free compare over 16 lanes (LLVM vectorizes it); Swift's SIMD mask
                // `any` and generic `pointwiseMax` are not inlined here and cost more than the GEMM.
                let threshold = heapScores[0]
                var hits: UInt32 = 0
                for lane in 0..<16 { hits |= scores[t + lane] > threshold ? 1 : 0 }
                if hits != 0 {
                    for lane in 0..<16 { offer(scores[t + lane], first + t + lane) }
                }
                t += 16
            }
            while t < count { offer(scores[t], first + t); t += 1 }
        }

        /// Writes the kept entries best first; unfilled slots get UInt32.max / −inf.
        mutating func finish(items outItems: UnsafeMutablePointer<UInt32>, scores outScores: UnsafeMutablePointer<Float>) {
            for r in size..<k { outItems[r] = UInt32.max; outScores[r] = -Float.infinity }
            var pos = size - 1
            while size > 0 {
                outScores[pos] = heapScores[0]; outItems[pos] = heapItems[0]
                size -= 1
                heapScores[0] = heapScores[size]; heapItems[0] = heapItems[size]
                siftDown(0)
                pos -= 1
            }
        }
    }
}

/// Raw pointers handed to worker threads (Swift 6 rejects capturing them directly in `@Sendable`).
struct SendablePointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

struct SendableConstPointer<T>: @unchecked Sendable {
    let base: UnsafePointer<T>
}
