/// The pointer-level kernel behind `TopKRetrieval`: cache-tiled scoring fused with top-K selection.
///
/// Why not score a user against all items and then select (the first version did): at export
/// size (38k items × d 64 = 9.7 MB packed) every group of 4 users re-streams the whole item
/// matrix from L3/memory, and the selection is a scalar pass over every score. Here a tile of
/// `userTile` users meets a chunk of `itemChunk` items (128 KB packed, L2-resident) that is reused
/// by all the tile's users; the chunk's scores (another 128 KB) are filtered 16 at a time against
/// each user's heap threshold, so nearly all scores cost one vector compare.
///
/// Items are visited in increasing index per user, and the heap accepts/replaces only on a
/// strictly better score (ties to the lower index; NaN and excluded items skipped), so the kept
/// set and its order are those of a full sort by (score desc, index asc).
enum TiledTopKKernel {
    static let itemBlock = 16
    static let userGroup = 4
    static let userTile = 64
    static let itemChunk = 512

    /// Items packed block-major: block b holds items 16b..<16b+16, dimension-major inside
    /// (`packed[b*dim*16 + c*16 + lane]`); lanes past the last item are zero.
    static func pack(items: UnsafeBufferPointer<Float>, itemCount: Int, dim: Int, into packed: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<itemCount {
            let base = (i / itemBlock) * dim * itemBlock + i % itemBlock
            for c in 0..<dim { packed[base + c * itemBlock] = items[i * dim + c] }
        }
    }

    /// Per-worker scratch: the score tile and the tile's heaps.
    struct Scratch {
        let scores: UnsafeMutablePointer<Float>      // userTile × itemChunk
        let heapScores: UnsafeMutablePointer<Float>  // userTile × k
        let heapItems: UnsafeMutablePointer<UInt32>  // userTile × k
        let sizes: UnsafeMutablePointer<Int>         // userTile
        let cursors: UnsafeMutablePointer<Int>       // userTile: next exclusion position
        let zeros: UnsafeMutablePointer<Float>       // dim: a zero user row for partial groups

        init(k: Int, dim: Int) {
            scores = .allocate(capacity: userTile * itemChunk)
            heapScores = .allocate(capacity: userTile * max(k, 1))
            heapItems = .allocate(capacity: userTile * max(k, 1))
            sizes = .allocate(capacity: userTile)
            cursors = .allocate(capacity: userTile)
            zeros = .allocate(capacity: dim)
            zeros.initialize(repeating: 0, count: dim)
        }

        func free() {
            scores.deallocate(); heapScores.deallocate(); heapItems.deallocate()
            sizes.deallocate(); cursors.deallocate(); zeros.deallocate()
        }
    }

    /// Top-k for users `rows` (row r of `users`, whose exclusions are CSR row `exclusionRow0 + r`).
    static func run(users: UnsafePointer<Float>, rows: Range<Int>, dim: Int, packed: UnsafePointer<Float>, itemCount: Int,
                    k: Int, exclusionPointers: UnsafePointer<Int>, exclusionItems: UnsafePointer<UInt32>,
                    exclusionRows: Int, exclusionRow0: Int,
                    outItems: UnsafeMutablePointer<UInt32>, outScores: UnsafeMutablePointer<Float>, scratch: Scratch,
                    scoreOnly: Bool = false) {
        var tileStart = rows.lowerBound
        while tileStart < rows.upperBound {
            let tileCount = min(userTile, rows.upperBound - tileStart)
            for t in 0..<tileCount {
                scratch.sizes[t] = 0
                let e = exclusionRow0 + tileStart + t
                scratch.cursors[t] = e < exclusionRows ? exclusionPointers[e] : 0
            }
            var chunkStart = 0
            while chunkStart < itemCount {
                let chunkCount = min(itemChunk, itemCount - chunkStart)
                let blocks = (chunkCount + itemBlock - 1) / itemBlock
                scoreTile(users: users + tileStart * dim, count: tileCount, dim: dim,
                          packed: packed + (chunkStart / itemBlock) * dim * itemBlock, blocks: blocks,
                          out: scratch.scores, zeros: scratch.zeros)
                for t in 0..<tileCount where !scoreOnly {
                    let row = scratch.scores + t * itemChunk
                    // Excluded items of this chunk become NaN, which selection skips.
                    let e = exclusionRow0 + tileStart + t
                    if e < exclusionRows {
                        var c = scratch.cursors[t]
                        let end = exclusionPointers[e + 1]
                        while c < end {
                            let item = Int(exclusionItems[c])
                            if item >= chunkStart + chunkCount { break }
                            if item >= chunkStart { row[item - chunkStart] = .nan }
                            c += 1
                        }
                        scratch.cursors[t] = c
                    }
                    select(row, count: chunkCount, firstItem: chunkStart, k: k,
                           heapScores: scratch.heapScores + t * k, heapItems: scratch.heapItems + t * k,
                           size: &scratch.sizes[t])
                }
                chunkStart += chunkCount
            }
            for t in 0..<tileCount where !scoreOnly {
                let r = tileStart + t - rows.lowerBound
                drain(heapScores: scratch.heapScores + t * k, heapItems: scratch.heapItems + t * k, size: scratch.sizes[t], k: k,
                      outItems: outItems + r * k, outScores: outScores + r * k)
            }
            tileStart += tileCount
        }
    }

    /// Scores of `count` users against `blocks` packed item blocks, into `out[t * itemChunk + i]`.
    @inline(__always)
    static func scoreTile(users: UnsafePointer<Float>, count: Int, dim: Int, packed: UnsafePointer<Float>, blocks: Int,
                          out: UnsafeMutablePointer<Float>, zeros: UnsafePointer<Float>) {
        var g = 0
        while g < count {
            let u0 = users + g * dim
            let u1 = g + 1 < count ? u0 + dim : zeros
            let u2 = g + 2 < count ? u0 + 2 * dim : zeros
            let u3 = g + 3 < count ? u0 + 3 * dim : zeros
            let o0 = UnsafeMutableRawPointer(out + g * itemChunk)
            let rowBytes = itemChunk * MemoryLayout<Float>.stride
            for b in 0..<blocks {
                var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
                var p = UnsafeRawPointer(packed + b * dim * itemBlock)
                for c in 0..<dim {
                    let v = p.loadUnaligned(as: SIMD16<Float>.self)
                    a0.addProduct(SIMD16(repeating: u0[c]), v)
                    a1.addProduct(SIMD16(repeating: u1[c]), v)
                    a2.addProduct(SIMD16(repeating: u2[c]), v)
                    a3.addProduct(SIMD16(repeating: u3[c]), v)
                    p += itemBlock * MemoryLayout<Float>.stride
                }
                let o = o0 + b * itemBlock * MemoryLayout<Float>.stride
                o.storeBytes(of: a0, as: SIMD16<Float>.self)
                if g + 1 < count { (o + rowBytes).storeBytes(of: a1, as: SIMD16<Float>.self) }
                if g + 2 < count { (o + 2 * rowBytes).storeBytes(of: a2, as: SIMD16<Float>.self) }
                if g + 3 < count { (o + 3 * rowBytes).storeBytes(of: a3, as: SIMD16<Float>.self) }
            }
            g += userGroup
        }
    }

    /// Feeds `count` scores (items `firstItem…`) into a user's bounded min-heap.
    @inline(__always)
    static func select(_ scores: UnsafeMutablePointer<Float>, count: Int, firstItem: Int, k: Int,
                       heapScores: UnsafeMutablePointer<Float>, heapItems: UnsafeMutablePointer<UInt32>, size: inout Int) {
        var i = 0
        // Fill phase: every non-NaN score enters until the heap holds k.
        while i < count && size < k {
            let s = scores[i]
            if !s.isNaN { push(s, UInt32(firstItem + i), heapScores, heapItems, &size) }
            i += 1
        }
        guard size == k else { return }
        // Steady phase: 16 scores per test against the worst kept score t. v > t implies t − v < 0
        // (IEEE subtraction of unequal values never rounds to zero), so "some lane of t − v has its
        // sign bit set" misses no candidate; its few false positives (−0, NaN) fail the scalar
        // re-check. (A plain `any(v .> t)` builds the mask lane by lane through memory: 5× slower.)
        while i + 16 <= count {
            let v = UnsafeRawPointer(scores + i).loadUnaligned(as: SIMD16<Float>.self)
            let difference = SIMD16(repeating: heapScores[0]) - v
            if unsafeBitCast(difference, to: SIMD16<Int32>.self).min() < 0 {
                for lane in 0..<16 {
                    let s = v[lane]
                    if s > heapScores[0] { replaceRoot(s, UInt32(firstItem + i + lane), heapScores, heapItems, k) }
                }
            }
            i += 16
        }
        while i < count {
            let s = scores[i]
            if s > heapScores[0] { replaceRoot(s, UInt32(firstItem + i), heapScores, heapItems, k) }
            i += 1
        }
    }

    /// The heap root is the worst kept entry: the lowest score, and among equal scores the higher item.
    @inline(__always)
    static func worse(_ a: Int, _ b: Int, _ hs: UnsafeMutablePointer<Float>, _ hi: UnsafeMutablePointer<UInt32>) -> Bool {
        hs[a] < hs[b] || (hs[a] == hs[b] && hi[a] > hi[b])
    }

    @inline(__always)
    static func push(_ s: Float, _ item: UInt32, _ hs: UnsafeMutablePointer<Float>, _ hi: UnsafeMutablePointer<UInt32>, _ size: inout Int) {
        var c = size
        hs[c] = s; hi[c] = item
        size += 1
        while c > 0 {
            let parent = (c - 1) / 2
            guard worse(c, parent, hs, hi) else { break }
            hs.swapAt(c, parent); hi.swapAt(c, parent)
            c = parent
        }
    }

    @inline(__always)
    static func replaceRoot(_ s: Float, _ item: UInt32, _ hs: UnsafeMutablePointer<Float>, _ hi: UnsafeMutablePointer<UInt32>, _ size: Int) {
        hs[0] = s; hi[0] = item
        siftDown(0, hs, hi, size)
    }

    @inline(__always)
    static func siftDown(_ start: Int, _ hs: UnsafeMutablePointer<Float>, _ hi: UnsafeMutablePointer<UInt32>, _ size: Int) {
        var i = start
        while true {
            let l = 2 * i + 1
            if l >= size { return }
            var m = l
            if l + 1 < size && worse(l + 1, l, hs, hi) { m = l + 1 }
            guard worse(m, i, hs, hi) else { return }
            hs.swapAt(m, i); hi.swapAt(m, i)
            i = m
        }
    }

    /// Pops the heap worst-first into the output from the back; unfilled slots get UInt32.max / -inf.
    static func drain(heapScores hs: UnsafeMutablePointer<Float>, heapItems hi: UnsafeMutablePointer<UInt32>, size: Int, k: Int,
                      outItems: UnsafeMutablePointer<UInt32>, outScores: UnsafeMutablePointer<Float>) {
        for r in size..<k { outItems[r] = UInt32.max; outScores[r] = -.infinity }
        var n = size
        while n > 0 {
            outScores[n - 1] = hs[0]; outItems[n - 1] = hi[0]
            n -= 1
            hs[0] = hs[n]; hi[0] = hi[n]
            siftDown(0, hs, hi, n)
        }
    }
}

extension UnsafeMutablePointer {
    @inline(__always) func swapAt(_ a: Int, _ b: Int) {
        let t = self[a]
        self[a] = self[b]
        self[b] = t
    }
}
