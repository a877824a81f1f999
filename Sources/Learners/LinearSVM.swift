import Engine
import Foundation

/// A linear support vector machine as scikit-learn's `LinearSVC()` (LIBLINEAR's
/// L2-regularised squared-hinge solver): minimises `½‖w‖² + C Σ max(0, 1 − y·w·x)²` by dual
/// coordinate descent with shrinking (Hsieh et al. 2008), examples visited in a seeded random
/// order each pass, until the projected-gradient spread is at most `tolerance` or after
/// `maxIterations` passes. The intercept is a constant feature of value `bias` (1), and so is
/// regularised, as in LIBLINEAR. One-vs-rest for more than two classes.
///
/// Probabilities: the decision values are not probabilities; this model reports a softmax
/// over them (for two classes, over (−d, d), i.e. σ(2d)). The ranking is exact, the
/// calibration only rough.
public struct LinearSVM: SparseClassifier {
    public struct Options: Codable, Sendable, Equatable {
        public var c: Double
        public var tolerance: Double
        public var maxIterations: Int
        /// The intercept feature's value (LIBLINEAR's bias, scikit-learn's intercept_scaling).
        public var bias: Double
        public var shrinking: Bool

        public init(c: Double = 1, tolerance: Double = 1e-4, maxIterations: Int = 1000, bias: Double = 1,
                    shrinking: Bool = true) {
            self.c = c
            self.tolerance = tolerance
            self.maxIterations = maxIterations
            self.bias = bias
            self.shrinking = shrinking
        }

        func validate() throws {
            func fail(_ why: String) -> LearnerError { .invalidConfiguration(what: "linear SVM", reason: why) }
            guard c > 0 && c.isFinite else { throw fail("C must be positive, got \(c)") }
            guard tolerance > 0 else { throw fail("tolerance must be positive, got \(tolerance)") }
            guard maxIterations >= 1 else { throw fail("maxIterations must be at least 1, got \(maxIterations)") }
            guard bias >= 0 && bias.isFinite else { throw fail("bias must not be negative, got \(bias)") }
        }
    }

    /// One weight vector per binary problem (1 for two classes); the intercepts are the
    /// intercept feature's weight times `bias`.
    public let linear: LinearWeights
    public var classCount: Int { linear.classCount }

    public func decisionValues(_ x: SparseVector) -> [Float] { linear.scores(x) }

    public func probabilities(_ x: SparseVector) -> [Float] {
        var z = decisionValues(x)
        if classCount == 2 { z = [-z[0], z[0]] }
        softmax(&z)
        return z
    }

    static func train(x: SparseMatrix, y: [Int], classes: Int, options: Options, seed: UInt64,
                      warnings: inout [LearnerWarning]) throws -> LinearSVM {
        try options.validate()
        let f = x.columns, k = classes == 2 ? 1 : classes
        var weights = [Float](repeating: 0, count: f * k)
        var intercepts = [Float](repeating: 0, count: k)
        var generator = SeededGenerator(seed: seed)
        var unconverged = 0
        for p in 0..<k {
            let positive = classes == 2 ? 1 : p
            let signs = y.map { $0 == positive ? 1.0 : -1.0 }
            var rng = generator.fork()
            let (w, b, converged) = solve(x: x, signs: signs, options: options, rng: &rng)
            if !converged { unconverged += 1 }
            for j in 0..<f { weights[j * k + p] = Float(w[j]) }
            intercepts[p] = Float(b * options.bias)
        }
        if unconverged > 0 { warnings.append(.notConverged(learner: "linear SVM", iterations: options.maxIterations)) }
        return LinearSVM(linear: try LinearWeights(classCount: classes, featureCount: f, weights: weights,
                                                   intercepts: intercepts, learner: "linear SVM"))
    }

    /// LIBLINEAR's `solve_l2r_l1l2_svc` for the squared hinge: returns the weights, the
    /// intercept feature's weight and whether the tolerance was met.
    static func solve(x: SparseMatrix, signs: [Double], options: Options,
                      rng: inout SeededGenerator) -> ([Double], Double, Bool) {
        let n = x.rows, f = x.columns
        let diag = 0.5 / options.c
        let bias = options.bias
        var w = [Double](repeating: 0, count: f)
        var wb = 0.0
        var alpha = [Double](repeating: 0, count: n)
        var qd = [Double](repeating: diag + bias * bias, count: n)
        var index = Array(0..<n)
        for r in 0..<n {
            for e in x.rowPtr[r]..<x.rowPtr[r + 1] { qd[r] += Double(x.values[e]) * Double(x.values[e]) }
        }
        var activeSize = n
        var pgMaxOld = Double.infinity   // (the lower bound only matters for the L1 hinge's upper bound C)
        var converged = false
        var iteration = 0
        w.withUnsafeMutableBufferPointer { w in
            x.rowPtr.withUnsafeBufferPointer { ptr in x.colIdx.withUnsafeBufferPointer { col in
                x.values.withUnsafeBufferPointer { val in
                    while iteration < options.maxIterations {
                        var pgMaxNew = -Double.infinity, pgMinNew = Double.infinity
                        for i in 0..<activeSize {
                            let j = i + Int(rng.next() % UInt64(activeSize - i))
                            index.swapAt(i, j)
                        }
                        var s = 0
                        while s < activeSize {
                            let i = index[s]
                            let yi = signs[i]
                            var dot = wb * bias
                            for e in ptr[i]..<ptr[i + 1] { dot += w[Int(col[e])] * Double(val[e]) }
                            let g = yi * dot - 1 + alpha[i] * diag
                            var pg = 0.0
                            if alpha[i] == 0 {
                                if options.shrinking && g > pgMaxOld {
                                    activeSize -= 1
                                    index.swapAt(s, activeSize)
                                    continue
                                } else if g < 0 {
                                    pg = g
                                }
                            } else {
                                pg = g
                            }
                            pgMaxNew = max(pgMaxNew, pg)
                            pgMinNew = min(pgMinNew, pg)
                            if abs(pg) > 1e-12 {
                                let old = alpha[i]
                                alpha[i] = max(old - g / qd[i], 0)
                                let d = (alpha[i] - old) * yi
                                for e in ptr[i]..<ptr[i + 1] { w[Int(col[e])] += d * Double(val[e]) }
                                wb += d * bias
                            }
                            s += 1
                        }
                        iteration += 1
                        if pgMaxNew - pgMinNew <= options.tolerance {
                            if activeSize == n {
                                converged = true
                                break
                            }
                            activeSize = n
                            pgMaxOld = .infinity
                            continue
                        }
                        pgMaxOld = pgMaxNew <= 0 ? .infinity : pgMaxNew
                    }
                }
            } }
        }
        return (w, wb, converged)
    }

    init(linear: LinearWeights) { self.linear = linear }

    public func save(into archive: inout LearnerArchive) throws { linear.save(into: &archive) }

    init(archive a: LearnerArchive, features: Int, classes: Int) throws {
        linear = try LinearWeights(archive: a, features: features, classes: classes)
    }
}
