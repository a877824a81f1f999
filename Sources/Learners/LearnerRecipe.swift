import Foundation
import TextData

/// A learner and its settings as a user names it: `kind[:key=value…]` ("svm", "svm:c=0.5",
/// "fasttext:epochs=25:ngrams=2"). Sessions save it with each learner run, the CLI's
/// `--model` and the model pane's presets take it.
public struct LearnerRecipe: Codable, Sendable, Equatable, CustomStringConvertible {
    public var kind: LearnerKind
    public var settings: LearnerSettings
    /// The text it was parsed from (normalised: the kind, then its settings in given order).
    public var spec: String

    public var description: String { spec }

    /// Every learner with its default settings, in the order pickers list them.
    public static var presets: [LearnerRecipe] {
        LearnerKind.allCases.map { LearnerRecipe(kind: $0, settings: LearnerSettings(), spec: $0.rawValue) }
    }

    public init(kind: LearnerKind, settings: LearnerSettings = LearnerSettings(), spec: String? = nil) {
        self.kind = kind
        self.settings = settings
        self.spec = spec ?? kind.rawValue
    }

    /// The recipe `spec` names, or nil when its first part is no learner's name (so the
    /// caller can try a neural preset). Throws for a learner with a setting it does not
    /// have or a value that is not a number.
    public static func parse(_ spec: String, base: LearnerSettings = LearnerSettings()) throws -> LearnerRecipe? {
        let parts = spec.trimmingCharacters(in: .whitespaces).split(separator: ":").map(String.init)
        guard let first = parts.first, let kind = LearnerKind(rawValue: first.lowercased()) else { return nil }
        func bad(_ reason: String) -> LearnerError { .invalidConfiguration(what: "model '\(spec)'", reason: reason) }
        var s = base
        for part in parts.dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw bad("expected key=value, got '\(part)'") }
            func number() throws -> Double {
                guard let v = Double(kv[1]), v.isFinite else { throw bad("'\(kv[1])' is not a number") }
                return v
            }
            func integer() throws -> Int {
                guard let v = Int(kv[1]) else { throw bad("'\(kv[1])' is not an integer") }
                return v
            }
            switch (kind, kv[0]) {
            case (.logreg, "c"): s.logisticRegression.c = try number()
            case (.logreg, "iterations"): s.logisticRegression.maxIterations = try integer()
            case (.svm, "c"): s.svm.c = try number()
            case (.nb, "alpha"): s.naiveBayes.alpha = try number()
            case (.tree, "depth"): s.tree.maxDepth = try integer()
            case (.tree, "leaf"): s.tree.minSamplesLeaf = try integer()
            case (.forest, "trees"): s.forest.trees = try integer()
            case (.forest, "depth"): s.forest.maxDepth = try integer()
            case (.forest, "leaf"): s.forest.minSamplesLeaf = try integer()
            case (.fasttext, "epochs"): s.fastText.epochs = try integer()
            case (.fasttext, "ngrams"): s.fastText.wordNgrams = try integer()
            case (.fasttext, "lr"): s.fastText.learningRate = try number()
            case (.fasttext, "dim"): s.fastText.dim = try integer()
            case (.fasttext, "bucket"): s.fastText.bucket = try integer()
            case (.fasttext, "threads"): s.fastText.threads = try integer()
            case (.logreg, "ngrams"), (.svm, "ngrams"), (.nb, "ngrams"), (.tree, "ngrams"), (.forest, "ngrams"):
                s.tfidf.ngrams = try integer()
            case (let k, "analyzer") where k.usesTfidf:
                // scikit-learn's analyzer="word" / "char" (n-grams then run over words or characters).
                switch kv[1].lowercased() {
                case "words", "word": s.tokenizer = .words
                case "chars", "char", "characters": s.tokenizer = .characters
                case "auto", "automatic": s.tokenizer = .automatic
                default: throw bad("analyzer '\(kv[1])' is not words, chars or auto")
                }
            case (let k, "sublinear") where k.usesTfidf:
                switch kv[1].lowercased() {
                case "1", "true", "yes": s.tfidf.sublinearTF = true
                case "0", "false", "no": s.tfidf.sublinearTF = false
                default: throw bad("sublinear '\(kv[1])' is not 1 or 0")
                }
            case (let k, "mindf") where k.usesTfidf:
                let v = try integer()
                guard v >= 1 else { throw bad("mindf must be at least 1, got \(v)") }
                s.tfidf.minDF = v
            default:
                throw bad("unknown setting '\(kv[0])' for \(kind.rawValue) (known: \(kind.settingNames.joined(separator: ", ")))")
            }
        }
        return LearnerRecipe(kind: kind, settings: s, spec: ([kind.rawValue] + parts.dropFirst()).joined(separator: ":"))
    }

    public static func == (a: LearnerRecipe, b: LearnerRecipe) -> Bool {
        guard a.kind == b.kind, a.spec == b.spec else { return false }
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return (try? e.encode(a.settings)) == (try? e.encode(b.settings))
    }

    /// Trains this recipe (see `LearnerKind.fit`).
    public func fit(_ examples: [LabelledText], seed: UInt64) throws -> TrainedLearner {
        try kind.fit(examples, settings: settings, seed: seed)
    }
}

extension LearnerKind {
    /// The `key=value` settings `LearnerRecipe.parse` accepts for this kind.
    public var settingNames: [String] {
        switch self {
        case .logreg: return ["c", "iterations"] + Self.tfidfSettingNames
        case .svm: return ["c"] + Self.tfidfSettingNames
        case .nb: return ["alpha"] + Self.tfidfSettingNames
        case .tree: return ["depth", "leaf"] + Self.tfidfSettingNames
        case .forest: return ["trees", "depth", "leaf"] + Self.tfidfSettingNames
        case .fasttext: return ["epochs", "ngrams", "lr", "dim", "bucket", "threads"]
        }
    }

    /// The TF-IDF features' settings every TF-IDF learner takes: the longest n-gram, the
    /// analyzer (words or characters), sublinear tf and the minimum document frequency.
    static let tfidfSettingNames = ["ngrams", "analyzer", "sublinear", "mindf"]

    /// Whether the learner reads TF-IDF features (every kind but fastText).
    public var usesTfidf: Bool { self != .fasttext }

    /// One line for pickers: what the model is and what it reads.
    public var summary: String {
        switch self {
        case .logreg: return "logistic regression on TF-IDF n-grams"
        case .svm: return "linear SVM on TF-IDF n-grams"
        case .nb: return "multinomial naive Bayes on TF-IDF n-grams"
        case .tree: return "CART decision tree on TF-IDF n-grams"
        case .forest: return "random forest of CART trees on TF-IDF n-grams"
        case .fasttext: return "fastText: averaged token embeddings, linear softmax"
        }
    }
}
