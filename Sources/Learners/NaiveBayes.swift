import Foundation

/// Multinomial naive Bayes as scikit-learn's `MultinomialNB()` (here on TF-IDF rows, as the
/// reference figures use it): per class, the feature totals plus `alpha` give
/// `log P(feature | class)`; the class prior is the class's share of the examples; the
/// probabilities are the softmax of `log prior + x · log P(· | class)`.
public struct NaiveBayes: SparseClassifier {
    public struct Options: Codable, Sendable, Equatable {
        /// Additive (Laplace / Lidstone) smoothing.
        public var alpha: Double

        public init(alpha: Double = 1) {
            self.alpha = alpha
        }
    }

    public let classCount: Int
    public let featureCount: Int
    /// `featureLogProbabilities[j * classCount + c]` = log P(feature j | class c).
    public let featureLogProbabilities: [Float]
    public let classLogPriors: [Float]

    public func probabilities(_ x: SparseVector) -> [Float] {
        let k = classCount
        var z = classLogPriors
        featureLogProbabilities.withUnsafeBufferPointer { w in
            for (j, v) in zip(x.indices, x.values) where Int(j) < featureCount {
                let base = Int(j) * k
                for c in 0..<k { z[c] += v * w[base + c] }
            }
        }
        softmax(&z)
        return z
    }

    static func train(x: SparseMatrix, y: [Int], classes k: Int, options: Options) throws -> NaiveBayes {
        guard options.alpha > 0 && options.alpha.isFinite else {
            throw LearnerError.invalidConfiguration(what: "naive Bayes", reason: "alpha must be positive, got \(options.alpha)")
        }
        let f = x.columns
        var totals = [Double](repeating: 0, count: f * k)
        var perClass = [Int](repeating: 0, count: k)
        for r in 0..<x.rows {
            let c = y[r]
            perClass[c] += 1
            for e in x.rowPtr[r]..<x.rowPtr[r + 1] { totals[Int(x.colIdx[e]) * k + c] += Double(x.values[e]) }
        }
        var classSums = [Double](repeating: options.alpha * Double(f), count: k)
        for j in 0..<f {
            for c in 0..<k { classSums[c] += totals[j * k + c] }
        }
        var logProbs = [Float](repeating: 0, count: f * k)
        for j in 0..<f {
            for c in 0..<k {
                logProbs[j * k + c] = Float(Foundation.log(totals[j * k + c] + options.alpha) - Foundation.log(classSums[c]))
            }
        }
        let n = Double(x.rows)
        let priors = perClass.map { Float(Foundation.log(Double($0) / n)) }
        guard logProbs.allSatisfy(\.isFinite), priors.allSatisfy(\.isFinite) else {
            throw LearnerError.nonFinite(learner: "naive Bayes", what: "the log probabilities")
        }
        return NaiveBayes(classCount: k, featureCount: f, featureLogProbabilities: logProbs, classLogPriors: priors)
    }

    init(classCount: Int, featureCount: Int, featureLogProbabilities: [Float], classLogPriors: [Float]) {
        self.classCount = classCount
        self.featureCount = featureCount
        self.featureLogProbabilities = featureLogProbabilities
        self.classLogPriors = classLogPriors
    }

    public func save(into archive: inout LearnerArchive) throws {
        archive.add("feature_log_prob", featureLogProbabilities, shape: [featureCount, classCount])
        archive.add("class_log_prior", classLogPriors)
    }

    init(archive a: LearnerArchive, features: Int, classes: Int) throws {
        classCount = classes
        featureCount = features
        featureLogProbabilities = try a.floats("feature_log_prob", count: try a.elementCount(features, classes, of: "feature_log_prob"))
        classLogPriors = try a.floats("class_log_prior", count: classes)
    }
}
