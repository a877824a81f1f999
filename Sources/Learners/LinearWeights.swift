/// The weights of a linear model on sparse features, as logistic regression and the linear
/// SVM both keep, score and store them: feature-major `weights[j * outputs + o]` with one
/// output for two classes (else one per class), and an intercept per output.
public struct LinearWeights: Sendable {
    public let classCount: Int
    public let featureCount: Int
    public let weights: [Float]
    public let intercepts: [Float]
    var outputs: Int { classCount == 2 ? 1 : classCount }

    /// Checks that training produced finite numbers (`learner` names the model in the error).
    init(classCount: Int, featureCount: Int, weights: [Float], intercepts: [Float], learner: String) throws {
        guard weights.allSatisfy(\.isFinite), intercepts.allSatisfy(\.isFinite) else {
            throw LearnerError.nonFinite(learner: learner, what: "the weights")
        }
        self.classCount = classCount
        self.featureCount = featureCount
        self.weights = weights
        self.intercepts = intercepts
    }

    init(archive a: LearnerArchive, features: Int, classes: Int) throws {
        classCount = classes
        featureCount = features
        let k = classes == 2 ? 1 : classes
        weights = try a.floats("weights", count: try a.elementCount(features, k, of: "weights"))
        intercepts = try a.floats("intercepts", count: k)
    }

    /// The raw scores w·x + b, one per output.
    func scores(_ x: SparseVector) -> [Float] {
        x.linearScores(weights: weights, intercepts: intercepts, featureCount: featureCount)
    }

    func save(into archive: inout LearnerArchive) {
        archive.add("weights", weights, shape: [featureCount, outputs])
        archive.add("intercepts", intercepts)
    }
}
