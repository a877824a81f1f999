import Engine
import Foundation

/// A CART classification tree as scikit-learn's `DecisionTreeClassifier()`: binary splits
/// `x[feature] <= threshold` chosen by the largest Gini impurity decrease, grown depth first
/// until a node is pure, holds fewer than `minSamplesSplit` examples, reaches `maxDepth`, or
/// has no split leaving `minSamplesLeaf` examples on each side. A leaf predicts its examples'
/// class frequencies.
///
/// On sparse rows, a node considers only the features present in its examples; a feature's
/// thresholds are the midpoints between its consecutive distinct values, the absent (zero)
/// examples forming one bucket. A node visits its features in a seeded random order, as
/// scikit-learn does, and among equally good splits the first found wins, so training is
/// deterministic for a seed. `TreeBuilder` (TreeBuilder.swift) grows the trees.
public struct DecisionTree: SparseClassifier {
    public struct Options: Codable, Sendable, Equatable {
        public var maxDepth: Int?
        public var minSamplesSplit: Int
        public var minSamplesLeaf: Int
        /// Features tried per split: nil for all (the single tree's default).
        public var maxFeatures: Int?

        public init(maxDepth: Int? = nil, minSamplesSplit: Int = 2, minSamplesLeaf: Int = 1, maxFeatures: Int? = nil) {
            self.maxDepth = maxDepth
            self.minSamplesSplit = minSamplesSplit
            self.minSamplesLeaf = minSamplesLeaf
            self.maxFeatures = maxFeatures
        }

        func validate(_ what: String) throws {
            func fail(_ why: String) -> LearnerError { .invalidConfiguration(what: what, reason: why) }
            if let d = maxDepth, d < 1 { throw fail("maxDepth must be at least 1, got \(d)") }
            guard minSamplesSplit >= 2 else { throw fail("minSamplesSplit must be at least 2, got \(minSamplesSplit)") }
            guard minSamplesLeaf >= 1 else { throw fail("minSamplesLeaf must be at least 1, got \(minSamplesLeaf)") }
            if let m = maxFeatures, m < 1 { throw fail("maxFeatures must be at least 1, got \(m)") }
        }
    }

    public let classCount: Int
    public let featureCount: Int
    /// Per node: the split feature, or −1 for a leaf.
    public let feature: [Int32]
    public let threshold: [Float]
    public let left: [Int32]
    public let right: [Int32]
    /// Per node: the class frequencies of its training examples, `value[node * classCount + c]`.
    public let value: [Float]

    public var nodeCount: Int { feature.count }

    /// The depth of the deepest leaf (a lone root has depth 0).
    public var depth: Int {
        var best = 0
        var stack: [(Int, Int)] = feature.isEmpty ? [] : [(0, 0)]
        while let (node, d) = stack.popLast() {
            best = max(best, d)
            if feature[node] >= 0 {
                stack.append((Int(left[node]), d + 1))
                stack.append((Int(right[node]), d + 1))
            }
        }
        return best
    }

    /// The leaf a row reaches.
    public func leaf(for x: SparseVector) -> Int {
        var node = 0
        while node < feature.count, feature[node] >= 0 {
            let v = Self.value(of: feature[node], in: x)
            node = Int(v <= threshold[node] ? left[node] : right[node])
        }
        return node
    }

    public func probabilities(_ x: SparseVector) -> [Float] {
        let node = leaf(for: x)
        guard node < feature.count else { return [Float](repeating: 1 / Float(classCount), count: classCount) }
        return Array(value[(node * classCount)..<((node + 1) * classCount)])
    }

    static func value(of feature: Int32, in x: SparseVector) -> Float {
        var lo = 0, hi = x.indices.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if x.indices[mid] < feature { lo = mid + 1 } else { hi = mid }
        }
        return lo < x.indices.count && x.indices[lo] == feature ? x.values[lo] : 0
    }

    static func train(x: SparseMatrix, y: [Int], classes: Int, options: Options, seed: UInt64) throws -> DecisionTree {
        try options.validate("decision tree")
        let data = TreeData(x: x, y: y, classes: classes)
        var builder = TreeBuilder(data: data, options: options, seed: seed)
        let tree = builder.build(weights: [Int32](repeating: 1, count: x.rows))
        guard tree.value.allSatisfy(\.isFinite), tree.threshold.allSatisfy(\.isFinite) else {
            throw LearnerError.nonFinite(learner: "decision tree", what: "the nodes")
        }
        return tree
    }

    init(classCount: Int, featureCount: Int, feature: [Int32], threshold: [Float], left: [Int32], right: [Int32],
         value: [Float]) {
        self.classCount = classCount
        self.featureCount = featureCount
        self.feature = feature
        self.threshold = threshold
        self.left = left
        self.right = right
        self.value = value
    }

    // MARK: Saving

    public func save(into archive: inout LearnerArchive) throws {
        save(into: &archive, prefix: "")
    }

    func save(into a: inout LearnerArchive, prefix: String) {
        a.add(prefix + "feature", feature)
        a.add(prefix + "threshold", threshold)
        a.add(prefix + "left", left)
        a.add(prefix + "right", right)
        a.add(prefix + "value", value, shape: [nodeCount, classCount])
    }

    init(archive a: LearnerArchive, features: Int, classes: Int) throws {
        try self.init(archive: a, prefix: "", features: features, classes: classes)
    }

    /// Reads and checks a tree: every child index points forward inside the tree, every
    /// split feature is a real column.
    init(archive a: LearnerArchive, prefix: String, features: Int, classes: Int) throws {
        let feature = try a.ints(prefix + "feature")
        let n = feature.count
        let threshold = try a.floats(prefix + "threshold", count: n)
        let left = try a.ints(prefix + "left", count: n)
        let right = try a.ints(prefix + "right", count: n)
        let value = try a.floats(prefix + "value", count: try a.elementCount(n, classes, of: prefix + "value"))
        for i in 0..<n where feature[i] >= 0 {
            guard Int(feature[i]) < features, Int(left[i]) > i, Int(left[i]) < n, Int(right[i]) > i, Int(right[i]) < n else {
                throw LearnerError.file(path: "tree \(prefix)", reason: "node \(i) has a bad feature or child index")
            }
        }
        guard n > 0 else { throw LearnerError.file(path: "tree \(prefix)", reason: "no nodes") }
        self.init(classCount: classes, featureCount: features, feature: feature, threshold: threshold,
                  left: left, right: right, value: value)
    }
}
