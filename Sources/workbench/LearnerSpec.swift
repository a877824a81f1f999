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
        do {
            guard let recipe = try LearnerRecipe.parse(spec, base: base) else { return nil }
            return (recipe.kind, recipe.settings)
        } catch let e as LearnerError {
            throw ValidationError(e.description)
        }
    }
}

/// A model folder holds either a neural classifier (`classifier.json` + `weights.safetensors`)
/// or a learner (`learner.safetensors`).
enum SavedModel {
    case neural(TextClassifier)
    case learner(any Learner)

    static let learnerFile = ModelDirectory.learnerFile

    static func load(_ dir: URL) throws -> SavedModel {
        switch try ModelDirectory.kind(of: dir) {
        case .learner: return .learner(try LearnerIO.load(from: dir.appendingPathComponent(learnerFile)))
        case .neural: return .neural(try ModelDirectory.load(from: dir))
        }
    }

    /// The classifier when it is a multi-label one.
    var multiLabel: TextClassifier? {
        if case let .neural(c) = self, c.config.isMultiLabel { return c }
        return nil
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
