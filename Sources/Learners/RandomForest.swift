import Dispatch
import Basics
import Engine
import Foundation

/// A random forest as scikit-learn's `RandomForestClassifier()`: `trees` CART trees, each on
/// a bootstrap sample (n draws with replacement, kept as multiplicities), grown fully by
/// default. At each split a tree draws `⌊√features⌋` features at random among all features and
/// tries those not constant over the node (at least one: when every drawn feature is
/// constant it draws on until one is not), as scikit-learn's splitter does. Probabilities are the mean of the trees' leaf class frequencies.
///
/// Tree `t` draws from its own generator seeded from (seed, t), and trees are built in
/// parallel (`DispatchQueue.concurrentPerform`) into fixed slots, so the same seed gives the
/// same forest whatever the thread scheduling.
public struct RandomForest: SparseClassifier {
    public struct Options: Codable, Sendable, Equatable {
        public var trees: Int
        public var maxDepth: Int?
        public var minSamplesSplit: Int
        public var minSamplesLeaf: Int
        /// Features tried per split; nil for ⌊√features⌋.
        public var maxFeatures: Int?
        public var bootstrap: Bool

        public init(trees: Int = 100, maxDepth: Int? = nil, minSamplesSplit: Int = 2, minSamplesLeaf: Int = 1,
                    maxFeatures: Int? = nil, bootstrap: Bool = true) {
            self.trees = trees
            self.maxDepth = maxDepth
            self.minSamplesSplit = minSamplesSplit
            self.minSamplesLeaf = minSamplesLeaf
            self.maxFeatures = maxFeatures
            self.bootstrap = bootstrap
        }
    }

    public let classCount: Int
    public let featureCount: Int
    public let trees: [DecisionTree]

    public func probabilities(_ x: SparseVector) -> [Float] {
        var p = [Float](repeating: 0, count: classCount)
        for tree in trees {
            let node = tree.leaf(for: x)
            for c in 0..<classCount { p[c] += tree.value[node * classCount + c] }
        }
        let scale = 1 / Float(max(trees.count, 1))
        return p.map { $0 * scale }
    }

    /// The most trees a forest may have (each is trained and kept in memory).
    public static let maxTrees = 10_000

    /// The seed of tree `t`: draw t + 1 of a SplitMix64 seeded with the forest seed, computed
    /// directly, so each tree's seed depends only on the forest seed and its index.
    static func treeSeed(_ seed: UInt64, _ t: Int) -> UInt64 {
        SplitMix64.mix(seed &+ UInt64(t + 1) &* SplitMix64.increment)
    }

    static func train(x: SparseMatrix, y: [Int], classes: Int, options: Options, seed: UInt64) throws -> RandomForest {
        guard options.trees >= 1 && options.trees <= maxTrees else {
            throw LearnerError.invalidConfiguration(what: "random forest", reason: "trees must be in 1...\(maxTrees), got \(options.trees)")
        }
        let treeOptions = DecisionTree.Options(
            maxDepth: options.maxDepth, minSamplesSplit: options.minSamplesSplit, minSamplesLeaf: options.minSamplesLeaf,
            maxFeatures: options.maxFeatures ?? max(1, Int(Double(x.columns).squareRoot())))
        try treeOptions.validate("random forest")
        let data = TreeData(x: x, y: y, classes: classes)
        let n = x.rows
        let results = Slots<DecisionTree>(count: options.trees)
        DispatchQueue.concurrentPerform(iterations: options.trees) { t in
            let treeSeed = Self.treeSeed(seed, t)
            var weights = [Int32](repeating: options.bootstrap ? 0 : 1, count: n)
            var rng = SeededGenerator(seed: treeSeed)
            if options.bootstrap {
                for _ in 0..<n { weights[rng.index(below: n)] += 1 }
            }
            var builder = TreeBuilder(data: data, options: treeOptions, seed: rng.next())
            results.set(t, builder.build(weights: weights))
        }
        let trees = results.values.compactMap { $0 }
        guard trees.count == options.trees else {
            throw LearnerError.invalidData(what: "random forest", reason: "\(options.trees - trees.count) trees were not built")
        }
        for tree in trees where !(tree.value.allSatisfy(\.isFinite) && tree.threshold.allSatisfy(\.isFinite)) {
            throw LearnerError.nonFinite(learner: "random forest", what: "the nodes")
        }
        return RandomForest(classCount: classes, featureCount: x.columns, trees: trees)
    }

    init(classCount: Int, featureCount: Int, trees: [DecisionTree]) {
        self.classCount = classCount
        self.featureCount = featureCount
        self.trees = trees
    }

    public func save(into archive: inout LearnerArchive) throws {
        try archive.set("forest", ["trees": trees.count])
        for (t, tree) in trees.enumerated() { tree.save(into: &archive, prefix: "tree\(t)/") }
    }

    init(archive a: LearnerArchive, features: Int, classes: Int) throws {
        let info = try a.get("forest", as: [String: Int].self)
        guard let count = info["trees"], count >= 1 else {
            throw LearnerError.file(path: "random forest", reason: "no tree count")
        }
        // Each tree is five arrays: a count beyond that cannot be right (and is not allocated for).
        guard count <= a.arrays.count / 5 else {
            throw LearnerError.file(path: "random forest", reason: "\(count) trees, but the file holds arrays for at most \(a.arrays.count / 5)")
        }
        classCount = classes
        featureCount = features
        trees = try (0..<count).map { try DecisionTree(archive: a, prefix: "tree\($0)/", features: features, classes: classes) }
    }
}

extension SeededGenerator {
    /// A uniform integer in `0..<n` (Lemire's multiply-and-reject, unbiased); 0 when `n <= 1`.
    mutating func index(below n: Int) -> Int {
        guard n > 1 else { return 0 }
        let bound = UInt64(n)
        let threshold = (0 &- bound) % bound
        while true {
            let (high, low) = next().multipliedFullWidth(by: bound)
            if low >= threshold { return Int(high) }
        }
    }
}

/// Fixed result slots written from concurrent iterations, each slot by exactly one.
final class Slots<T>: @unchecked Sendable {
    private var storage: [T?]
    private let lock = NSLock()

    init(count: Int) { storage = [T?](repeating: nil, count: count) }

    func set(_ i: Int, _ value: T) {
        lock.lock()
        storage[i] = value
        lock.unlock()
    }

    var values: [T?] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
