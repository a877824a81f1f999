import ArgumentParser
import Engine
import Foundation
import Learners
import Sessions
import TextData

/// `kind[:key=value…]` for the classical learners and fastText, as `--model` takes it.
enum LearnerSpec {
    /// The learner and its settings, or nil when `spec` names no learner.
    static func parse(_ spec: String, base: LearnerSettings) throws -> (LearnerKind, LearnerSettings)? {
        let parts = spec.split(separator: ":").map(String.init)
        guard let first = parts.first, let kind = LearnerKind(rawValue: first) else { return nil }
        var s = base
        for part in parts.dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw ValidationError("model '\(spec)': expected key=value, got '\(part)'") }
            func number() throws -> Double {
                guard let v = Double(kv[1]) else { throw ValidationError("model '\(spec)': '\(kv[1])' is not a number") }
                return v
            }
            func integer() throws -> Int {
                guard let v = Int(kv[1]) else { throw ValidationError("model '\(spec)': '\(kv[1])' is not an integer") }
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
            default: throw ValidationError("model '\(spec)': unknown setting '\(kv[0])' for \(kind.rawValue)")
            }
        }
        return (kind, s)
    }
}

/// A model folder holds either a neural classifier (`classifier.json` + `weights.safetensors`)
/// or a learner (`learner.safetensors`).
enum SavedModel {
    case neural(TextClassifier)
    case learner(any Learner)

    static let learnerFile = "learner.safetensors"

    static func load(_ dir: URL) throws -> SavedModel {
        let learner = dir.appendingPathComponent(learnerFile)
        if FileManager.default.fileExists(atPath: learner.path) { return .learner(try LearnerIO.load(from: learner)) }
        return .neural(try ModelDirectory.load(from: dir))
    }

    var classNames: [String] {
        switch self {
        case let .neural(c): return c.classNames
        case let .learner(l): return l.labels.classes
        }
    }

    func probabilities(_ texts: [String]) throws -> [[Float]] {
        switch self {
        case let .neural(c): return try c.probabilities(texts)
        case let .learner(l): return texts.map { l.predictProbabilities($0) }
        }
    }

    func report(_ examples: [LabelledText]) throws -> ClassificationReport {
        switch self {
        case let .neural(c): return try c.report(examples)
        case let .learner(l): return try l.report(examples)
        }
    }
}
