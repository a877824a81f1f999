import Engine
import Foundation

/// The sessions folder on disk: one folder per session, named after it.
///
/// ```
/// Sessions/<name>/session.json          the record (SessionRecord), schema-versioned
/// Sessions/<name>/weights.safetensors   the weights at the last checkpoint (standard safetensors)
/// Sessions/<name>/optimizer.safetensors the optimiser's slots and step count at that checkpoint
/// Sessions/<name>/history.jsonl         one JSON object per step and per epoch end (HistoryRecord)
/// Sessions/<name>/.lock                 the PID of the process that has it open for writing (which
///                                       holds a flock on the folder itself: see SessionLock)
/// ```
///
/// Every file is written atomically (temporary file, fsync, rename). A checkpoint writes
/// `weights.next.safetensors` and `optimizer.next.safetensors` (each tagged with the new
/// checkpoint number), then session.json with that number, then renames the two into place:
/// opening a session after a kill at any moment finishes or discards the half-done checkpoint,
/// so the weights, the optimiser state and the cursor always belong together. session.json
/// records each checkpoint file's size and checksum: a `.next` file is promoted only when it
/// is the one its checkpoint wrote, and a damaged file is refused by name.
///
/// Nothing in a session folder is reached through a symbolic link (`SessionFileAccess`).
///
/// The default folder is `Sessions/` in the working directory, overridden by the
/// `WORKBENCH_SESSIONS_DIR` environment variable, itself overridden by `--sessions-dir`.
public struct SessionStore: Sendable {
    public static let sessionFile = "session.json"
    public static let weightsFile = "weights.safetensors"
    public static let optimizerFile = "optimizer.safetensors"
    public static let historyFile = "history.jsonl"
    public static let environmentVariable = "WORKBENCH_SESSIONS_DIR"

    public let root: URL

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// `override` (e.g. `--sessions-dir`), else `$WORKBENCH_SESSIONS_DIR`, else `./Sessions`.
    public static func resolveRoot(override: String? = nil,
                                   environment: [String: String] = ProcessInfo.processInfo.environment,
                                   currentDirectory: String = FileManager.default.currentDirectoryPath) -> URL {
        let cwd = URL(fileURLWithPath: currentDirectory, isDirectory: true)
        if let o = override, !o.isEmpty { return URL(fileURLWithPath: o, relativeTo: cwd).standardizedFileURL }
        if let e = environment[environmentVariable], !e.isEmpty { return URL(fileURLWithPath: e, relativeTo: cwd).standardizedFileURL }
        return cwd.appendingPathComponent("Sessions").standardizedFileURL
    }

    /// The folder of session `name` (the name is validated first).
    public func directory(for name: String) throws -> URL {
        try SessionName.validate(name)
        return root.appendingPathComponent(name, isDirectory: true)
    }

    public func exists(_ name: String) -> Bool {
        guard let dir = try? directory(for: name) else { return false }
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir) && isDir.boolValue
    }

    /// The names of the session folders, sorted (hidden and temporary folders skipped).
    public func names() throws -> [String] {
        try folders().filter(SessionName.isValid)
    }

    /// Every folder that is not hidden, sorted; includes folders whose names are not valid
    /// session names (they list with a problem).
    func folders() throws -> [String] {
        guard FileManager.default.fileExists(atPath: root.path) else { return [] }
        let items: [String]
        do { items = try FileManager.default.contentsOfDirectory(atPath: root.path) } catch {
            throw SessionError.file(path: root.path, reason: "cannot list the sessions folder: \(error.localizedDescription)")
        }
        return items.filter { name in
            var isDir: ObjCBool = false
            return !name.hasPrefix(".")
                && FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path, isDirectory: &isDir) && isDir.boolValue
        }.sorted()
    }

    /// Removes what interrupted deletions left (`.deleting-*`) and creations abandoned for an
    /// hour (`.creating-*`).
    func sweep() {
        guard let items = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return }
        for item in items where item.hasPrefix(".deleting-") || item.hasPrefix(".creating-") {
            let url = root.appendingPathComponent(item)
            if item.hasPrefix(".creating-") {
                let modified = (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? Date()
                if Date().timeIntervalSince(modified) < 3600 { continue }
            }
            try? FileManager.default.removeItem(at: url)
        }
    }

    /// The session's record, validated. Errors name session.json and the field.
    public func record(_ name: String) throws -> SessionRecord {
        let dir = try directory(for: name)
        guard exists(name) else { throw SessionError.notFound(name) }
        return try Self.readRecord(dir: dir, name: name)
    }

    /// The session's history; a torn last line is dropped, and damaged lines skipped, with a notice.
    public func history(_ name: String) throws -> (records: [HistoryRecord], notices: [String]) {
        let dir = try directory(for: name)
        guard exists(name) else { throw SessionError.notFound(name) }
        return try Self.readHistory(dir: dir)
    }

    /// The PID in the session's lock file when a live process holds it.
    public func lockHolder(_ name: String) -> (held: Bool, pid: Int32?) {
        guard let dir = try? directory(for: name) else { return (false, nil) }
        return SessionLock.holder(dir: dir)
    }

    // MARK: - Reading

    static func readRecord(dir: URL, name: String) throws -> SessionRecord {
        let url = dir.appendingPathComponent(sessionFile)
        guard let data = try SessionFileAccess.read(url) else {
            throw SessionError.file(path: url.path, reason: "missing (is \(dir.path) a session folder?)")
        }
        return try decodeRecord(data, url: url, name: name)
    }

    /// A record from the bytes of `url` (a session.json), validated; errors name the file and field.
    static func decodeRecord(_ data: Data, url: URL, name: String) throws -> SessionRecord {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw SessionError.file(path: url.path, reason: "not valid JSON (\(data.isEmpty ? "the file is empty" : "truncated or corrupt"))")
        }
        guard let dict = object as? [String: Any] else { throw SessionError.file(path: url.path, reason: "expected a JSON object") }
        guard let version = dict["schema_version"] as? Int else {
            throw SessionError.file(path: url.path, reason: "missing field 'schema_version' (an integer)")
        }
        guard version <= SessionRecord.currentSchemaVersion else {
            throw SessionError.file(path: url.path, reason: "schema version \(version) is newer than this workbench reads (\(SessionRecord.currentSchemaVersion)); update workbench to open it")
        }
        guard version >= 1 else { throw SessionError.file(path: url.path, reason: "field 'schema_version': \(version) is not a valid version") }
        var record: SessionRecord
        do {
            if version < 3 {
                record = try SessionJSON.decoder.decode(LegacySessionRecord.self, from: data).migrated()
            } else {
                record = try SessionJSON.decoder.decode(SessionRecord.self, from: data)
            }
        } catch let e as SessionError {
            throw SessionError.file(path: url.path, reason: "\(e)")
        } catch {
            throw SessionError.file(path: url.path, reason: ModelDirectory.describe(error))
        }
        do { try record.validate() } catch let SessionError.invalidSetting(field, reason) {
            throw SessionError.file(path: url.path, reason: "field '\(field)': \(reason)")
        }
        record.name = name
        return record
    }

    static func readHistory(dir: URL) throws -> (records: [HistoryRecord], notices: [String]) {
        let parsed = try readHistoryFile(dir: dir)
        return (parsed.records, parsed.notices)
    }

    static func readHistoryFile(dir: URL) throws -> HistoryLog.Parsed {
        let url = dir.appendingPathComponent(historyFile)
        guard let data = try SessionFileAccess.read(url) else { return HistoryLog.Parsed(records: [], notices: [], damagedLines: []) }
        return HistoryLog.parse(data, path: url.path)
    }

    /// Rewrites the history with `records` (what was kept of `parsed`); when `parsed` had
    /// damaged lines, the file as it was is kept beside it as `history.jsonl.damaged` first,
    /// so what the damaged lines held is not lost; returns a note saying so.
    static func rewriteHistory(_ records: [HistoryRecord], replacing parsed: HistoryLog.Parsed, dir: URL) throws -> String? {
        let url = dir.appendingPathComponent(historyFile)
        var notice: String?
        if !parsed.damagedLines.isEmpty, let original = try SessionFileAccess.read(url) {
            let aside = dir.appendingPathComponent(historyFile + ".damaged")
            try atomicWrite(original, to: aside)
            notice = "the file as it was is kept as \(aside.lastPathComponent)"
        }
        try atomicWrite(try HistoryLog.encode(records), to: url)
        return notice
    }

    // MARK: - Creating, removing, renaming, copying

    /// Writes a new session folder through a temporary folder renamed into place.
    func create(record: SessionRecord, weights: Data, optimizer: Data) throws {
        let dir = try directory(for: record.name)
        if exists(record.name) { throw SessionError.alreadyExists(record.name) }
        try makeRoot()
        let tmp = root.appendingPathComponent(".creating-\(UUID().uuidString)", isDirectory: true)
        var record = record
        record.checkpointFiles = CheckpointDigests(weights: weights, optimizer: optimizer)
        do {
            try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: false)
            try Self.atomicWrite(weights, to: tmp.appendingPathComponent(Self.weightsFile))
            try Self.atomicWrite(optimizer, to: tmp.appendingPathComponent(Self.optimizerFile))
            try Self.atomicWrite(Data(), to: tmp.appendingPathComponent(Self.historyFile))
            try Self.atomicWrite(try SessionJSON.encoder.encode(record), to: tmp.appendingPathComponent(Self.sessionFile))
            try Self.moveIntoPlace(tmp, dir, name: record.name)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }

    /// Copies a session folder (without its lock and temporary files) to a new name with a
    /// new id. The caller makes sure nobody writes the source meanwhile.
    func copy(from source: URL, record: SessionRecord, to newName: String) throws {
        let dir = try directory(for: newName)
        if exists(newName) { throw SessionError.alreadyExists(newName) }
        let tmp = root.appendingPathComponent(".creating-\(UUID().uuidString)", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: false)
            for item in try FileManager.default.contentsOfDirectory(atPath: source.path) where !item.hasPrefix(".") && item != Self.sessionFile {
                try FileManager.default.copyItem(at: source.appendingPathComponent(item), to: tmp.appendingPathComponent(item))
            }
            var copy = record
            let now = Date()
            copy.id = UUID().uuidString
            copy.name = newName
            copy.created = now
            copy.modified = now
            if copy.status.isActive || copy.status == .paused { copy.status = copy.currentRun.isComplete ? .finished : .idle }
            try Self.atomicWrite(try SessionJSON.encoder.encode(copy), to: tmp.appendingPathComponent(Self.sessionFile))
            try Self.moveIntoPlace(tmp, dir, name: newName)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }

    /// Renames the folder (the caller holds the lock or knows nobody does).
    func renameFolder(_ name: String, to newName: String) throws -> URL {
        let from = try directory(for: name), to = try directory(for: newName)
        if exists(newName) { throw SessionError.alreadyExists(newName) }
        try Self.moveIntoPlace(from, to, name: newName)
        return to
    }

    /// Removes the folder: first renamed away (so a kill never leaves half a session), then deleted.
    func removeFolder(_ name: String) throws {
        let dir = try directory(for: name)
        let trash = root.appendingPathComponent(".deleting-\(UUID().uuidString)", isDirectory: true)
        guard rename(dir.path, trash.path) == 0 else {
            throw SessionError.file(path: dir.path, reason: "cannot remove: \(String(cString: strerror(errno)))")
        }
        do { try FileManager.default.removeItem(at: trash) } catch {
            throw SessionError.file(path: trash.path, reason: "renamed away but not deleted: \(error.localizedDescription)")
        }
    }

    private func makeRoot() throws {
        do { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) } catch {
            throw SessionError.file(path: root.path, reason: "cannot create the sessions folder: \(error.localizedDescription)")
        }
    }

    private static func moveIntoPlace(_ from: URL, _ to: URL, name: String) throws {
        guard rename(from.path, to.path) == 0 else {
            if errno == EEXIST || errno == ENOTEMPTY { throw SessionError.alreadyExists(name) }
            throw SessionError.file(path: to.path, reason: "cannot move \(from.lastPathComponent) into place: \(String(cString: strerror(errno)))")
        }
        syncDirectory(to.deletingLastPathComponent())
    }

    /// `AtomicFile.write` with errors as `SessionError.file`.
    static func atomicWrite(_ data: Data, to url: URL) throws {
        do { try AtomicFile.write(data, to: url) } catch let EngineError.file(path, reason) {
            throw SessionError.file(path: path, reason: reason)
        }
    }

    static func syncDirectory(_ dir: URL) {
        let fd = open(dir.path, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}
