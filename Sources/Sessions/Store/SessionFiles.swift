import Engine
import Foundation

/// The files of one open session and its record in memory. Every write to the folder goes
/// through here, in order, on one serial writer queue, so the manager (renames, settings) and
/// the engine's worker (checkpoints, history) never interleave their writes, and the worker
/// never waits for fsync: it hands over the bytes of a checkpoint and carries on training.
///
/// The record in memory is the truth for this process; the files follow it in order. A write
/// that fails in the background is reported by the next call (the engine then fails the
/// session), naming the reason and the last good checkpoint, which the folder keeps.
final class SessionFiles: @unchecked Sendable {
    static let weightsNext = "weights.next.safetensors"
    static let optimizerNext = "optimizer.next.safetensors"
    /// Checkpoints allowed to wait for the writer before `commitCheckpoint` waits too.
    static let maxPendingCheckpoints = 2

    /// Guards `dir`, `rec` and `closed`; held while handing work to the writer.
    private let mutex = NSLock()
    private var dir: URL
    private var rec: SessionRecord
    private var closed = false
    /// Guards `failure`, `pending` and `durable` (taken by writer blocks, never with `mutex`
    /// waited for).
    private let state = NSLock()
    private var failure: SessionError?
    private var pending = 0
    /// The record as session.json on disk holds it: the last good checkpoint.
    private var durable: SessionRecord
    /// Runs every disk write, in order. `historyHandle` is only touched on it.
    private let writer = DispatchQueue(label: "workbench.session-writer")
    private var historyHandle: FileHandle?
    let readOnly: Bool

    init(directory: URL, record: SessionRecord, readOnly: Bool) {
        self.dir = directory
        self.rec = record
        self.durable = record
        self.readOnly = readOnly
    }

    deinit { try? historyHandle?.close() }

    var record: SessionRecord { mutex.lock(); defer { mutex.unlock() }; return rec }
    var directory: URL { mutex.lock(); defer { mutex.unlock() }; return dir }

    /// Runs `body` once every queued write is on disk, with nothing else writing meanwhile.
    func withLock<T>(_ body: (URL, SessionRecord) throws -> T) throws -> T {
        mutex.lock(); defer { mutex.unlock() }
        writer.sync {}
        try checkFailure()
        return try body(dir, rec)
    }

    /// Waits until every queued write is on disk; throws a write that failed.
    func flush() throws {
        writer.sync {}
        try checkFailure()
    }

    private func checkFailure() throws {
        state.lock(); defer { state.unlock() }
        if let failure { throw failure }
    }

    /// Records the first write that failed (on `writer`), with what the folder kept.
    private func fail(_ error: any Error, in dir: URL) {
        state.lock(); defer { state.unlock() }
        guard failure == nil else { return }
        let kept = "the session keeps its last good checkpoint, \(Self.describe(durable)); progress after it is not saved"
        func joined(_ reason: String) -> String {
            (reason.hasSuffix(".") ? String(reason.dropLast()) : reason) + "; " + kept
        }
        switch error {
        case let SessionError.file(path, reason): failure = .file(path: path, reason: joined(reason))
        case let EngineError.file(path, reason): failure = .file(path: path, reason: joined(reason))
        default: failure = .file(path: dir.path, reason: joined("write failed: \(error.localizedDescription)"))
        }
    }

    private var hasFailed: Bool {
        state.lock(); defer { state.unlock() }
        return failure != nil
    }

    /// On `writer`, once session.json holds `record`.
    private func wrote(_ record: SessionRecord) {
        state.lock(); defer { state.unlock() }
        durable = record
    }

    /// "checkpoint 3 (run 1: 2 epochs done, batch 0 of the next, step 40)".
    static func describe(_ r: SessionRecord) -> String {
        let c = r.engineRun.cursor
        return "checkpoint \(r.checkpoint) (run \(r.engineRunID): \(c.epochsCompleted) epochs done, batch \(c.batchInEpoch) of the next, step \(c.step))"
    }

    /// Called with `mutex` held.
    private func checkWritable() throws {
        if readOnly { throw SessionError.readOnly(session: rec.name) }
        if closed { throw SessionError.file(path: dir.path, reason: "the session was closed") }
        try checkFailure()
    }

    /// Changes the record and writes session.json (waiting for the write); the record in
    /// memory only changes when the write succeeds.
    @discardableResult
    func update(_ body: (inout SessionRecord) throws -> Void) throws -> SessionRecord {
        mutex.lock(); defer { mutex.unlock() }
        try checkWritable()
        var r = rec
        try body(&r)
        r.modified = Date()
        let d = dir
        try writer.sync {
            try Self.writeRecord(r, in: d)
            wrote(r)
        }
        rec = r
        return r
    }

    private static func writeRecord(_ r: SessionRecord, in dir: URL) throws {
        try SessionStore.atomicWrite(try SessionJSON.encoder.encode(r), to: dir.appendingPathComponent(SessionStore.sessionFile))
    }

    /// Appends history lines, in the background (fsynced before the next checkpoint).
    func appendHistory(_ records: [HistoryRecord]) throws {
        mutex.lock(); defer { mutex.unlock() }
        try checkWritable()
        let data = try HistoryLog.encode(records)
        let d = dir
        writer.async { [self] in
            if hasFailed { return }
            do { try appendNow(data, in: d) } catch { fail(error, in: d) }
        }
    }

    /// On `writer`.
    private func appendNow(_ data: Data, in dir: URL) throws {
        let url = dir.appendingPathComponent(SessionStore.historyFile)
        do {
            if historyHandle == nil {
                guard let fd = try SessionFileAccess.openFile(url, flags: O_WRONLY | O_APPEND | O_CREAT) else {
                    throw SessionError.file(path: url.path, reason: "cannot open for appending")
                }
                historyHandle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            }
            try WriteFaults.check(url)
            try historyHandle?.write(contentsOf: data)
        } catch let e as SessionError { throw e } catch {
            throw SessionError.file(path: url.path, reason: "append failed: \(error.localizedDescription)")
        }
    }

    /// On `writer`.
    private func closeHistory(sync: Bool) {
        if let h = historyHandle {
            if sync { try? h.synchronize() }
            try? h.close()
        }
        historyHandle = nil
    }

    /// Rewrites the history, keeping what `keep` accepts (waits for the write).
    func filterHistory(_ keep: @escaping (HistoryRecord) -> Bool) throws {
        mutex.lock(); defer { mutex.unlock() }
        try checkWritable()
        let d = dir
        try writer.sync {
            closeHistory(sync: true)
            let parsed = try SessionStore.readHistoryFile(dir: d)
            let kept = parsed.records.filter(keep)
            if kept.count != parsed.records.count || !parsed.damagedLines.isEmpty {
                _ = try SessionStore.rewriteHistory(kept, replacing: parsed, dir: d)
            }
        }
    }

    /// Commits a checkpoint: `make(n)` gives the bytes of the weights and optimiser files for
    /// checkpoint number n (it runs here, on the caller's thread, so it may touch the model);
    /// `change` updates the record (cursor, status) that goes with them, and the files' sizes
    /// and checksums go in too. The record changes at once; the files are written by the writer
    /// in this order: history fsync, the two `.next` files, session.json, then the renames.
    /// With `maxPendingCheckpoints` already waiting, this waits for the writer first.
    @discardableResult
    func commitCheckpoint(make: (Int) throws -> (weights: Data, optimizer: Data),
                          change: (inout SessionRecord) -> Void) throws -> SessionRecord {
        mutex.lock(); defer { mutex.unlock() }
        try checkWritable()
        state.lock()
        let waiting = pending
        state.unlock()
        if waiting >= Self.maxPendingCheckpoints {
            writer.sync {}
            try checkFailure()
        }
        let n = rec.checkpoint + 1
        let (weights, optimizer) = try make(n)
        var r = rec
        change(&r)
        r.checkpoint = n
        r.checkpointFiles = CheckpointDigests(weights: weights, optimizer: optimizer)
        r.modified = Date()
        rec = r
        let d = dir, committed = r
        state.lock(); pending += 1; state.unlock()
        writer.async { [self] in
            // After a failed write nothing more is written: the folder stays at the checkpoint
            // the failure names.
            if hasFailed {
                state.lock(); pending -= 1; state.unlock()
                return
            }
            do {
                if let h = historyHandle {
                    do { try h.synchronize() } catch {
                        throw SessionError.file(path: d.appendingPathComponent(SessionStore.historyFile).path, reason: "fsync failed: \(error.localizedDescription)")
                    }
                }
                try SessionStore.atomicWrite(weights, to: d.appendingPathComponent(Self.weightsNext))
                try SessionStore.atomicWrite(optimizer, to: d.appendingPathComponent(Self.optimizerNext))
                try Self.writeRecord(committed, in: d)
                wrote(committed)
                try Self.promote(dir: d)
            } catch {
                // What of this checkpoint reached the disk is sorted out by the next open
                // (`recover`): promoted if session.json names it, discarded if not.
                fail(error, in: d)
            }
            state.lock(); pending -= 1; state.unlock()
        }
        return r
    }

    /// Renames the `.next` files into place.
    private static func promote(dir: URL) throws {
        for (next, final) in [(weightsNext, SessionStore.weightsFile), (optimizerNext, SessionStore.optimizerFile)] {
            let from = dir.appendingPathComponent(next).path, to = dir.appendingPathComponent(final).path
            if FileManager.default.fileExists(atPath: from), rename(from, to) != 0 {
                throw SessionError.file(path: to, reason: "cannot rename \(next) into place: \(String(cString: strerror(errno)))")
            }
        }
        SessionStore.syncDirectory(dir)
    }

    /// Renames the folder once every queued write is done, with nothing else writing (`move`
    /// gets the old folder and returns the new one), then records the new name in session.json.
    @discardableResult
    func relocate(name: String, _ move: (URL) throws -> URL) throws -> URL {
        mutex.lock(); defer { mutex.unlock() }
        try checkWritable()
        let old = dir
        let newDir = try writer.sync { () throws -> URL in
            closeHistory(sync: false)
            return try move(old)
        }
        dir = newDir
        var r = rec
        r.name = name
        try writer.sync {
            try Self.writeRecord(r, in: newDir)
            wrote(r)
        }
        rec = r
        return newDir
    }

    /// The record and the checkpoint files that belong to it. A read-only reader takes a
    /// consistent snapshot of session.json and the files, as another process may be writing
    /// checkpoints meanwhile (`readSnapshot`), and moves its record to it.
    func loadCheckpoint() throws -> (record: SessionRecord, weights: Data, weightsPath: String, optimizer: Data, optimizerPath: String) {
        mutex.lock(); defer { mutex.unlock() }
        let files: (weights: CheckpointFileData, optimizer: CheckpointFileData)
        if readOnly {
            (rec, files) = try Self.readSnapshot(dir: dir, name: rec.name)
        } else {
            files = try Self.readCheckpoint(dir: dir, record: rec)
        }
        return (rec, files.weights.data, files.weights.path, files.optimizer.data, files.optimizer.path)
    }

    /// Waits for the queued writes and allows no more.
    func close() {
        mutex.lock(); defer { mutex.unlock() }
        writer.sync { closeHistory(sync: true) }
        closed = true
    }
}
