/// Every error the learners throw; descriptions name the learner or setting and what was
/// expected.
public enum LearnerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Training data that cannot train a model (no examples, one class).
    case invalidData(what: String, reason: String)
    /// A setting outside its range.
    case invalidConfiguration(what: String, reason: String)
    /// The TF-IDF vocabulary is empty after filtering.
    case emptyVocabulary(reason: String)
    /// Training produced NaN or infinite weights.
    case nonFinite(learner: String, what: String)
    /// A model file that cannot be read or written.
    case file(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidData(what, reason): return "\(what): \(reason)"
        case let .invalidConfiguration(what, reason): return "\(what): \(reason)"
        case let .emptyVocabulary(reason): return "empty vocabulary: \(reason)"
        case let .nonFinite(learner, what): return "\(learner): training produced non-finite values (NaN or infinity) in \(what)"
        case let .file(path, reason): return "\(path): \(reason)"
        }
    }
}

/// Something about the training data worth telling the user that does not stop training.
public enum LearnerWarning: CustomStringConvertible, Equatable, Sendable {
    /// A class with a single training example: the model can hardly learn it.
    case singleExampleClass(label: String)
    /// Texts that appear with more than one label; no model can fit all of them.
    case conflictingDuplicates(texts: Int, example: String, labels: [String])
    /// Training texts that yield no token (or no feature after filtering).
    case emptyTexts(count: Int)
    /// An iterative solver stopped at its iteration limit before its tolerance was met.
    case notConverged(learner: String, iterations: Int)

    public var description: String {
        switch self {
        case let .singleExampleClass(label):
            return "class '\(label)' has a single training example"
        case let .conflictingDuplicates(texts, example, labels):
            let shown = example.count > 60 ? String(example.prefix(60)) + "…" : example
            return "\(texts) text\(texts == 1 ? "" : "s") appear\(texts == 1 ? "s" : "") with different labels, e.g. '\(shown)' as \(labels.map { "'\($0)'" }.joined(separator: ", "))"
        case let .emptyTexts(count):
            return "\(count) training text\(count == 1 ? " has" : "s have") no features"
        case let .notConverged(learner, iterations):
            return "\(learner) stopped after \(iterations) iterations before reaching its tolerance"
        }
    }
}
