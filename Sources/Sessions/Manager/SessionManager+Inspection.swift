import Engine
import Foundation
import TextData

/// What the workbench's console and data pane ask of an open session: token attributions,
/// the examples, and probabilities for labelled examples.
extension SessionManager {
    /// Classifies `text` and scores each token's effect on the decision (occlusion), on the
    /// engine's worker between batches. Latest wins: a request that a newer one for the same
    /// session has overtaken before it ran returns nil without computing.
    public func explain(_ name: String, text: String) async throws -> TokenAttribution? {
        let id = try await openID(name, writable: false)
        let generation = explainGenerations.next(for: id)
        let generations = explainGenerations
        return try await engine.withClassifier(id: id) { c -> TokenAttribution? in
            guard generations.isLatest(generation, for: id) else { return nil }
            return try c.explain(text)
        }
    }

    /// The session's training and validation examples, as read from its data files.
    public func examples(_ name: String) async throws -> (train: [LabelledText], validation: [LabelledText]) {
        let id = try await openID(name, writable: false)
        guard let o = sessions[id] else { throw SessionError.notFound(name) }
        if let d = o.data { return (d.train, d.validation) }
        let record = o.files.record
        let data = try await Self.detached { try SessionBuilder.loadData(record: record) }
        return (data.train, data.validation)
    }

    /// Class probabilities for labelled examples with the current weights (e.g. to list the
    /// misclassified ones).
    public func probabilities(_ name: String, examples: [LabelledText]) async throws -> [[Float]] {
        let id = try await openID(name, writable: false)
        let texts = examples.map(\.text)
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
