import Engine
import Foundation
import TextData

/// The one way the UI and the CLI reach training: creates, opens, lists, renames, duplicates
/// and deletes sessions; holds the open ones; sends their jobs to the shared `TrainingEngine`;
/// answers predictions; and publishes `SessionEvent`s to every `events()` stream.
///
/// A session is opened for writing (holding its `.lock`, so no other process writes it) or
/// read-only (for predictions and exports while another process trains it). Operations open
/// what they need: training opens for writing, predictions and exports read-only unless the
/// session is already open.
///
/// Call `shutdown()` before the process ends: it stops every job at a batch boundary, writes
/// checkpoints for unsaved progress and releases the locks.
public actor SessionManager {
    public nonisolated let store: SessionStore
    public nonisolated let engine: TrainingEngine

    struct OpenSession {
        let id: String
        var name: String
        let files: SessionFiles
        let lock: SessionLock?
        var status: SessionStatus
        let readOnly: Bool
        /// Read and encoded examples: from creation, or loaded when training first needs them.
        var data: LoadedData?
        /// Whether the engine has the encoded data.
        var dataSent = false
        var notices: [String]
        var epochsCompleted: Int
        var batchInEpoch: Int
        var step: Int
        /// The run the console answers with, when not the current one.
        var consoleRun: Int? = nil
        /// Learner runs' and earlier runs' models, loaded on first use.
        var runModels: [Int: RunModel] = [:]
        /// A learner run training (they train off the engine, in one go).
        var learnerJob: Task<Void, Never>? = nil
    }

    var sessions: [String: OpenSession] = [:]   // by session id (internal: the extensions read it)
    nonisolated let explainGenerations = LatestGeneration()
    private var subscribers: [UUID: AsyncStream<SessionEvent>.Continuation] = [:]
    private let engineEvents: AsyncStream<EngineEvent>
    private let sink: EngineSink
    private var pump: Task<Void, Never>?
    private var nextToken = 1
    private var replies: [Int: CheckedContinuation<Void, any Error>] = [:]
    var settleWaiters: [String: [CheckedContinuation<SessionStatus, Never>]] = [:]
    private var opening: [String: Task<String, any Error>] = [:]
    private var closing = false
    private var closed = false

    public init(store: SessionStore, engine: TrainingEngine = .shared) {
        self.store = store
        self.engine = engine
        (engineEvents, sink) = AsyncStream<EngineEvent>.makeStream()
    }

    // MARK: - Events

    /// A new stream of every event from now on. Keeps the newest `limit` events when the
    /// reader falls behind.
    public func events(bufferingNewest limit: Int = 100_000) -> AsyncStream<SessionEvent> {
        let (stream, c) = AsyncStream<SessionEvent>.makeStream(bufferingPolicy: .bufferingNewest(limit))
        if closed {
            c.finish()
            return stream
        }
        let key = UUID()
        subscribers[key] = c
        c.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(key) }
        }
        return stream
    }

    private func unsubscribe(_ key: UUID) { subscribers[key] = nil }

    func publish(_ e: SessionEvent) {
        for c in subscribers.values { c.yield(e) }
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
        case let .status(id, s):
            setStatus(id, s)
        case let .batch(id, run, p):
            guard var o = sessions[id] else { return }
            let ended = p.batch == p.batchesPerEpoch
            o.epochsCompleted = ended ? p.epoch : p.epoch - 1
            o.batchInEpoch = ended ? 0 : p.batch
            o.step = p.step
            sessions[id] = o
            publish(.batch(session: o.name, run: run, progress: p))
        case let .epoch(id, run, summary):
            guard let o = sessions[id] else { return }
            publish(.epoch(session: o.name, run: run, summary: summary))
        case let .checkpoint(id, info):
            guard let o = sessions[id] else { return }
            publish(.checkpoint(session: o.name, info: info))
        case let .warning(id, message):
            guard let o = sessions[id] else { return }
            publish(.warning(session: o.name, message: message))
        }
    }

    /// Sends a command to the engine and waits for its reply, which comes after the events
    /// the command caused (so the statuses here are up to date when this returns).
    func send(_ id: String, _ command: EngineCommand) async throws {
        if closed { throw SessionError.shutDown }
        startPump()
        let token = nextToken
        nextToken += 1
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            replies[token] = c
            engine.submit(EngineEnvelope(id: id, command: command, token: token, sink: sink))
        }
    }

    private func checkRunning() throws {
        if closing || closed { throw SessionError.shutDown }
    }

    func openSession(named name: String) -> OpenSession? {
        sessions.values.first { $0.name == name }
    }

    // MARK: - Catalogue

    /// Every session folder, with what its record says (or why it cannot be read), its
    /// status here, and whether another process holds it.
    public func list() throws -> [SessionListing] {
        store.sweep()
        return try store.folders().map { name in
            do { try SessionName.validate(name) } catch {
                return SessionListing(name: name, record: nil, problem: "\(error)", status: nil, lockedBy: nil, isLocked: false, isOpenHere: false)
            }
            if let o = openSession(named: name) {
                return SessionListing(name: name, record: o.files.record, problem: nil, status: o.status,
                                      lockedBy: nil, isLocked: !o.readOnly, isOpenHere: true)
            }
            let dir = store.root.appendingPathComponent(name, isDirectory: true)
            let (held, pid) = SessionLock.holder(dir: dir)
            do {
                let r = try SessionStore.readRecord(dir: dir, name: name)
                return SessionListing(name: name, record: r, problem: nil, status: held ? r.status : Self.restingStatus(r),
                                      lockedBy: held ? pid : nil, isLocked: held, isOpenHere: false)
            } catch {
                return SessionListing(name: name, record: nil, problem: "\(error)", status: nil,
                                      lockedBy: held ? pid : nil, isLocked: held, isOpenHere: false)
            }
        }
    }

    /// The session's record and state; an unopened session is read from disk.
    public func info(_ name: String) throws -> SessionInfo {
        if let o = openSession(named: name) { return info(o) }
        let r = try store.record(name)
        let c = r.engineRun.cursor
        return SessionInfo(name: name, record: r, status: Self.restingStatus(r), readOnly: true, notices: [],
                           epochsCompleted: c.epochsCompleted, batchInEpoch: c.batchInEpoch, step: c.step)
    }

    func info(_ o: OpenSession) -> SessionInfo {
        SessionInfo(name: o.name, record: o.files.record, status: o.status, readOnly: o.readOnly, notices: o.notices,
                    epochsCompleted: o.epochsCompleted, batchInEpoch: o.batchInEpoch, step: o.step)
    }

    /// The names of the sessions open here.
    public var openSessions: [String] { sessions.values.map(\.name).sorted() }

    /// The status a session's record implies when no job runs: interrupted jobs come back idle.
    static func restingStatus(_ r: SessionRecord) -> SessionStatus {
        if case .failed = r.status { return r.status }
        return r.currentRun.isComplete ? .finished : .idle
    }

    /// Builds a new session from `setup` (reads and hashes the data, fits the tokenizer,
    /// draws the initial weights), writes its folder, and opens it for writing.
    @discardableResult
    public func create(_ name: String, setup: SessionSetup) async throws -> SessionInfo {
        try checkRunning()
        try SessionName.validate(name)
        if store.exists(name) || openSession(named: name) != nil { throw SessionError.alreadyExists(name) }
        let built = try await Self.detached { try SessionBuilder.build(name: name, setup: setup) }
        try store.create(record: built.record, weights: built.weights, optimizer: built.optimizer)
        publish(.catalogChanged)
        let id = try await openID(name, writable: true)
        if sessions[id] != nil, sessions[id]?.data == nil { sessions[id]?.data = built.data }
        return info(sessions[id]!)
    }

    /// Opens a session: for writing (the default: takes its lock, finishes or discards an
    /// interrupted checkpoint, drops history written after the last checkpoint) or read-only.
    /// What it noticed is in `notices` and published as warnings.
    @discardableResult
    public func open(_ name: String, readOnly: Bool = false) async throws -> SessionInfo {
        let id = try await openID(name, writable: !readOnly)
        guard let o = sessions[id] else { throw SessionError.notFound(name) }
        return info(o)
    }

    func openID(_ name: String, writable: Bool) async throws -> String {
        try checkRunning()
        try SessionName.validate(name)
        while let pending = opening[name] { _ = try? await pending.value }
        if let o = openSession(named: name) {
            if writable && o.readOnly { try await closeID(o.id) } else { return o.id }
        }
        let task = Task { try await self.performOpen(name, writable: writable) }
        opening[name] = task
        defer { if opening[name] == task { opening[name] = nil } }
        return try await task.value
    }

    private func performOpen(_ name: String, writable: Bool) async throws -> String {
        let dir = try store.directory(for: name)
        guard store.exists(name) else { throw SessionError.notFound(name) }
        var notices: [String] = []
        var lock: SessionLock?
        if writable {
            let (l, notice) = try SessionLock.acquire(dir: dir, session: name)
            lock = l
            if let notice { notices.append(notice) }
        }
        do {
            let (record, more) = try await Self.detached { try Self.prepare(dir: dir, name: name, writable: writable) }
            notices += more
            if let other = sessions[record.id] {
                throw SessionError.file(path: dir.appendingPathComponent(SessionStore.sessionFile).path,
                                        reason: "has the same id as the open session '\(other.name)' (was the folder copied by hand?)")
            }
            let files = SessionFiles(directory: dir, record: record, readOnly: !writable)
            try await send(record.id, .attach(files))
            let c = record.engineRun.cursor
            sessions[record.id] = OpenSession(id: record.id, name: name, files: files, lock: lock, status: Self.restingStatus(record),
                                              readOnly: !writable, data: nil, notices: notices,
                                              epochsCompleted: c.epochsCompleted, batchInEpoch: c.batchInEpoch, step: c.step)
            for n in notices { publish(.warning(session: name, message: n)) }
            return record.id
        } catch {
            lock?.release()
            throw error
        }
    }

    /// Reads and, for writing, repairs a session folder: completes or discards an interrupted
    /// checkpoint (setting a damaged one aside), drops a torn history line, damaged lines
    /// (kept aside) and history past the checkpoint, and turns an interrupted job's status back
    /// to idle.
    static func prepare(dir: URL, name: String, writable: Bool) throws -> (SessionRecord, [String]) {
        var record = try SessionStore.readRecord(dir: dir, name: name)
        let parsed = try SessionStore.readHistoryFile(dir: dir)
        let history = parsed.records
        var notices = parsed.notices
        guard writable else { return (record, notices) }
        notices += try SessionFiles.recover(dir: dir, record: record)
        let c = record.engineRun.cursor
        let kept = history.filter { record.keeps($0) }
        if kept.count != history.count || !parsed.notices.isEmpty {
            if let aside = try SessionStore.rewriteHistory(kept, replacing: parsed, dir: dir) {
                notices = notices.map { $0.contains(HistoryLog.damagedLinesNotice) ? "\($0); \(aside)" : $0 }
            }
            if kept.count != history.count {
                notices.append("\(name): dropped \(history.count - kept.count) history records written after the last checkpoint (step \(c.step))")
            }
        }
        if record.status.isActive || record.status == .paused {
            notices.append("\(name): was \(record.status.label) when its process ended; it carries on from the last checkpoint (epoch \(c.epochsCompleted + 1), batch \(c.batchInEpoch), step \(c.step))")
            record.status = restingStatus(record)
            record.modified = Date()
            try SessionStore.atomicWrite(try SessionJSON.encoder.encode(record), to: dir.appendingPathComponent(SessionStore.sessionFile))
        }
        return (record, notices)
    }

    /// Closes an open session: stops its job (saving unsaved progress) and releases its lock.
    public func close(_ name: String) async throws {
        guard let o = openSession(named: name) else { return }
        try await closeID(o.id)
    }

    private func closeID(_ id: String) async throws {
        guard sessions[id] != nil else { return }
        // A learner cannot stop half way: let it finish and save (it writes into the files).
        if let job = sessions[id]?.learnerJob { await job.value }
        guard let o = sessions[id] else { return }
        var failure: (any Error)?
        do { try await send(id, .detach(save: true)) } catch { failure = error }
        o.files.close()
        o.lock?.release()
        sessions[id] = nil
        if let waiters = settleWaiters.removeValue(forKey: id) { for w in waiters { w.resume(returning: o.status) } }
        if let failure { throw failure }
    }

    /// Renames a session (also while it trains: its files move under the session's lock).
    public func rename(_ name: String, to newName: String) async throws {
        try checkRunning()
        try SessionName.validate(name)
        try SessionName.validate(newName)
        guard name != newName else { return }
        if store.exists(newName) || openSession(named: newName) != nil { throw SessionError.alreadyExists(newName) }
        if let o = openSession(named: name), o.readOnly { try await closeID(o.id) }
        if let o = openSession(named: name) {
            let store = self.store
            let newDir = try o.files.relocate(name: newName) { _ in try store.renameFolder(name, to: newName) }
            o.lock?.moved(to: newDir)
            sessions[o.id]?.name = newName
        } else {
            let dir = try store.directory(for: name)
            guard store.exists(name) else { throw SessionError.notFound(name) }
            let (lock, _) = try SessionLock.acquire(dir: dir, session: name)
            defer { lock.release() }
            var record = try SessionStore.readRecord(dir: dir, name: name)
            let newDir = try store.renameFolder(name, to: newName)
            lock.moved(to: newDir)
            record.name = newName
            try SessionStore.atomicWrite(try SessionJSON.encoder.encode(record), to: newDir.appendingPathComponent(SessionStore.sessionFile))
        }
        publish(.catalogChanged)
    }

    /// Copies a session (as of its last checkpoint, or its current files when open here) to a
    /// new name with a new id. The copy is not opened.
    public func duplicate(_ name: String, as newName: String) async throws {
        try checkRunning()
        try SessionName.validate(name)
        try SessionName.validate(newName)
        if store.exists(newName) || openSession(named: newName) != nil { throw SessionError.alreadyExists(newName) }
        if let o = openSession(named: name), !o.readOnly {
            let store = self.store
            try o.files.withLock { dir, record in try store.copy(from: dir, record: record, to: newName) }
        } else {
            let dir = try store.directory(for: name)
            guard store.exists(name) else { throw SessionError.notFound(name) }
            let (lock, _) = try SessionLock.acquire(dir: dir, session: name)
            defer { lock.release() }
            let record = try SessionStore.readRecord(dir: dir, name: name)
            try store.copy(from: dir, record: record, to: newName)
        }
        publish(.catalogChanged)
    }

    /// Deletes a session folder. Refuses while it trains here, or while another process holds it.
    public func delete(_ name: String) async throws {
        try checkRunning()
        try SessionName.validate(name)
        if let o = openSession(named: name) {
            guard !o.status.isActive else { throw SessionError.busy(session: name, status: o.status, operation: "delete it (stop it first)") }
            try await closeID(o.id)
        }
        let dir = try store.directory(for: name)
        guard store.exists(name) else { throw SessionError.notFound(name) }
        let (lock, _) = try SessionLock.acquire(dir: dir, session: name)
        defer { lock.release() }
        try store.removeFolder(name)
        publish(.catalogChanged)
    }

    // MARK: - Shutting down

    /// Closes every session (stopping jobs at a batch boundary and saving their progress),
    /// ends the event streams and releases the locks. The engine keeps running for others.
    /// Returns what failed on the way, e.g. a last checkpoint that could not be written: the
    /// caller tells the user (the sessions keep their last good checkpoints).
    @discardableResult
    public func shutdown() async -> [any Error] {
        guard !closing && !closed else { return [] }
        closing = true
        var failures: [any Error] = []
        for id in Array(sessions.keys) {
            do { try await closeID(id) } catch { failures.append(error) }
        }
        closed = true
        sink.finish()
        await pump?.value
        for c in subscribers.values { c.finish() }
        subscribers = [:]
        for (_, waiters) in settleWaiters { for w in waiters { w.resume(returning: .idle) } }
        settleWaiters = [:]
        for (_, r) in replies { r.resume(throwing: SessionError.shutDown) }
        replies = [:]
        return failures
    }

    /// Runs blocking work off the actor.
    static func detached<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await Task.detached(operation: body).value
    }
}

