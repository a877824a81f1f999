import Engine
import Foundation

/// The training matrix in both orientations, shared read-only by every tree of a forest.
struct TreeData: Sendable {
    let x: SparseMatrix
    /// The transpose: row `j` lists the examples where feature `j` is present.
    let xt: SparseMatrix
    let y: [Int32]
    let classes: Int

    init(x: SparseMatrix, y: [Int], classes: Int) {
        self.x = x
        self.xt = x.transposed()
        self.y = y.map { Int32($0) }
        self.classes = classes
    }
}

/// Grows one tree. Scratch arrays live here and are reused across nodes; every per-node mark
/// uses a stamp (the node's number) so nothing needs clearing.
struct TreeBuilder {
    let data: TreeData
    let options: DecisionTree.Options
    var rng: SeededGenerator

    private var samples: [Int32] = []          // the tree's examples; each node owns a range
    private var weight: [Int32] = []           // bootstrap multiplicity per example
    private var inNode: [Int32] = []           // per example: stamp of the node holding it
    private var goesRight: [Int32] = []        // per example: stamp when it goes right
    private var drawnAt: [Int32] = []          // per feature: stamp when drawn at a node
    private var seenAt: [Int32] = []           // per feature: stamp when seen in a row scan
    private var slot: [Int32] = []             // per feature: candidate slot at this node
    private var permutation: [Int32] = []      // features, partially shuffled at each node
    private var keys: [UInt64] = []            // candidate entries: sortable value bits << 32 | example
    private var stamp: Int32 = 0

    // The tree being built.
    private var feature: [Int32] = []
    private var threshold: [Float] = []
    private var left: [Int32] = []
    private var right: [Int32] = []
    private var value: [Float] = []

    init(data: TreeData, options: DecisionTree.Options, seed: UInt64) {
        self.data = data
        self.options = options
        rng = SeededGenerator(seed: seed)
    }

    /// A candidate feature at a node: its entries are `keys[lo..<hi]`, sorted.
    struct Candidate {
        var feature: Int32
        var lo: Int
        var hi: Int
    }

    struct Split {
        var score: Double
        var feature: Int32
        var threshold: Float
        var lo: Int
        var hi: Int
    }

    mutating func build(weights: [Int32]) -> DecisionTree {
        let n = data.x.rows, f = data.x.columns, k = data.classes
        weight = weights
        samples = (0..<n).filter { weights[$0] > 0 }.map { Int32($0) }
        inNode = [Int32](repeating: 0, count: n)
        goesRight = [Int32](repeating: 0, count: n)
        drawnAt = [Int32](repeating: 0, count: f)
        seenAt = [Int32](repeating: 0, count: f)
        slot = [Int32](repeating: 0, count: f)
        permutation = (0..<f).map { Int32($0) }
        stamp = 0

        struct Pending { var start: Int; var end: Int; var depth: Int; var parent: Int; var isLeft: Bool }
        var stack = [Pending(start: 0, end: samples.count, depth: 0, parent: -1, isLeft: true)]
        var counts = [Int](repeating: 0, count: k)
        while let p = stack.popLast() {
            let node = feature.count
            if p.parent >= 0 {
                if p.isLeft { left[p.parent] = Int32(node) } else { right[p.parent] = Int32(node) }
            }
            for c in 0..<k { counts[c] = 0 }
            var total = 0
            for i in p.start..<p.end {
                let s = Int(samples[i])
                counts[Int(data.y[s])] += Int(weight[s])
                total += Int(weight[s])
            }
            feature.append(-1)
            threshold.append(0)
            left.append(-1)
            right.append(-1)
            for c in 0..<k { value.append(total > 0 ? Float(Double(counts[c]) / Double(total)) : 1 / Float(k)) }

            let size = p.end - p.start
            let pure = counts.filter { $0 > 0 }.count <= 1
            if pure || size < options.minSamplesSplit || size < 2 * options.minSamplesLeaf
                || (options.maxDepth.map { p.depth >= $0 } ?? false) {
                continue
            }
            guard let split = bestSplit(start: p.start, end: p.end, counts: counts, total: total) else { continue }
            let mid = partition(start: p.start, end: p.end, split: split)
            guard mid > p.start && mid < p.end else { continue }
            feature[node] = split.feature
            threshold[node] = split.threshold
            // Right pushed first so the left child is built (and numbered) first.
            stack.append(Pending(start: mid, end: p.end, depth: p.depth + 1, parent: node, isLeft: false))
            stack.append(Pending(start: p.start, end: mid, depth: p.depth + 1, parent: node, isLeft: true))
        }
        return DecisionTree(classCount: k, featureCount: f, feature: feature, threshold: threshold, left: left,
                            right: right, value: value)
    }

    /// Order-preserving key of a float: unsigned comparison of keys = numeric comparison.
    static func key(_ v: Float, _ sample: Int32) -> UInt64 {
        let bits = v.bitPattern
        let ordered = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return UInt64(ordered) << 32 | UInt64(UInt32(bitPattern: sample))
    }

    static func value(ofKey key: UInt64) -> Float {
        let ordered = UInt32(truncatingIfNeeded: key >> 32)
        return Float(bitPattern: ordered & 0x8000_0000 != 0 ? ordered & 0x7FFF_FFFF : ~ordered)
    }

    static func sample(ofKey key: UInt64) -> Int { Int(UInt32(truncatingIfNeeded: key)) }

    /// The candidate features of the node `samples[start..<end]` with their sorted entries.
    private mutating func candidates(start: Int, end: Int) -> [Candidate] {
        stamp += 1
        let st = stamp
        let x = data.x, xt = data.xt
        let size = end - start
        for i in start..<end { inNode[Int(samples[i])] = st }
        keys.removeAll(keepingCapacity: true)
        var found: [Candidate] = []
        let f = x.columns

        guard let m = options.maxFeatures, m < f else {
            // Every present feature, in a seeded random order: as scikit-learn, which visits
            // the features of every node in a fresh random order, so that among splits of
            // equal gain (common on sparse TF-IDF) the one kept is drawn at random rather
            // than always the lowest feature index.
            var pool = presentFeatures(start: start, end: end, excludingDrawn: false)
            pool.sort()
            for i in stride(from: pool.count - 1, to: 0, by: -1) { pool.swapAt(i, rng.index(below: i + 1)) }
            return gather(pool, start: start, end: end, size: size)
        }

        // As scikit-learn: draw m features uniformly among all of them, reading their
        // columns, and try those not constant over the node; only when all m are constant,
        // keep drawing until one is not (here: one chosen uniformly among the present
        // features not drawn yet, which has the same distribution).
        var drawn = 0
        while drawn < m {
            let j = drawn + rng.index(below: f - drawn)
            permutation.swapAt(drawn, j)
            let feat = permutation[drawn]
            drawn += 1
            drawnAt[Int(feat)] = st
            let lo = keys.count
            for e in xt.rowPtr[Int(feat)]..<xt.rowPtr[Int(feat) + 1] {
                let s = xt.colIdx[e]
                if inNode[Int(s)] == st { keys.append(Self.key(xt.values[e], s)) }
            }
            let hi = keys.count
            if hi == lo { continue }
            keys[lo..<hi].sort()
            if hi - lo == size && Self.value(ofKey: keys[lo]) == Self.value(ofKey: keys[hi - 1]) {
                keys.removeSubrange(lo..<hi)
                continue
            }
            found.append(Candidate(feature: feat, lo: lo, hi: hi))
        }
        if found.isEmpty {
            var pool = presentFeatures(start: start, end: end, excludingDrawn: true)
            while found.isEmpty && !pool.isEmpty {
                let pick = rng.index(below: pool.count)
                let feat = pool[pick]
                pool.swapAt(pick, pool.count - 1)
                pool.removeLast()
                found = gather([feat], start: start, end: end, size: size)
            }
        }
        return found
    }

    /// Features present in the node's rows, in order of first appearance.
    private mutating func presentFeatures(start: Int, end: Int, excludingDrawn: Bool) -> [Int32] {
        let st = stamp, x = data.x
        var pool: [Int32] = []
        for i in start..<end {
            let s = Int(samples[i])
            for e in x.rowPtr[s]..<x.rowPtr[s + 1] {
                let feat = Int(x.colIdx[e])
                if seenAt[feat] != st && !(excludingDrawn && drawnAt[feat] == st) {
                    seenAt[feat] = st
                    pool.append(Int32(feat))
                }
            }
        }
        return pool
    }

    /// Collects the entries of `chosen` features by scanning the node's rows, appends them to
    /// `keys` (each feature's block sorted) and returns the non-constant ones.
    private mutating func gather(_ chosen: [Int32], start: Int, end: Int, size: Int) -> [Candidate] {
        guard !chosen.isEmpty else { return [] }
        let x = data.x
        // Slot per chosen feature; count its entries; lay out blocks; fill.
        var count = [Int](repeating: 0, count: chosen.count)
        let marker = -stamp   // distinct from any stamp used for seenAt/drawnAt
        for (i, feat) in chosen.enumerated() {
            slot[Int(feat)] = Int32(i)
            seenAt[Int(feat)] = marker
        }
        for i in start..<end {
            let s = Int(samples[i])
            for e in x.rowPtr[s]..<x.rowPtr[s + 1] where seenAt[Int(x.colIdx[e])] == marker {
                count[Int(slot[Int(x.colIdx[e])])] += 1
            }
        }
        let base = keys.count
        var offset = [Int](repeating: 0, count: chosen.count + 1)
        for i in 0..<chosen.count { offset[i + 1] = offset[i] + count[i] }
        keys.append(contentsOf: repeatElement(0, count: offset[chosen.count]))
        var next = offset
        for i in start..<end {
            let s = Int(samples[i])
            for e in x.rowPtr[s]..<x.rowPtr[s + 1] where seenAt[Int(x.colIdx[e])] == marker {
                let c = Int(slot[Int(x.colIdx[e])])
                keys[base + next[c]] = Self.key(x.values[e], Int32(s))
                next[c] += 1
            }
        }
        var out: [Candidate] = []
        out.reserveCapacity(chosen.count)
        for (i, feat) in chosen.enumerated() {
            seenAt[Int(feat)] = stamp
            let lo = base + offset[i], hi = base + offset[i + 1]
            if hi == lo { continue }
            keys[lo..<hi].sort()
            if hi - lo == size && Self.value(ofKey: keys[lo]) == Self.value(ofKey: keys[hi - 1]) { continue }
            out.append(Candidate(feature: feat, lo: lo, hi: hi))
        }
        return out
    }

    /// The best Gini split of the node, or nil when no split leaves `minSamplesLeaf` examples
    /// on each side.
    private mutating func bestSplit(start: Int, end: Int, counts: [Int], total: Int) -> Split? {
        let found = candidates(start: start, end: end)
        let k = data.classes, size = end - start, minLeaf = options.minSamplesLeaf
        var best: Split?
        var leftCounts = [Int](repeating: 0, count: k)
        var zeroCounts = [Int](repeating: 0, count: k)
        for cand in found {
            // The zero bucket: the node's examples without this feature.
            for c in 0..<k { zeroCounts[c] = counts[c] }
            for e in cand.lo..<cand.hi {
                let s = Self.sample(ofKey: keys[e])
                zeroCounts[Int(data.y[s])] -= Int(weight[s])
            }
            let zeroSize = size - (cand.hi - cand.lo)
            var firstPositive = cand.lo
            while firstPositive < cand.hi && Self.value(ofKey: keys[firstPositive]) < 0 { firstPositive += 1 }

            for c in 0..<k { leftCounts[c] = 0 }
            var leftSize = 0, leftWeight = 0
            // Walk the values in ascending order: negative entries, the zero bucket, positive
            // entries. Item `i` is entry `cand.lo + i` before the bucket and after it shifted.
            let items = (cand.hi - cand.lo) + (zeroSize > 0 ? 1 : 0)
            func itemValue(_ i: Int) -> Float {
                let negatives = firstPositive - cand.lo
                if i < negatives { return Self.value(ofKey: keys[cand.lo + i]) }
                if zeroSize > 0 {
                    if i == negatives { return 0 }
                    return Self.value(ofKey: keys[cand.lo + i - 1])
                }
                return Self.value(ofKey: keys[cand.lo + i])
            }
            let negatives = firstPositive - cand.lo
            for i in 0..<items {
                if zeroSize > 0 && i == negatives {
                    for c in 0..<k { leftCounts[c] += zeroCounts[c] }
                    leftSize += zeroSize
                    leftWeight += zeroCounts.reduce(0, +)
                } else {
                    let e = cand.lo + i - (zeroSize > 0 && i > negatives ? 1 : 0)
                    let s = Self.sample(ofKey: keys[e])
                    leftCounts[Int(data.y[s])] += Int(weight[s])
                    leftSize += 1
                    leftWeight += Int(weight[s])
                }
                guard i + 1 < items else { break }
                let v = itemValue(i), next = itemValue(i + 1)
                guard next > v else { continue }
                let rightSize = size - leftSize
                guard leftSize >= minLeaf && rightSize >= minLeaf else { continue }
                let rightWeight = total - leftWeight
                guard leftWeight > 0 && rightWeight > 0 else { continue }
                var l2 = 0.0, r2 = 0.0
                for c in 0..<k {
                    let l = Double(leftCounts[c]), r = Double(counts[c] - leftCounts[c])
                    l2 += l * l
                    r2 += r * r
                }
                let score = l2 / Double(leftWeight) + r2 / Double(rightWeight)
                if best == nil || score > best!.score {
                    var t = Float((Double(v) + Double(next)) / 2)
                    if t >= next || !t.isFinite { t = v }
                    best = Split(score: score, feature: cand.feature, threshold: t, lo: cand.lo, hi: cand.hi)
                }
            }
        }
        return best
    }

    /// Moves the node's examples going left (value <= threshold) before those going right,
    /// keeping their order; returns where the right part starts.
    private mutating func partition(start: Int, end: Int, split: Split) -> Int {
        stamp += 1
        let st = stamp
        let zeroGoesLeft = 0 <= split.threshold
        // Mark the examples whose side differs from the zero bucket's.
        for e in split.lo..<split.hi {
            let v = Self.value(ofKey: keys[e])
            if (v <= split.threshold) != zeroGoesLeft { goesRight[Self.sample(ofKey: keys[e])] = st }
        }
        var lefts: [Int32] = [], rights: [Int32] = []
        lefts.reserveCapacity(end - start)
        for i in start..<end {
            let s = samples[i]
            let marked = goesRight[Int(s)] == st
            if marked == zeroGoesLeft { rights.append(s) } else { lefts.append(s) }
        }
        for (i, s) in (lefts + rights).enumerated() { samples[start + i] = s }
        return start + lefts.count
    }
}
