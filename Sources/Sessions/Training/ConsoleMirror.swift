import Engine
import Foundation

/// A copy of the engine run's weights that the console classifies with, so a keystroke never
/// waits for the training batch on the worker: the worker refreshes it after every batch and
/// every change of model, and readers use it from any thread.
///
/// Two replicas take turns: readers use the current one (each under its own lock); the worker
/// writes the other and then makes it current. A refresh that finds the other replica still in
/// use (a slow explanation) is skipped, so the worker never waits for a reader; the next batch
/// refreshes it.
final class ConsoleMirror: @unchecked Sendable {
    private let lock = NSLock()
    private var replicas: [LockedClassifier] = []
    private var config: ClassifierConfig?
    private var current = 0
    /// The step of the weights the current replica holds.
    private(set) var step = -1
    /// Whether a reader has used it: until then the worker refreshes it only after commands and
    /// status changes, so training that no console watches copies no weights per batch.
    private var wanted = false

    /// Whether the worker should refresh it after a batch.
    var isWanted: Bool {
        lock.lock(); defer { lock.unlock() }
        return wanted
    }

    /// Copies `classifier`'s weights into the replica not in use (rebuilding both when the
    /// model changed), then makes it current. Called on the engine's worker only.
    func refresh(from classifier: TextClassifier, step: Int) {
        lock.lock()
        let sameModel = config?.model == classifier.config.model
        lock.unlock()
        if !sameModel {
            guard let a = try? TextClassifier(config: classifier.config, seed: 0),
                  let b = try? TextClassifier(config: classifier.config, seed: 0) else { return }
            Self.copy(classifier.model, into: a.model)
            lock.lock()
            replicas = [LockedClassifier(a), LockedClassifier(b)]
            config = classifier.config
            current = 0
            self.step = step
            lock.unlock()
            return
        }
        lock.lock()
        let next = 1 - current
        let target = replicas[next]
        lock.unlock()
        // nil: a reader holds that replica now; the next refresh copies.
        guard target.tryUse({ Self.copy(classifier.model, into: $0.model) }) != nil else { return }
        lock.lock()
        current = next
        self.step = step
        lock.unlock()
    }

    /// Runs `body` with the current replica; nil before the first refresh.
    func use<T>(_ body: (TextClassifier) throws -> T) rethrows -> T? {
        lock.lock()
        wanted = true
        guard !replicas.isEmpty else { lock.unlock(); return nil }
        let replica = replicas[current]
        lock.unlock()
        return try replica.use(body)
    }

    private static func copy(_ source: Sequential, into target: Sequential) {
        for (t, s) in zip(target.parameters, source.parameters) { t.value.assign(s.value) }
    }
}
