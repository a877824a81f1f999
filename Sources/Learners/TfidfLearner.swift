import Foundation
import TextData

/// A model that classifies TF-IDF rows.
public protocol SparseClassifier: Sendable {
    var classCount: Int { get }
    /// Class probabilities of one row.
    func probabilities(_ x: SparseVector) -> [Float]
    /// Adds the model's state to an archive (small settings as a document, weights as arrays).
    func save(into archive: inout LearnerArchive) throws
}

/// Tokenizer + TF-IDF vectorizer + a sparse classifier: the logistic regression, linear SVM,
/// naive Bayes, decision tree and random forest learners.
public struct TfidfLearner: Learner {
    public let kind: LearnerKind
    public let labels: LabelEncoder
    public let tokenizer: FeatureTokenizer
    public let vectorizer: TfidfVectorizer
    public let model: any SparseClassifier

    public init(kind: LearnerKind, labels: LabelEncoder, tokenizer: FeatureTokenizer, vectorizer: TfidfVectorizer,
                model: any SparseClassifier) {
        self.kind = kind
        self.labels = labels
        self.tokenizer = tokenizer
        self.vectorizer = vectorizer
        self.model = model
    }

    public func tokens(in text: String) -> [String] { tokenizer.tokens(in: text) }

    public func predictProbabilities(tokens: [String]) -> [Float] {
        model.probabilities(vectorizer.transform(tokens))
    }

    /// The TF-IDF row of a text.
    public func features(_ text: String) -> SparseVector { vectorizer.transform(tokens(in: text)) }

    static func train(_ kind: LearnerKind, _ data: TrainingData, settings: LearnerSettings, seed: UInt64,
                      warnings: inout [LearnerWarning]) throws -> TfidfLearner {
        var vectorizer = TfidfVectorizer(options: settings.tfidf)
        let x = try vectorizer.fit(data.tokens)
        let featureless = (0..<x.rows).filter { x.rowPtr[$0] == x.rowPtr[$0 + 1] }.count
        let tokenless = data.tokens.filter(\.isEmpty).count
        if featureless > tokenless {
            warnings.removeAll { if case .emptyTexts = $0 { return true } else { return false } }
            warnings.append(.emptyTexts(count: featureless))
        }
        let k = data.classCount
        let model: any SparseClassifier
        switch kind {
        case .logreg:
            model = try LogisticRegression.train(x: x, y: data.y, classes: k, options: settings.logisticRegression,
                                                 warnings: &warnings)
        case .svm:
            model = try LinearSVM.train(x: x, y: data.y, classes: k, options: settings.svm, seed: seed, warnings: &warnings)
        case .nb:
            model = try NaiveBayes.train(x: x, y: data.y, classes: k, options: settings.naiveBayes)
        case .tree:
            model = try DecisionTree.train(x: x, y: data.y, classes: k, options: settings.tree, seed: seed)
        case .forest:
            model = try RandomForest.train(x: x, y: data.y, classes: k, options: settings.forest, seed: seed)
        case .fasttext:
            throw LearnerError.invalidConfiguration(what: "TfidfLearner", reason: "fastText does not use TF-IDF features")
        }
        return TfidfLearner(kind: kind, labels: data.labels, tokenizer: data.tokenizer, vectorizer: vectorizer, model: model)
    }

    // MARK: Saving

    public func archive() throws -> LearnerArchive {
        var a = LearnerArchive(kind: kind)
        try a.set("labels", labels)
        try a.set("tokenizer", tokenizer)
        try a.set("vectorizer", vectorizer)
        try model.save(into: &a)
        return a
    }

    public init(archive a: LearnerArchive) throws {
        kind = a.kind
        labels = try a.get("labels", as: LabelEncoder.self)
        tokenizer = try a.get("tokenizer", as: FeatureTokenizer.self)
        vectorizer = try a.get("vectorizer", as: TfidfVectorizer.self)
        let f = vectorizer.featureCount, k = labels.count
        switch a.kind {
        case .logreg: model = try LogisticRegression(archive: a, features: f, classes: k)
        case .svm: model = try LinearSVM(archive: a, features: f, classes: k)
        case .nb: model = try NaiveBayes(archive: a, features: f, classes: k)
        case .tree: model = try DecisionTree(archive: a, features: f, classes: k)
        case .forest: model = try RandomForest(archive: a, features: f, classes: k)
        case .fasttext:
            throw LearnerError.file(path: "model", reason: "a fastText model is not a TF-IDF learner")
        }
    }
}

/// Numerically safe softmax in place.
func softmax(_ z: inout [Float]) {
    guard let m = z.max() else { return }
    var sum: Float = 0
    for i in z.indices {
        z[i] = Foundation.exp(z[i] - m)
        sum += z[i]
    }
    for i in z.indices { z[i] /= sum }
}
