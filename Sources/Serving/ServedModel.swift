import Engine
import Foundation
import Learners
import Sessions

/// One model the server answers for: a session's current or numbered run (through a read-only
/// `SessionHandle`), or a model folder written by `train --save` / `sessions export`.
/// Not thread-safe on its own: the model's `ModelBatcher` runs one call at a time.
public enum ModelSource: Sendable {
    case session(SessionHandle, run: Int?)
    case folder(FolderModel)

    /// Class probabilities per text, in `classes` order.
    func probabilities(_ texts: [String]) async throws -> [[Float]] {
        switch self {
        case let .session(handle, run):
            return try await handle.predict(texts: texts, run: run).map(\.probabilities)
        case let .folder(model):
            return try await Task.detached { try model.probabilities(texts) }.value
        }
    }

    /// Occlusion scores for each token of `text` (the console's and `predict --explain`'s).
    func explain(_ text: String) async throws -> TokenAttribution {
        switch self {
        case let .session(handle, _):
            // Latest-wins on the handle: never overtaken here, as the batcher asks one at a time.
            guard let attribution = try await handle.explain(text: text) else {
                throw SessionError.invalidSetting(field: "explain", reason: "the explanation was overtaken by another request; try again")
            }
            return attribution
        case let .folder(model):
            return try await Task.detached { try model.explain(text) }.value
        }
    }

    /// What `GET /v1/models/{name}` says about the model.
    func describe(name: String) async throws -> ModelDescription {
        switch self {
        case let .session(handle, run):
            let record = await handle.info.record
            let wanted = run ?? record.currentRun.id
            guard let r = record.runs.first(where: { $0.id == wanted }) else {
                throw SessionError.invalidSetting(field: "run", reason: "session '\(record.name)' has no run \(wanted)")
            }
            let scores = r.scores
            let kind: String
            switch r.kind {
            case .neural: kind = "neural"
            case .learner: kind = "learner"
            }
            return ModelDescription(
                name: name, source: "session", session: record.name, run: r.id, labels: record.labels.classes,
                kind: kind, summary: r.summary, dataHash: record.dataset.hash, dataPath: record.dataset.path,
                validationAccuracy: scores.validationAccuracy, bestValidationAccuracy: scores.bestValidationAccuracy,
                trainAccuracy: scores.trainAccuracy, epochs: scores.epochs, runStarted: r.started, saved: record.modified)
        case let .folder(model):
            return ModelDescription(
                name: name, source: "folder", session: nil, run: nil, labels: model.classes, kind: model.kindName,
                summary: model.summary, dataHash: nil, dataPath: nil, validationAccuracy: nil, bestValidationAccuracy: nil,
                trainAccuracy: nil, epochs: nil, runStarted: nil, saved: model.saved)
        }
    }
}

/// A model folder's classifier or learner, loaded once.
public final class FolderModel: @unchecked Sendable {
    // Mutable working buffers inside the classifier's layers: one call at a time, which the
    // model's batcher guarantees (it runs one job per model at a time).
    private enum Loaded {
        case neural(TextClassifier)
        case learner(any Learner)
    }

    private let loaded: Loaded
    public let directory: URL
    public let classes: [String]
    /// When the folder's model file was written.
    public let saved: Date?

    /// Loads `dir` as `workbench predict --model-dir` does. Throws `EngineError.file` or
    /// `LearnerError` naming the file.
    public init(directory dir: URL) throws {
        directory = dir
        let file: URL
        switch try ModelDirectory.kind(of: dir) {
        case .learner:
            file = dir.appendingPathComponent(ModelDirectory.learnerFile)
            let learner = try LearnerIO.load(from: file)
            loaded = .learner(learner)
            classes = learner.labels.classes
        case .neural:
            file = dir.appendingPathComponent(ModelDirectory.weightsFile)
            let classifier = try ModelDirectory.load(from: dir)
            loaded = .neural(classifier)
            classes = classifier.classNames
        }
        saved = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.modificationDate] as? Date
    }

    var kindName: String {
        switch loaded {
        case .neural: return "neural"
        case .learner: return "learner"
        }
    }

    var summary: String {
        switch loaded {
        case let .neural(c): return c.config.model.summary
        case let .learner(l): return "\(l.kind)"
        }
    }

    func probabilities(_ texts: [String]) throws -> [[Float]] {
        switch loaded {
        case let .neural(c): return try c.probabilities(texts)
        case let .learner(l): return texts.map { l.predictProbabilities($0) }
        }
    }

    /// Occlusion scores for each token of `text`.
    public func explain(_ text: String) throws -> TokenAttribution {
        switch loaded {
        case let .neural(c): return try c.explain(text)
        case let .learner(l): return TokenAttribution(learner: l, text: text)
        }
    }
}

/// `GET /v1/models/{name}`: what is served under a name and how good it was.
struct ModelDescription: Sendable {
    var name: String
    /// "session" or "folder".
    var source: String
    var session: String?
    var run: Int?
    var labels: [String]
    /// "neural" or "learner".
    var kind: String
    var summary: String
    /// The training data's content hash (sessions only: a folder does not record it).
    var dataHash: String?
    var dataPath: String?
    var validationAccuracy: Float?
    var bestValidationAccuracy: Float?
    var trainAccuracy: Float?
    var epochs: Int?
    var runStarted: Date?
    /// When the model was last saved (the session's record, or the folder's model file).
    var saved: Date?

    /// The JSON object, nulls included (the contract lists every field).
    var json: [String: Any] {
        func orNull(_ v: Any?) -> Any { v ?? NSNull() }
        func number(_ f: Float?) -> Any { f.map { Double($0) } ?? NSNull() }
        func date(_ d: Date?) -> Any { d.map { ServeJSON.timestamp($0) } ?? NSNull() }
        return [
            "name": name, "source": source, "session": orNull(session), "run": orNull(run), "labels": labels,
            "kind": kind, "summary": summary, "data_hash": orNull(dataHash), "data_path": orNull(dataPath),
            "validation": ["accuracy": number(validationAccuracy), "best_accuracy": number(bestValidationAccuracy),
                           "train_accuracy": number(trainAccuracy), "epochs": orNull(epochs)] as [String: Any],
            "run_started": date(runStarted), "saved": date(saved),
        ]
    }
}
