import Basics
import Engine
import Foundation
import TextData

/// The classical and shallow learners, beside the neural models of `Engine`.
public enum LearnerKind: String, CaseIterable, Codable, Sendable {
    /// Multinomial logistic regression on TF-IDF (L2, L-BFGS).
    case logreg
    /// Linear SVM on TF-IDF (one-vs-rest, squared hinge, dual coordinate descent).
    case svm
    /// Multinomial naive Bayes on TF-IDF.
    case nb
    /// A CART decision tree on TF-IDF.
    case tree
    /// A random forest of CART trees on TF-IDF.
    case forest
    /// fastText: averaged token and hashed n-gram embeddings, linear softmax.
    case fasttext

    public var title: String {
        switch self {
        case .logreg: return "logistic regression"
        case .svm: return "linear SVM"
        case .nb: return "multinomial naive Bayes"
        case .tree: return "decision tree"
        case .forest: return "random forest"
        case .fasttext: return "fastText"
        }
    }
}

/// A trained text classifier of any kind. Thread-safe to query (immutable).
public protocol Learner: Sendable {
    var kind: LearnerKind { get }
    /// The classes; probabilities are in this order.
    var labels: LabelEncoder { get }
    /// How the model splits text (resolved: never `automatic`).
    var tokenizer: FeatureTokenizer { get }
    /// The tokens the model reads from a text, before it forms n-grams.
    func tokens(in text: String) -> [String]
    /// Class probabilities for a token list (as `tokens(in:)` gives). Dropping tokens and
    /// predicting again measures each token's effect (occlusion).
    func predictProbabilities(tokens: [String]) -> [Float]
    /// The model's state, for `LearnerIO.save`.
    func archive() throws -> LearnerArchive
}

extension Learner {
    /// Class probabilities for one text.
    public func predictProbabilities(_ text: String) -> [Float] {
        predictProbabilities(tokens: tokens(in: text))
    }

    /// The most probable class index (the first on ties).
    public func predict(_ text: String) -> Int {
        Self.argmax(predictProbabilities(text))
    }

    /// Accuracy, macro-F1 and the rest on labelled examples. Throws for a label the model
    /// was not trained on.
    public func report(_ examples: [LabelledText]) throws -> ClassificationReport {
        let truth = try examples.map { try labels.encode($0.label) }
        let predicted = examples.map { predict($0.text) }
        return ClassificationReport(truth: truth, predicted: predicted, classCount: labels.count)
    }

    static func argmax(_ p: [Float]) -> Int {
        var best = 0
        for i in p.indices where p[i] > p[best] { best = i }
        return best
    }
}

/// The settings of every learner, with scikit-learn's and fastText's defaults.
public struct LearnerSettings: Codable, Sendable {
    /// How texts become tokens; `automatic` follows the reference tools' recipes.
    public var tokenizer: FeatureTokenizer
    /// TF-IDF settings for the TF-IDF learners (`ngrams` 2: tokens and token bigrams).
    public var tfidf: TfidfVectorizer.Options
    public var logisticRegression: LogisticRegression.Options
    public var svm: LinearSVM.Options
    public var naiveBayes: NaiveBayes.Options
    public var tree: DecisionTree.Options
    public var forest: RandomForest.Options
    public var fastText: FastText.Options

    public init(tokenizer: FeatureTokenizer = .automatic, tfidf: TfidfVectorizer.Options = .init(),
                logisticRegression: LogisticRegression.Options = .init(), svm: LinearSVM.Options = .init(),
                naiveBayes: NaiveBayes.Options = .init(), tree: DecisionTree.Options = .init(),
                forest: RandomForest.Options = .init(), fastText: FastText.Options = .init()) {
        self.tokenizer = tokenizer
        self.tfidf = tfidf
        self.logisticRegression = logisticRegression
        self.svm = svm
        self.naiveBayes = naiveBayes
        self.tree = tree
        self.forest = forest
        self.fastText = fastText
    }
}

/// A trained learner and what training noticed about the data.
public struct TrainedLearner: Sendable {
    public var learner: any Learner
    public var warnings: [LearnerWarning]
}

extension LearnerKind {
    /// Trains a learner of this kind. Throws `LearnerError` for data that cannot train a
    /// model (no examples, a single class, no features) or a solver that produced
    /// non-finite weights; returns warnings for data that trains badly (a class with one
    /// example, the same text under different labels, texts with no features).
    public func fit(_ examples: [LabelledText], settings: LearnerSettings = LearnerSettings(),
                    seed: UInt64) throws -> TrainedLearner {
        let tokenizer = settings.tokenizer.resolved(for: examples.lazy.map(\.text), fastText: self == .fasttext)
        let data = try TrainingData(examples, tokenizer: tokenizer, learner: title)
        var warnings = data.warnings
        let learner: any Learner
        switch self {
        case .fasttext:
            learner = try FastText.train(data, options: settings.fastText, seed: seed, warnings: &warnings)
        default:
            learner = try TfidfLearner.train(self, data, settings: settings, seed: seed, warnings: &warnings)
        }
        return TrainedLearner(learner: learner, warnings: warnings)
    }
}

/// Saving and loading learners of any kind.
public enum LearnerIO {
    public static func encode(_ learner: any Learner) throws -> Data {
        try learner.archive().encoded()
    }

    public static func decode(_ data: Data, path: String = "model") throws -> any Learner {
        try load(LearnerArchive(decoding: data, path: path))
    }

    public static func save(_ learner: any Learner, to url: URL) throws {
        try learner.archive().write(to: url)
    }

    public static func load(from url: URL) throws -> any Learner {
        try load(LearnerArchive(contentsOf: url))
    }

    public static func load(_ archive: LearnerArchive) throws -> any Learner {
        switch archive.kind {
        case .fasttext: return try FastText(archive: archive)
        default: return try TfidfLearner(archive: archive)
        }
    }
}

/// Training examples checked and prepared for any learner: labels encoded, texts tokenized.
struct TrainingData {
    let labels: LabelEncoder
    let y: [Int]
    let tokens: [[String]]
    let tokenizer: FeatureTokenizer
    let warnings: [LearnerWarning]

    var count: Int { y.count }
    var classCount: Int { labels.count }

    init(_ examples: [LabelledText], tokenizer: FeatureTokenizer, learner: String) throws {
        guard !examples.isEmpty else { throw LearnerError.invalidData(what: learner, reason: "no training examples") }
        labels = try LabelEncoder(labels: examples.map(\.label))
        guard labels.count >= 2 else {
            throw LearnerError.invalidData(
                what: learner, reason: "the training data has one label ('\(labels.classes[0])'); a classifier needs at least two")
        }
        guard labels.count <= Limits.maxClasses else {
            throw LearnerError.invalidData(
                what: learner, reason: "the training data has \(Digits.grouped(labels.count)) labels, over the limit of \(Digits.grouped(Limits.maxClasses))")
        }
        let labels = self.labels
        let y = try labels.encode(examples.map(\.label))
        self.y = y
        self.tokenizer = tokenizer
        tokens = examples.map { tokenizer.tokens(in: $0.text) }

        var warnings: [LearnerWarning] = []
        var perClass = [Int](repeating: 0, count: labels.count)
        for c in y { perClass[c] += 1 }
        for (c, n) in perClass.enumerated() where n == 1 {
            warnings.append(.singleExampleClass(label: labels.classes[c]))
        }
        // The same text under different labels.
        var seen: [String: (first: Int, labels: Set<Int>)] = [:]
        seen.reserveCapacity(examples.count)
        for (i, e) in examples.enumerated() {
            seen[e.text, default: (i, [])].labels.insert(y[i])
        }
        let conflicts = seen.values.filter { $0.labels.count > 1 }.sorted { $0.first < $1.first }
        if let first = conflicts.first {
            warnings.append(.conflictingDuplicates(texts: conflicts.count, example: examples[first.first].text,
                                                   labels: first.labels.sorted().map { labels.classes[$0] }))
        }
        let empty = tokens.filter(\.isEmpty).count
        if empty > 0 { warnings.append(.emptyTexts(count: empty)) }
        self.warnings = warnings
    }
}
