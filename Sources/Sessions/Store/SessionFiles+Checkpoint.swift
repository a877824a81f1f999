import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One of the two files of a checkpoint, under its final name or its `.next` name (written,
/// and named by session.json, but not yet renamed into place).
enum CheckpointFile: CaseIterable, Sendable {
    case weights, optimizer

    var final: String { self == .weights ? SessionStore.weightsFile : SessionStore.optimizerFile }
    var next: String { self == .weights ? SessionFiles.weightsNext : SessionFiles.optimizerNext }

    func digest(in record: SessionRecord) -> FileDigest? {
        self == .weights ? record.checkpointFiles?.weights : record.checkpointFiles?.optimizer
    }
}

/// A checkpoint file's bytes and where they were read.
struct CheckpointFileData: Sendable {
    var data: Data
    var path: String
}

/// Checking, recovering and reading a session's checkpoint files.
extension SessionFiles {
    /// Times a read-only reader takes a new snapshot when session.json was replaced while it
    /// opened the files (with a growing pause between tries: a few seconds in all).
    static let snapshotAttempts = 60

    /// The `checkpoint` number in a safetensors file's metadata.
    static func checkpointNumber(_ data: Data, path: String) throws -> Int {
        guard data.count >= 8 else { throw SessionError.file(path: path, reason: "too short for a safetensors file (\(data.count) bytes): truncated?") }
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard n <= UInt64(data.count - 8) else {
            throw SessionError.file(path: path, reason: "header length \(n) runs past the end of the file (\(data.count) bytes): truncated?")
        }
        let header = data.subdata(in: data.startIndex + 8 ..< data.startIndex + 8 + Int(n))
        guard let obj = (try? JSONSerialization.jsonObject(with: header)) as? [String: Any] else {
            throw SessionError.file(path: path, reason: "the safetensors header is not a JSON object")
        }
        guard let meta = obj["__metadata__"] as? [String: String], let text = meta["checkpoint"], let c = Int(text) else {
            throw SessionError.file(path: path, reason: "no checkpoint number in the metadata: not written by a workbench session")
        }
        return c
    }

    // MARK: - Verifying

    /// Why `data` (read from `path`) is not file `kind` of the record's checkpoint, or nil when
    /// it is: the checkpoint number in its metadata, then its size and checksum as session.json
    /// records them (a session from before they were recorded: its tensors and their shapes).
    static func problem(with data: Data, _ kind: CheckpointFile, record: SessionRecord, path: String) -> String? {
        let n: Int
        do { n = try checkpointNumber(data, path: path) } catch { return reason(error) }
        guard n == record.checkpoint else {
            return "belongs to checkpoint \(n), but \(SessionStore.sessionFile) is at checkpoint \(record.checkpoint)"
        }
        guard let expected = kind.digest(in: record) else { return tensorProblem(data, kind, record: record, path: path) }
        let found = FileDigest(data)
        if found == expected { return nil }
        // Say what is wrong when the tensors show it (a shape, a missing weight, a cut-off end).
        if let specific = tensorProblem(data, kind, record: record, path: path) { return specific }
        if found.bytes != expected.bytes {
            return "is \(found.bytes) bytes, but checkpoint \(n) wrote \(expected.bytes): truncated or damaged"
        }
        return "its checksum (\(found.xxh64)) is not the one \(SessionStore.sessionFile) records for checkpoint \(n) (\(expected.xxh64)): damaged or changed by hand"
    }

    /// Why the tensors of `data` do not fit the record's model (or optimiser), or nil.
    static func tensorProblem(_ data: Data, _ kind: CheckpointFile, record: SessionRecord, path: String) -> String? {
        do {
            let model = try Sequential(spec: record.engineRun.model, seed: 0)
            switch kind {
            case .weights: try model.loadWeights(from: data, path: path)
            case .optimizer: try Optimizer(record.engineRun.optimizer).restoreState(from: data, path: path, model: model)
            }
            return nil
        } catch {
            return reason(error)
        }
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case let SessionError.file(_, reason), let EngineError.file(_, reason): return reason
        default: return "\(error)"
        }
    }

    // MARK: - Recovering

    /// After a kill during a checkpoint: a `.next` file that is the checkpoint session.json
    /// names (its number, size and checksum) is renamed into place (the checkpoint was
    /// committed); one of another checkpoint is deleted (it was not). A `.next` file that
    /// claims the committed checkpoint but is not what it wrote (truncated, garbled, other
    /// shapes) is never promoted: with a good final file it is set aside as `*.damaged`, with a
    /// notice; without one the session cannot be opened, and the error says why. Also removes
    /// temporary files of interrupted atomic writes. Returns notices.
    static func recover(dir: URL, record: SessionRecord) throws -> [String] {
        var notices: [String] = []
        for kind in CheckpointFile.allCases {
            let nextURL = dir.appendingPathComponent(kind.next), finalURL = dir.appendingPathComponent(kind.final)
            guard let data = try SessionFileAccess.read(nextURL) else { continue }
            if let number = try? checkpointNumber(data, path: nextURL.path), number != record.checkpoint {
                try? FileManager.default.removeItem(at: nextURL)
                notices.append("\(record.name): discarded \(kind.next) of an uncommitted checkpoint (\(number)); the session is at checkpoint \(record.checkpoint)")
                continue
            }
            guard let damage = problem(with: data, kind, record: record, path: nextURL.path) else {
                guard rename(nextURL.path, finalURL.path) == 0 else {
                    throw SessionError.file(path: nextURL.path, reason: "cannot rename into place: \(String(cString: strerror(errno)))")
                }
                notices.append("\(record.name): completed checkpoint \(record.checkpoint), interrupted before \(kind.final) was renamed into place")
                continue
            }
            let final = try SessionFileAccess.read(finalURL)
            let finalProblem = final.flatMap { problem(with: $0, kind, record: record, path: finalURL.path) } ?? (final == nil ? "is missing" : nil)
            guard let finalProblem else {
                let aside = dir.appendingPathComponent(kind.next + ".damaged")
                guard rename(nextURL.path, aside.path) == 0 else {
                    throw SessionError.file(path: nextURL.path, reason: "damaged (\(damage)), and cannot be set aside: \(String(cString: strerror(errno)))")
                }
                notices.append("\(record.name): set aside a damaged \(kind.next) (\(damage)) as \(aside.lastPathComponent); \(kind.final) holds checkpoint \(record.checkpoint) and is kept")
                continue
            }
            throw SessionError.file(path: nextURL.path, reason: "should hold checkpoint \(record.checkpoint), the one \(SessionStore.sessionFile) names, but is damaged (\(damage)); \(kind.final) \(finalProblem). Nothing was changed: restore the session folder from a copy")
        }
        if let items = try? FileManager.default.contentsOfDirectory(atPath: dir.path) {
            for item in items where item.hasPrefix(".") && item.contains(".tmp-") {
                try? FileManager.default.removeItem(at: dir.appendingPathComponent(item))
            }
        }
        SessionStore.syncDirectory(dir)
        return notices
    }

    // MARK: - Reading

    /// The file of kind `kind` that is the record's checkpoint: the `.next` one (committed,
    /// not yet renamed) or the final one; otherwise an error naming the file and what is wrong.
    static func choose(_ kind: CheckpointFile, next: Data?, final: Data?, dir: URL, record: SessionRecord) throws -> CheckpointFileData {
        let nextPath = dir.appendingPathComponent(kind.next).path, finalPath = dir.appendingPathComponent(kind.final).path
        let nextProblem = next.flatMap { problem(with: $0, kind, record: record, path: nextPath) }
        if let next, nextProblem == nil { return CheckpointFileData(data: next, path: nextPath) }
        guard let final else {
            throw SessionError.file(path: finalPath, reason: "missing")
        }
        guard let finalProblem = problem(with: final, kind, record: record, path: finalPath) else {
            return CheckpointFileData(data: final, path: finalPath)
        }
        if let next, let nextProblem, (try? checkpointNumber(next, path: nextPath)) == record.checkpoint {
            throw SessionError.file(path: nextPath, reason: "should hold checkpoint \(record.checkpoint), the one \(SessionStore.sessionFile) names, but is damaged (\(nextProblem)); \(kind.final) \(finalProblem)")
        }
        // Read consistently (see `readSnapshot`), a file of another checkpoint was put there.
        let hint = finalProblem.hasPrefix("belongs to checkpoint") ? ": the folder was changed by hand or copied in part" : ""
        throw SessionError.file(path: finalPath, reason: finalProblem + hint)
    }

    /// The checkpoint files of `record`, read by the process that writes the session (nothing
    /// else writes it meanwhile).
    static func readCheckpoint(dir: URL, record: SessionRecord) throws -> (weights: CheckpointFileData, optimizer: CheckpointFileData) {
        func load(_ kind: CheckpointFile) throws -> CheckpointFileData {
            try choose(kind, next: try SessionFileAccess.read(dir.appendingPathComponent(kind.next)),
                       final: try SessionFileAccess.read(dir.appendingPathComponent(kind.final)), dir: dir, record: record)
        }
        return (try load(.weights), try load(.optimizer))
    }

    /// session.json and the checkpoint files it names, as one consistent snapshot, while
    /// another process may be writing checkpoints.
    ///
    /// Holding session.json open, opens each file's `.next` name and then its final name, then
    /// checks that session.json was not replaced meanwhile. If it was not, the writer's order
    /// (`.next` files, session.json, renames) means one of the two opened for each file is the
    /// checkpoint session.json names, and open descriptors keep those bytes whatever is renamed
    /// later. If it was, the reader tries again. A file that is not its checkpoint's is then
    /// never a race, and is reported as the damage it is.
    static func readSnapshot(dir: URL, name: String) throws -> (SessionRecord, (weights: CheckpointFileData, optimizer: CheckpointFileData)) {
        let recordURL = dir.appendingPathComponent(SessionStore.sessionFile)
        for attempt in 0..<snapshotAttempts {
            if attempt > 0 { usleep(UInt32(min(100_000, 500 << min(attempt, 8)))) }
            guard let recordFD = try SessionFileAccess.openFile(recordURL, flags: O_RDONLY) else {
                throw SessionError.file(path: recordURL.path, reason: "missing (is \(dir.path) a session folder?)")
            }
            defer { closeDescriptor(recordFD) }
            var opened: [(kind: CheckpointFile, next: Int32?, final: Int32?)] = []
            defer { for o in opened { o.next.map(closeDescriptor); o.final.map(closeDescriptor) } }
            for kind in CheckpointFile.allCases {
                let next = try SessionFileAccess.openFile(dir.appendingPathComponent(kind.next), flags: O_RDONLY)
                opened.append((kind, next, nil))
                opened[opened.count - 1].final = try SessionFileAccess.openFile(dir.appendingPathComponent(kind.final), flags: O_RDONLY)
            }
            var held = stat(), now = stat()
            guard fstat(recordFD, &held) == 0, lstat(recordURL.path, &now) == 0, held.st_ino == now.st_ino, held.st_dev == now.st_dev else {
                continue
            }
            let record = try SessionStore.decodeRecord(try SessionFileAccess.readAll(recordFD, path: recordURL.path), url: recordURL, name: name)
            var files: [CheckpointFileData] = []
            for o in opened {
                let next = try o.next.map { try SessionFileAccess.readAll($0, path: dir.appendingPathComponent(o.kind.next).path) }
                let final = try o.final.map { try SessionFileAccess.readAll($0, path: dir.appendingPathComponent(o.kind.final).path) }
                files.append(try choose(o.kind, next: next, final: final, dir: dir, record: record))
            }
            return (record, (files[0], files[1]))
        }
        throw SessionError.file(path: recordURL.path, reason: "kept being replaced while it was read (another process writes checkpoints faster than they can be read): try again")
    }
}

/// `close(2)` (inside `SessionFiles`, `close` is its own method).
private func closeDescriptor(_ fd: Int32) { close(fd) }
