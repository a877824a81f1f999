import Foundation

/// Naming and deleting runs (the workbench's `:rename-run` and `:delete-run`).
extension SessionHandle {
    /// The longest run name accepted.
    public static let maxRunNameLength = 40

    /// Gives run `id` a name ("baseline"); an empty name takes it away. Written at once.
    public func renameRun(_ id: Int, to newName: String) throws {
        try checkOpen(writable: true)
        let trimmed = newName.trimmingCharacters(in: .whitespaces)
        guard trimmed.count <= Self.maxRunNameLength else {
            throw SessionError.invalidSetting(field: "run name", reason: "at most \(Self.maxRunNameLength) characters, not \(trimmed.count)")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw SessionError.invalidSetting(field: "run name", reason: "no control characters (tabs, newlines)")
        }
        let index = try runIndex(id)
        _ = try files.update { $0.runs[index].name = trimmed.isEmpty ? nil : trimmed }
    }

    /// Deletes run `id` from the session: its record and its kept files in `runs/` (weights,
    /// best checkpoints, a learner). Its lines stay in the append-only history, which readers
    /// skip for runs the record no longer lists. Refused while training, and for the run
    /// that is current, held by the engine or newest (new run numbers count on from it).
    public func deleteRun(_ id: Int) throws {
        try checkOpen(writable: true)
        if status.isActive || status == .paused {
            throw SessionError.busy(session: name, status: status, operation: "delete a run")
        }
        let record = files.record
        let index = try runIndex(id)
        if id == record.currentRun.id || id == record.engineRunID || index == record.runs.count - 1 {
            throw SessionError.invalidSetting(field: "run", reason: "run \(id) is the session's current (or newest) run: train another run first")
        }
        if consoleRunID == id { consoleRunID = nil }
        runModels[id] = nil
        if bestCheckpointModel?.run == id { bestCheckpointModel = nil }
        _ = try files.update { $0.runs.remove(at: index) }
        // The record no longer names them: a file left behind would only take space.
        let dir = files.directory
        for url in [RunFiles.weightsURL(in: dir, run: id), RunFiles.bestWeightsURL(in: dir, run: id),
                    RunFiles.earlyStoppingBestURL(in: dir, run: id), RunFiles.learnerURL(in: dir, run: id)] {
            do {
                if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
            } catch {
                throw SessionError.file(path: url.path, reason: "run \(id) was deleted but its file could not be removed: \(error.localizedDescription)")
            }
        }
    }

    private func runIndex(_ id: Int) throws -> Int {
        let runs = files.record.runs
        guard let i = runs.firstIndex(where: { $0.id == id }) else {
            throw SessionError.invalidSetting(field: "run", reason: "session '\(name)' has no run \(id) (runs: \(runs.map { "\($0.id)" }.joined(separator: ", ")))")
        }
        return i
    }
}
