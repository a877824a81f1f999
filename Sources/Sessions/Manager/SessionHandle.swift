import Engine
import Foundation
import TextData

/// One open session: what `SessionManager.session(_:)` hands out. It owns the session's record
/// and files, its lock (when open for writing), its job on the shared engine, its learner jobs
/// and the queue of work the UI and the CLI give it (training, the zoo, later tuning and
/// serving). Everything about one session goes through here; the manager keeps the catalogue.
///
/// A handle stays valid until its session is closed (by `SessionManager.close`, a rename to a
/// session opened for writing, a delete or shutdown); after that every call throws
/// `SessionError.notFound`.
public actor SessionHandle {
    public nonisolated let id: String
    /// The folder's name (renames change it).
    public private(set) var name: String
    public nonisolated let readOnly: Bool
    nonisolated let engine: TrainingEngine
    let files: SessionFiles
    let lock: SessionLock?
    let hub: EventHub
    private(set) var status: SessionStatus
    /// Stale lock taken over, torn history line dropped, interrupted checkpoint completed…
    let notices: [String]
    /// The live cursor of the engine's run (ahead of the record's between checkpoints).
    var live: LiveCursor
    /// Read and encoded examples: from creation, or loaded when training first needs them.
    var data: LoadedData?
    /// Whether the engine has the encoded data.
    var dataSent = false
    /// The run the console answers with, when not the current one.
    var consoleRunID: Int? = nil
    /// Learner runs' and earlier runs' models, loaded on first use.
    var runModels: [Int: RunModel] = [:]
    /// The copy of the engine run's weights the console classifies with: the worker refreshes
    /// it after every batch and model change, so the console never waits for training.
    let mirror = ConsoleMirror()
    /// The engine run's best checkpoint (`--checkpoint best`) as last loaded, by its epoch.
    var bestCheckpointModel: (run: Int, epoch: Int, model: RunModel)?
    /// Which weights of a neural run answer predictions, evaluations and exports
    /// (`useCheckpoint`); nil: the run's own choice (`--checkpoint` when it trained).
    var checkpointChoice: CheckpointChoice? = nil
    /// A learner run training (they train off the engine, in one go).
    var learnerJob: Task<Void, Never>? = nil
    /// The queue of learner runs `trainLearners` asked for (the zoo), trained one by one.
    var learnerQueue: Task<Void, Never>? = nil
    var settleWaiters: [CheckedContinuation<SessionStatus, Never>] = []
    nonisolated let explainGenerations = LatestGeneration()

    private let engineEvents: AsyncStream<EngineEvent>
    private let sink: EngineSink
    private var pump: Task<Void, Never>?
    private var nextToken = 1
    private var replies: [Int: CheckedContinuation<Void, any Error>] = [:]
    private(set) var isClosed = false

    init(record: SessionRecord, name: String, files: SessionFiles, lock: SessionLock?, readOnly: Bool, notices: [String],
         engine: TrainingEngine, hub: EventHub) {
        id = record.id
        self.name = name
        self.files = files
        self.lock = lock
        self.readOnly = readOnly
        self.notices = notices
        self.engine = engine
        self.hub = hub
        status = SessionManager.restingStatus(record)
        live = LiveCursor(record.engineRun.cursor)
        (engineEvents, sink) = AsyncStream<EngineEvent>.makeStream()
    }

    // MARK: - State

    /// The session's record and state now.
    public var info: SessionInfo {
        SessionInfo(name: name, record: files.record, status: status, readOnly: readOnly, notices: notices,
                    epochsCompleted: live.epochsCompleted, batchInEpoch: live.batchInEpoch, step: live.step)
    }

    public var record: SessionRecord { files.record }

    func publish(_ e: SessionEvent) { hub.publish(e) }

    func checkOpen(writable: Bool = false) throws {
        if isClosed { throw SessionError.notFound(name) }
        if writable && readOnly { throw SessionError.readOnly(session: name) }
    }

    /// Sets the status and tells everyone (learner runs: the engine never sees them train).
    func setStatus(_ new: SessionStatus) {
        status = new
        publish(.status(session: name, status: new))
        if !new.isActive {
            let waiters = settleWaiters
            settleWaiters = []
            for w in waiters { w.resume(returning: new) }
        }
    }

    /// Waits until no job is queued or training, and returns the status.
    public func waitUntilSettled() async -> SessionStatus {
        if !status.isActive || isClosed { return status }
        return await withCheckedContinuation { settleWaiters.append($0) }
    }

    // MARK: - The engine

    /// Sends a command to the engine and waits for its reply, which comes after the events
    /// the command caused (so the status here is up to date when this returns).
    func send(_ command: EngineCommand) async throws {
        startPump()
        let token = nextToken
        nextToken += 1
        let envelope = EngineEnvelope(id: id, command: command, token: token, sink: sink)
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            replies[token] = c
            engine.submit(envelope)
        }
    }

    private func startPump() {
        guard pump == nil else { return }
        let stream = engineEvents
        pump = Task { [weak self] in
            for await e in stream {
                guard let self else { return }
                await self.handle(e)
            }
        }
    }

    private func handle(_ e: EngineEvent) {
        switch e {
        case let .reply(token, result):
            replies.removeValue(forKey: token)?.resume(with: result)
        case let .session(.status(_, s)):
            setStatus(s)
        case let .session(event):
            if case let .batch(_, _, p) = event {
                let ended = p.batch == p.batchesPerEpoch
                live = LiveCursor(epochsCompleted: ended ? p.epoch : p.epoch - 1, batchInEpoch: ended ? 0 : p.batch, step: p.step)
            }
            publish(event)
        }
    }

    // MARK: - Opening, renaming and closing (the manager calls these)

    /// Keeps the examples creation read, so the first training does not read them again.
    func adopt(_ loaded: LoadedData) {
        if data == nil { data = loaded }
    }

    /// Builds the engine's workspace for the session and tells what opening noticed.
    func attach() async throws {
        try await send(.attach(files))
        try await send(.mirror(mirror))
        for n in notices { publish(.warning(session: name, message: n)) }
    }

    /// Moves the session's folder to `newName` under its lock.
    func rename(to newName: String, store: SessionStore) throws {
        try checkOpen()
        let oldName = name
        let newDir = try files.relocate(name: newName) { _ in try store.renameFolder(oldName, to: newName) }
        lock?.moved(to: newDir)
        name = newName
    }

    /// Copies the session as its files are now (under its lock) to `newName`.
    func duplicate(as newName: String, store: SessionStore) throws {
        try checkOpen()
        try files.withLock { dir, record in try store.copy(from: dir, record: record, to: newName) }
    }

    /// Ends the job (saving unsaved progress), drops the engine's workspace, releases the lock.
    /// A learner cannot stop half way: it finishes and saves first.
    func close() async throws {
        guard !isClosed else { return }
        learnerQueue?.cancel()
        if let job = learnerJob { await job.value }
        var failure: (any Error)?
        do { try await send(.detach(save: true)) } catch { failure = error }
        files.close()
        lock?.release()
        isClosed = true
        sink.finish()
        await pump?.value
        for (_, r) in replies { r.resume(throwing: SessionError.shutDown) }
        replies = [:]
        let waiters = settleWaiters
        settleWaiters = []
        for w in waiters { w.resume(returning: status) }
        if let failure { throw failure }
    }

    /// Runs blocking work off the actor.
    static func detached<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await Task.detached(operation: body).value
    }
}

/// Every subscriber's stream of session events. Thread-safe, so handles publish without
/// waiting for the manager.
final class EventHub: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [UUID: AsyncStream<SessionEvent>.Continuation] = [:]
    private var finished = false

    func subscribe(bufferingNewest limit: Int) -> AsyncStream<SessionEvent> {
        let (stream, c) = AsyncStream<SessionEvent>.makeStream(bufferingPolicy: .bufferingNewest(limit))
        lock.lock()
        if finished {
            lock.unlock()
            c.finish()
            return stream
        }
        let key = UUID()
        subscribers[key] = c
        lock.unlock()
        c.onTermination = { [weak self] _ in self?.unsubscribe(key) }
        return stream
    }

    private func unsubscribe(_ key: UUID) {
        lock.lock(); defer { lock.unlock() }
        subscribers[key] = nil
    }

    func publish(_ e: SessionEvent) {
        lock.lock()
        let all = Array(subscribers.values)
        lock.unlock()
        for c in all { c.yield(e) }
    }

    func finish() {
        lock.lock()
        finished = true
        let all = Array(subscribers.values)
        subscribers = [:]
        lock.unlock()
        for c in all { c.finish() }
    }
}

/// Where the engine's run is, as its batch events say (ahead of the checkpoint's cursor).
struct LiveCursor: Sendable, Equatable {
    var epochsCompleted: Int
    var batchInEpoch: Int
    var step: Int

    init(epochsCompleted: Int, batchInEpoch: Int, step: Int) {
        self.epochsCompleted = epochsCompleted; self.batchInEpoch = batchInEpoch; self.step = step
    }

    init(_ c: TrainerState) { self.init(epochsCompleted: c.epochsCompleted, batchInEpoch: c.batchInEpoch, step: c.step) }

    static let start = LiveCursor(epochsCompleted: 0, batchInEpoch: 0, step: 0)
}
