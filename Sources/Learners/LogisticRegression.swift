import Foundation

/// L2-regularised logistic regression, as scikit-learn's `LogisticRegression()` with its
/// defaults (lbfgs, C = 1, intercept not penalised):
/// - Two classes: one weight vector, p(class 1) = σ(w·x + b).
/// - More: multinomial softmax over one weight vector per class.
/// Minimises `C · Σ loss + ½‖W‖²`, solved as scikit-learn does in its scaled form
/// `mean loss + ‖W‖² / (2 C n)` with L-BFGS (at most `maxIterations` iterations, stopping at
/// a largest gradient component of `tolerance`).
public struct LogisticRegression: SparseClassifier {
    public struct Options: Codable, Sendable, Equatable {
        /// Inverse regularisation strength.
        public var c: Double
        public var maxIterations: Int
        public var tolerance: Double

        public init(c: Double = 1, maxIterations: Int = 100, tolerance: Double = 1e-4) {
            self.c = c
            self.maxIterations = maxIterations
            self.tolerance = tolerance
        }

        func validate() throws {
            func fail(_ why: String) -> LearnerError { .invalidConfiguration(what: "logistic regression", reason: why) }
            guard c > 0 && c.isFinite else { throw fail("C must be positive, got \(c)") }
            guard maxIterations >= 1 else { throw fail("maxIterations must be at least 1, got \(maxIterations)") }
            guard tolerance >= 0 else { throw fail("tolerance must not be negative, got \(tolerance)") }
        }
    }

    /// One output for two classes, else one per class.
    public let linear: LinearWeights
    public var classCount: Int { linear.classCount }

    /// The raw scores w·x + b (one for two classes).
    public func decisionValues(_ x: SparseVector) -> [Float] { linear.scores(x) }

    public func probabilities(_ x: SparseVector) -> [Float] {
        var z = decisionValues(x)
        if classCount == 2 {
            let p = 1 / (1 + Foundation.exp(-z[0]))
            return [1 - p, p]
        }
        softmax(&z)
        return z
    }

    static func train(x: SparseMatrix, y: [Int], classes: Int, options: Options,
                      warnings: inout [LearnerWarning]) throws -> LogisticRegression {
        try options.validate()
        let n = x.rows, f = x.columns
        let k = classes == 2 ? 1 : classes
        let l2 = 1 / (options.c * Double(n))
        var theta = [Double](repeating: 0, count: f * k + k)   // weights then intercepts
        var z = [Double](repeating: 0, count: k)

        let objective = { (theta: [Double], grad: inout [Double]) -> Double in
            var loss = 0.0
            for i in 0..<grad.count { grad[i] = 0 }
            theta.withUnsafeBufferPointer { w in grad.withUnsafeMutableBufferPointer { g in
                x.rowPtr.withUnsafeBufferPointer { ptr in x.colIdx.withUnsafeBufferPointer { col in
                    x.values.withUnsafeBufferPointer { val in z.withUnsafeMutableBufferPointer { z in
                        let bias = f * k
                        for r in 0..<n {
                            for c in 0..<k { z[c] = w[bias + c] }
                            for e in ptr[r]..<ptr[r + 1] {
                                let base = Int(col[e]) * k, v = Double(val[e])
                                for c in 0..<k { z[c] += v * w[base + c] }
                            }
                            let t = y[r]
                            if k == 1 {
                                // log(1 + e^z) − t·z, and its derivative σ(z) − t.
                                let s = z[0]
                                loss += (s > 0 ? s + Foundation.log1p(Foundation.exp(-s)) : Foundation.log1p(Foundation.exp(s))) - (t == 1 ? s : 0)
                                z[0] = 1 / (1 + Foundation.exp(-s)) - (t == 1 ? 1 : 0)
                            } else {
                                var m = z[0]
                                for c in 1..<k { m = max(m, z[c]) }
                                var sum = 0.0
                                for c in 0..<k { sum += Foundation.exp(z[c] - m) }
                                let lse = m + Foundation.log(sum)
                                loss += lse - z[t]
                                for c in 0..<k { z[c] = Foundation.exp(z[c] - lse) - (c == t ? 1 : 0) }
                            }
                            for c in 0..<k { g[bias + c] += z[c] }
                            for e in ptr[r]..<ptr[r + 1] {
                                let base = Int(col[e]) * k, v = Double(val[e])
                                for c in 0..<k { g[base + c] += v * z[c] }
                            }
                        }
                        // Mean, plus the penalty on the weights (not the intercepts).
                        let inv = 1 / Double(n)
                        var penalty = 0.0
                        for i in 0..<bias {
                            penalty += w[i] * w[i]
                            g[i] = g[i] * inv + l2 * w[i]
                        }
                        for c in 0..<k { g[bias + c] *= inv }
                        loss = loss * inv + 0.5 * l2 * penalty
                    } }
                } }
            } }
            return loss
        }

        let solver = LBFGS(maxIterations: options.maxIterations, gradientTolerance: options.tolerance)
        let outcome = solver.minimize(&theta, objective)
        if !outcome.converged { warnings.append(.notConverged(learner: "logistic regression", iterations: outcome.iterations)) }
        return LogisticRegression(linear: try LinearWeights(
            classCount: classes, featureCount: f, weights: theta[0..<(f * k)].map { Float($0) },
            intercepts: theta[(f * k)...].map { Float($0) }, learner: "logistic regression"))
    }

    init(linear: LinearWeights) { self.linear = linear }

    public func save(into archive: inout LearnerArchive) throws { linear.save(into: &archive) }

    init(archive a: LearnerArchive, features: Int, classes: Int) throws {
        linear = try LinearWeights(archive: a, features: features, classes: classes)
    }
}
