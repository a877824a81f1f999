import Engine
import Foundation

/// The shared training engine: one per process (`TrainingEngine.shared`), training on its own
/// thread, never the caller's.
///
/// Every model object (the classifier, the optimiser, the trainer) is created and touched only
/// by the engine's worker thread; callers hand it Sendable values (session files, encoded data,
/// specs) and get Sendable values back. The worker runs one batch at a time and, between
/// batches, handles commands (start, pause, step, stop, cancel, model changes) and answers
/// predictions, so a pause takes effect at the next batch boundary and a prediction waits at
/// most one batch.
///
/// Scheduling: at most `maxActiveJobs` sessions train at once (1 by default); more are
/// queued, in order, and start when a slot frees. With more than one slot the active jobs take
/// turns batch by batch on the one worker thread. A paused job frees its slot.
///
/// Sessions use it through `SessionManager`; its job API is internal to this module.
public final class TrainingEngine: @unchecked Sendable {
    /// The process's engine. Its thread starts on first use.
    public static let shared = TrainingEngine()

    public let maxActiveJobs: Int

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var commands: [EngineEnvelope] = []
    private var predictions: [PredictionRequest] = []
    private var latestPredictions: [String: PredictionRequest] = [:]
    private var latestOrder: [String] = []
    private var tasks: [ClassifierTask] = []
    private var started = false
    private var stopping = false
    private var exited = false
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []

    public init(maxActiveJobs: Int = 1) {
        self.maxActiveJobs = max(1, maxActiveJobs)
    }

    /// Whether `shutdown()` was called.
    public var isShutDown: Bool {
        condition.lock(); defer { condition.unlock() }
        return stopping
    }

    /// Stops every job at the next batch boundary (writing checkpoints for unsaved progress),
    /// and waits for the worker thread to end. Later requests fail with `SessionError.shutDown`.
    public func shutdown() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            condition.lock()
            stopping = true
            if exited || !started {
                exited = true
                condition.unlock()
                c.resume()
                return
            }
            exitWaiters.append(c)
            condition.signal()
            condition.unlock()
        }
    }

    /// Predictions waiting for the worker (for tests).
    var pendingPredictionCount: Int {
        condition.lock(); defer { condition.unlock() }
        return predictions.count + latestPredictions.count
    }

    // MARK: - Requests (any thread)

    /// Queues a command; its reply and the events it causes come on the envelope's sink.
    func submit(_ envelope: EngineEnvelope) {
        condition.lock()
        if stopping {
            condition.unlock()
            envelope.sink.yield(.reply(token: envelope.token, .failure(SessionError.shutDown)))
            return
        }
        startIfNeeded()
        commands.append(envelope)
        condition.signal()
        condition.unlock()
    }

    /// Class probabilities for each text, computed by the worker between batches (or at once
    /// when idle). With `latestWins`, a newer request for the same session replaces this one
    /// while it waits, and this one returns nil.
    func predict(id: String, texts: [String], latestWins: Bool) async throws -> [[Float]]? {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<[[Float]]?, any Error>) in
            let request = PredictionRequest(id: id, texts: texts, continuation: c)
            condition.lock()
            if stopping {
                condition.unlock()
                c.resume(throwing: SessionError.shutDown)
                return
            }
            startIfNeeded()
            var displaced: PredictionRequest?
            if latestWins {
                displaced = latestPredictions.updateValue(request, forKey: id)
                if displaced == nil { latestOrder.append(id) }
            } else {
                predictions.append(request)
            }
            condition.signal()
            condition.unlock()
            displaced?.continuation.resume(returning: nil)
        }
    }

    /// Runs `body` with the session's classifier on the worker, between batches.
    func withClassifier<T: Sendable>(id: String, _ body: @escaping @Sendable (TextClassifier) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
            let task = ClassifierTask(id: id) { classifier in
                guard let classifier else { c.resume(throwing: SessionError.invalidSetting(field: "session", reason: "not open in the engine")); return }
                c.resume(with: Result { try body(classifier) })
            }
            condition.lock()
            if stopping {
                condition.unlock()
                c.resume(throwing: SessionError.shutDown)
                return
            }
            startIfNeeded()
            tasks.append(task)
            condition.signal()
            condition.unlock()
        }
    }

    /// Called with `condition` locked.
    private func startIfNeeded() {
        guard !started else { return }
        started = true
        let thread = Thread { [self] in self.workerMain() }
        thread.name = "workbench.training"
        thread.stackSize = 16 << 20
        thread.start()
    }

    // MARK: - The worker thread

    private struct Mail {
        var commands: [EngineEnvelope]
        var predictions: [PredictionRequest]
        var tasks: [ClassifierTask]
        var stopping: Bool
    }

    /// Takes everything waiting; blocks while there is nothing and `busy` is false.
    private func takeMail(busy: Bool) -> Mail {
        condition.lock(); defer { condition.unlock() }
        while !busy && !stopping && commands.isEmpty && predictions.isEmpty && latestPredictions.isEmpty && tasks.isEmpty {
            condition.wait()
        }
        var preds = predictions
        for id in latestOrder { if let p = latestPredictions[id] { preds.append(p) } }
        let mail = Mail(commands: commands, predictions: preds, tasks: tasks, stopping: stopping)
        commands.removeAll(keepingCapacity: true)
        predictions.removeAll(keepingCapacity: true)
        latestPredictions.removeAll(keepingCapacity: true)
        latestOrder.removeAll(keepingCapacity: true)
        tasks.removeAll(keepingCapacity: true)
        return mail
    }

    private func workerMain() {
        let worker = EngineWorker(maxActiveJobs: maxActiveJobs)
        while true {
            let mail = takeMail(busy: worker.hasRunnableJob)
            for envelope in mail.commands { worker.handle(envelope) }
            for task in mail.tasks { worker.run(task) }
            for request in mail.predictions { worker.answer(request) }
            if mail.stopping { break }
            worker.runNextBatch()
        }
        worker.shutdown()
        // Requests that arrived while stopping.
        condition.lock()
        exited = true
        let leftovers = (commands, predictions + Array(latestPredictions.values), tasks, exitWaiters)
        commands = []; predictions = []; latestPredictions = [:]; latestOrder = []; tasks = []; exitWaiters = []
        condition.unlock()
        for e in leftovers.0 { e.sink.yield(.reply(token: e.token, .failure(SessionError.shutDown))) }
        for p in leftovers.1 { p.continuation.resume(throwing: SessionError.shutDown) }
        for t in leftovers.2 { t.body(nil) }
        for w in leftovers.3 { w.resume() }
    }
}
