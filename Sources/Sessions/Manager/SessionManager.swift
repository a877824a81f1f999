import Engine
import Foundation
import TextData

/// The catalogue of sessions and the handles of the open ones: creates, opens, lists,
/// renames, duplicates and deletes sessions, and publishes every session's `SessionEvent`s to
/// every `events()` stream. What one session does (training, predictions, the zoo) goes
/// through its `SessionHandle`, which `open` and `create` hand out.
///
/// A session is opened for writing (holding its `.lock`, so no other process writes it) or
/// read-only (for predictions and exports while another process trains it): `open` gives the
/// open handle when there is one, and reopens a read-only one for writing when asked.
///
/// Call `shutdown()` before the process ends: it stops every job at a batch boundary, writes
/// checkpoints for unsaved progress and releases the locks.
public actor SessionManager {
    public nonisolated let store: SessionStore
    public nonisolated let engine: TrainingEngine
    let hub = EventHub()
    /// The open sessions by name.
    private var handles: [String: SessionHandle] = [:]
    private var opening: [String: Task<SessionHandle, any Error>] = [:]
    private var closing = false
    private var closed = false

    public init(store: SessionStore, engine: TrainingEngine = .shared) {
        self.store = store
        self.engine = engine
    }

    // MARK: - Events

    /// A new stream of every session's events from now on. Keeps the newest `limit` events
    /// when the reader falls behind.
    public nonisolated func events(bufferingNewest limit: Int = 100_000) -> AsyncStream<SessionEvent> {
        hub.subscribe(bufferingNewest: limit)
    }

    private func checkRunning() throws {
        if closing || closed { throw SessionError.shutDown }
    }

    // MARK: - Catalogue

    /// Every session folder, with what its record says (or why it cannot be read), its
    /// status here, and whether another process holds it.
    public func list() async throws -> [SessionListing] {
        store.sweep()
        var listings: [SessionListing] = []
        for name in try store.folders() {
            do { try SessionName.validate(name) } catch {
                listings.append(SessionListing(name: name, record: nil, problem: "\(error)", status: nil, lockedBy: nil, isLocked: false, isOpenHere: false))
                continue
            }
            if let h = handles[name] {
                let info = await h.info
                listings.append(SessionListing(name: name, record: info.record, problem: nil, status: info.status,
                                               lockedBy: nil, isLocked: !h.readOnly, isOpenHere: true))
                continue
            }
            let dir = store.root.appendingPathComponent(name, isDirectory: true)
            let (held, pid) = SessionLock.holder(dir: dir)
            do {
                let r = try SessionStore.readRecord(dir: dir, name: name)
                listings.append(SessionListing(name: name, record: r, problem: nil, status: held ? r.status : Self.restingStatus(r),
                                               lockedBy: held ? pid : nil, isLocked: held, isOpenHere: false))
            } catch {
                listings.append(SessionListing(name: name, record: nil, problem: "\(error)", status: nil,
                                               lockedBy: held ? pid : nil, isLocked: held, isOpenHere: false))
            }
        }
        return listings
    }

    /// The session's record and state; an unopened session is read from disk.
    public func info(_ name: String) async throws -> SessionInfo {
        if let h = handles[name] { return await h.info }
        let r = try store.record(name)
        let c = r.engineRun.cursor
        return SessionInfo(name: name, record: r, status: Self.restingStatus(r), readOnly: true, notices: [],
                           epochsCompleted: c.epochsCompleted, batchInEpoch: c.batchInEpoch, step: c.step)
    }

    /// The handle of a session open here (nil when it is not open: nothing is opened).
    public func handle(_ name: String) -> SessionHandle? { handles[name] }

    /// The names of the sessions open here.
    public var openSessions: [String] { handles.keys.sorted() }

    /// The status a session's record implies when no job runs: interrupted jobs come back idle.
    static func restingStatus(_ r: SessionRecord) -> SessionStatus {
        if case .failed = r.status { return r.status }
        return r.currentRun.isComplete ? .finished : .idle
    }

    /// Builds a new session from `setup` (reads and hashes the data, fits the tokenizer,
    /// draws the initial weights), writes its folder, and opens it for writing.
    @discardableResult
    public func create(_ name: String, setup: SessionSetup) async throws -> SessionHandle {
        try checkRunning()
        try SessionName.validate(name)
        if store.exists(name) || handles[name] != nil { throw SessionError.alreadyExists(name) }
        let built = try await Self.detached { try SessionBuilder.build(name: name, setup: setup) }
        try store.create(record: built.record, weights: built.weights, optimizer: built.optimizer)
        hub.publish(.catalogChanged)
        let handle = try await open(name)
        await handle.adopt(built.data)
        return handle
    }

    /// The session's handle: the open one, or the session opened now, for writing (the
    /// default: takes its lock, finishes or discards an interrupted checkpoint, drops history
    /// written after the last checkpoint) or read-only. A read-only handle asked for writing
    /// is closed and the session reopened. What opening noticed is in `info.notices` and
    /// published as warnings.
    @discardableResult
    public func open(_ name: String, readOnly: Bool = false) async throws -> SessionHandle {
        try checkRunning()
        try SessionName.validate(name)
        while let pending = opening[name] { _ = try? await pending.value }
        if let h = handles[name] {
            if !readOnly && h.readOnly { try await close(name) } else { return h }
        }
        let task = Task { try await self.performOpen(name, writable: !readOnly) }
        opening[name] = task
        defer { if opening[name] == task { opening[name] = nil } }
        return try await task.value
    }

    private func performOpen(_ name: String, writable: Bool) async throws -> SessionHandle {
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
            if let other = handles.values.first(where: { $0.id == record.id }) {
                throw SessionError.file(path: dir.appendingPathComponent(SessionStore.sessionFile).path,
                                        reason: "has the same id as the open session '\(await other.name)' (was the folder copied by hand?)")
            }
            let files = SessionFiles(directory: dir, record: record, readOnly: !writable)
            let handle = SessionHandle(record: record, name: name, files: files, lock: lock, readOnly: !writable, notices: notices,
                                       engine: engine, hub: hub)
            try await handle.attach()
            handles[name] = handle
            return handle
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
        guard let h = handles.removeValue(forKey: name) else { return }
        try await h.close()
    }

    /// Renames a session (also while it trains: its files move under the session's lock).
    public func rename(_ name: String, to newName: String) async throws {
        try checkRunning()
        try SessionName.validate(name)
        try SessionName.validate(newName)
        guard name != newName else { return }
        if store.exists(newName) || handles[newName] != nil { throw SessionError.alreadyExists(newName) }
        if let h = handles[name], h.readOnly { try await close(name) }
        if let h = handles[name] {
            try await h.rename(to: newName, store: store)
            handles[name] = nil
            handles[newName] = h
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
        hub.publish(.catalogChanged)
    }

    /// Copies a session (as of its last checkpoint, or its current files when open here) to a
    /// new name with a new id. The copy is not opened.
    public func duplicate(_ name: String, as newName: String) async throws {
        try checkRunning()
        try SessionName.validate(name)
        try SessionName.validate(newName)
        if store.exists(newName) || handles[newName] != nil { throw SessionError.alreadyExists(newName) }
        if let h = handles[name], !h.readOnly {
            try await h.duplicate(as: newName, store: store)
        } else {
            let dir = try store.directory(for: name)
            guard store.exists(name) else { throw SessionError.notFound(name) }
            let (lock, _) = try SessionLock.acquire(dir: dir, session: name)
            defer { lock.release() }
            let record = try SessionStore.readRecord(dir: dir, name: name)
            try store.copy(from: dir, record: record, to: newName)
        }
        hub.publish(.catalogChanged)
    }

    /// Deletes a session folder. Refuses while it trains here, or while another process holds it.
    public func delete(_ name: String) async throws {
        try checkRunning()
        try SessionName.validate(name)
        if let h = handles[name] {
            let status = await h.info.status
            guard !status.isActive else { throw SessionError.busy(session: name, status: status, operation: "delete it (stop it first)") }
            try await close(name)
        }
        let dir = try store.directory(for: name)
        guard store.exists(name) else { throw SessionError.notFound(name) }
        let (lock, _) = try SessionLock.acquire(dir: dir, session: name)
        defer { lock.release() }
        try store.removeFolder(name)
        hub.publish(.catalogChanged)
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
        for name in Array(handles.keys) {
            do { try await close(name) } catch { failures.append(error) }
        }
        closed = true
        hub.finish()
        return failures
    }

    /// Runs blocking work off the actor.
    static func detached<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await Task.detached(operation: body).value
    }
}
