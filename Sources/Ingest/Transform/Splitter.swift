import Core

/// Assigns every interaction to train (0), valid (1) or test (2), per user.
///
/// Works on a table ordered by user, then time (`orderByUserTime`), so "the latest" is the end of
/// each user's run. Random choices draw from one seeded generator in user order, so the same seed
/// gives the same split. Users with fewer than `minInteractionsToSplit` interactions stay
/// entirely in train: a held-out item for a user the model never saw says nothing.
struct Splitter {
    let method: SplitMethod
    let ratios: [Double]
    let minToSplit: Int
    let validCutoff: Int64?
    let testCutoff: Int64?
    let givenValidFraction: Double

    init(config: IngestConfig) {
        method = config.effectiveSplit
        ratios = config.splitRatios
        minToSplit = config.minInteractionsToSplit
        validCutoff = config.validCutoff
        testCutoff = config.testCutoff
        givenValidFraction = config.givenValidFraction
    }

    /// Held-out counts for a user with `n` interactions under the ratio splits.
    func heldOut(_ n: Int) -> (valid: Int, test: Int) {
        if n < minToSplit { return (0, 0) }
        var test = Int((ratios[2] * Double(n)).rounded())
        var valid = Int((ratios[1] * Double(n)).rounded())
        if ratios[2] > 0 { test = max(test, 1) }
        if ratios[1] > 0 { valid = max(valid, 1) }
        while valid + test > n - 1 { if valid >= test && valid > 0 { valid -= 1 } else { test -= 1 } }
        return (valid, test)
    }

    func assign(_ t: inout InteractionTable, rng: inout SeededGenerator) {
        var start = 0
        while start < t.count {
            var end = start + 1
            while end < t.count && t.users[end] == t.users[start] { end += 1 }
            assignUser(&t, start..<end, &rng)
            start = end
        }
    }

    private func assignUser(_ t: inout InteractionTable, _ r: Range<Int>, _ rng: inout SeededGenerator) {
        let n = r.count
        switch method {
        case .random:
            let (v, te) = heldOut(n)
            var idx = Array(r)
            rng.shuffle(&idx)
            for (k, row) in idx.enumerated() { t.splits[row] = k < n - v - te ? 0 : (k < n - te ? 1 : 2) }
        case .temporal:
            let (v, te) = heldOut(n)
            for (k, row) in r.enumerated() { t.splits[row] = k < n - v - te ? 0 : (k < n - te ? 1 : 2) }
        case .leaveOneOut:
            for row in r { t.splits[row] = 0 }
            if n >= max(minToSplit, 2) { t.splits[r.upperBound - 1] = 2 }
            if n >= max(minToSplit, 3) { t.splits[r.upperBound - 2] = 1 }
        case .timeCutoff:
            let tc = testCutoff ?? .max
            let vc = validCutoff ?? tc
            for row in r {
                let ts = t.timestamps[row]
                t.splits[row] = ts >= tc ? 2 : (ts >= vc ? 1 : 0)
            }
        case .given:
            // Test rows keep their tag; valid is carved at random from the user's train rows.
            var train = r.filter { t.splits[$0] != 2 }
            for row in train { t.splits[row] = 0 }
            if train.count >= minToSplit && givenValidFraction > 0 {
                let v = min(train.count - 1, max(1, Int((givenValidFraction * Double(train.count)).rounded())))
                rng.shuffle(&train)
                for row in train.prefix(v) { t.splits[row] = 1 }
            }
        }
    }

    /// Cold-start setting: keeps a seeded random `fraction` (at least one) of each user's train
    /// rows and drops the rest; returns the rows kept and how many were dropped.
    static func coldStart(_ t: InteractionTable, fraction: Double, rng: inout SeededGenerator) -> (InteractionTable, Int) {
        var keep = [Bool](repeating: true, count: t.count)
        var dropped = 0
        var start = 0
        while start < t.count {
            var end = start + 1
            while end < t.count && t.users[end] == t.users[start] { end += 1 }
            var train = (start..<end).filter { t.splits[$0] == 0 }
            let kept = max(1, Int((fraction * Double(train.count)).rounded()))
            if train.count > kept {
                rng.shuffle(&train)
                for row in train[kept...] { keep[row] = false; dropped += 1 }
            }
            start = end
        }
        return (t.filtered(keep), dropped)
    }
}
