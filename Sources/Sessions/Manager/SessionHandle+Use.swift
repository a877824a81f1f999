import Engine
import Foundation
import Learners
import TextData

/// Using a session's model: predictions, evaluation, export, history; and what the
/// workbench's console and data pane ask of it (token attributions, the examples,
/// probabilities for labelled examples).
extension SessionHandle {
    // MARK: - Predictions, evaluation, export

    /// Class probabilities for each text. Answered between batches when the session trains.
    public func predict(texts: [String], run: Int? = nil) async throws -> [Prediction] {
        try checkOpen()
        let classes = files.record.labels.classes
        let probs: [[Float]]
        if let m = try await alternateModel(console: false, run: run) {
            probs = try await Self.detached { try m.probabilities(texts) }
        } else {
            probs = try await engine.predict(id: id, texts: texts, latestWins: false) ?? []
        }
        return zip(texts, probs).map { Prediction(text: $0, classes: classes, probabilities: $1) }
    }

    /// Latest-wins classification for a console that re-classifies on every keystroke: a
    /// newer call for the same session replaces this one while it waits, and this one
    /// returns nil. Answers with the run the console uses (`useInConsole`).
    public func classify(text: String) async throws -> Prediction? {
        try checkOpen()
        let classes = files.record.labels.classes
        if let m = try await alternateModel(console: true) {
            guard let p = try await Self.detached({ try m.probabilities([text]) }).first else { return nil }
            return Prediction(text: text, classes: classes, probabilities: p)
        }
        let mirror = mirror
        guard let p = try await Self.detached({ try mirror.use { try $0.probabilities([text]) } })?.first else { return nil }
        return Prediction(text: text, classes: classes, probabilities: p)
    }

    /// Accuracy, macro-F1, per-class scores and the confusion matrix on labelled examples.
    public func evaluate(examples: [LabelledText], run: Int? = nil) async throws -> ClassificationReport {
        try checkOpen()
        if let m = try await alternateModel(console: false, run: run) { return try await Self.detached { try m.report(examples) } }
        return try await engine.withClassifier(id: id) { try $0.report(examples) }
    }

    /// The report on the session's own validation examples (nil when it has none).
    public func validationReport() async throws -> ClassificationReport? {
        try checkOpen()
        let data = try await loadedData()
        if data.validation.isEmpty { return nil }
        let examples = data.validation
        if let m = try await alternateModel(console: false) { return try await Self.detached { try m.report(examples) } }
        return try await engine.withClassifier(id: id) { try $0.report(examples) }
    }

    /// Writes the session's current model (or run `run`'s) as a model folder (`--model-dir`
    /// reads it): a neural model's `classifier.json` and weights, or a learner's
    /// `learner.safetensors`. The folder is written whole or not at all.
    public func export(to dir: URL, run: Int? = nil) async throws {
        try checkOpen()
        switch try await alternateModel(console: false, run: run) {
        case let .learner(l)?:
            try await Self.detached {
                do {
                    try ModelDirectory.save(learner: l, to: dir)
                } catch let e as LearnerError {
                    throw SessionError.file(path: dir.path, reason: e.description)
                } catch let EngineError.file(path, reason) {
                    throw SessionError.file(path: path, reason: reason)
                }
            }
            return
        case let .neural(c)?:
            try await Self.detached {
                try c.use { c in
                    do { try ModelDirectory.save(c, to: dir) } catch let EngineError.file(path, reason) {
                        throw SessionError.file(path: path, reason: reason)
                    }
                }
            }
            return
        case nil:
            break
        }
        try await engine.withClassifier(id: id) { c in
            do { try ModelDirectory.save(c, to: dir) } catch let EngineError.file(path, reason) {
                throw SessionError.file(path: path, reason: reason)
            }
        }
    }

    /// The session's history (a torn last line is left out), including what an open session
    /// has logged but not yet written.
    public func history() async throws -> [HistoryRecord] {
        try checkOpen()
        let files = files
        return try await Self.detached {
            try files.flush()
            return try SessionStore.readHistory(dir: files.directory).records
        }
    }

    /// Classifies `text` and scores each token's effect on the decision (occlusion), on the
    /// engine's worker between batches. Latest wins: a request that a newer one for the same
    /// session has overtaken before it ran returns nil without computing.
    public func explain(text: String) async throws -> TokenAttribution? {
        try checkOpen()
        let id = id
        let generation = explainGenerations.next(for: id)
        let generations = explainGenerations
        if let m = try await alternateModel(console: true) {
            return try await Self.detached { () throws -> TokenAttribution? in
                guard generations.isLatest(generation, for: id) else { return nil }
                return try m.explain(text)
            }
        }
        // The console's copy of the weights: no wait for the batch training on the worker.
        let mirror = mirror
        return try await Self.detached { () throws -> TokenAttribution? in
            guard generations.isLatest(generation, for: id) else { return nil }
            return try mirror.use { try $0.explain(text) } ?? nil
        }
    }

    /// The session's training and validation examples, as read from its data files.
    public func examples() async throws -> (train: [LabelledText], validation: [LabelledText]) {
        try checkOpen()
        if let d = data { return (d.train, d.validation) }
        let record = files.record
        let data = try await Self.detached { try SessionBuilder.loadData(record: record) }
        return (data.train, data.validation)
    }

    /// Class probabilities for labelled examples with the current weights (e.g. to list the
    /// misclassified ones).
    public func probabilities(examples: [LabelledText]) async throws -> [[Float]] {
        try checkOpen()
        let texts = examples.map(\.text)
        if let m = try await alternateModel(console: false) { return try await Self.detached { try m.probabilities(texts) } }
        return try await engine.withClassifier(id: id) { try $0.probabilities(texts) }
    }
}

/// Per-session request counters for latest-wins work on the engine's worker: a request is
/// still wanted only while no newer one for the same session has been made.
final class LatestGeneration: @unchecked Sendable {
    private let lock = NSLock()
    private var latest: [String: Int] = [:]

    func next(for id: String) -> Int {
        lock.lock(); defer { lock.unlock() }
        let n = (latest[id] ?? 0) + 1
        latest[id] = n
        return n
    }

    /// The newest request number for a session (0 before any).
    func current(for id: String) -> Int {
        lock.lock(); defer { lock.unlock() }
        return latest[id] ?? 0
    }

    func isLatest(_ n: Int, for id: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return latest[id] == n
    }
}
