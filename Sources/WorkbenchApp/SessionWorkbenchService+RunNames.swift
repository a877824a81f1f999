import Foundation
import Sessions
import WorkbenchUI

/// `:rename-run` and `:delete-run`, through the session's handle.
extension SessionWorkbenchService {
    public func renameRun(_ id: String, to name: String) async -> CommandResult {
        guard let n = Self.runNumber(id) else { return .refused("'\(id)' is not a run number") }
        do {
            try await session.renameRun(n, to: name)
        } catch {
            return .refused("\(error)")
        }
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        return .done(trimmed.isEmpty ? "run \(n) goes by its number again" : "run \(n) is now \"\(trimmed)\"")
    }

    public func deleteRun(_ id: String) async -> CommandResult {
        guard let n = Self.runNumber(id) else { return .refused("'\(id)' is not a run number") }
        do {
            try await session.deleteRun(n)
        } catch SessionError.busy {
            return .refused("stop training first (x): runs are deleted while idle")
        } catch {
            return .refused("\(error)")
        }
        return .done("run \(n) deleted, with its files")
    }

    /// "2" or "run 2".
    static func runNumber(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        return Int(t.hasPrefix("run") ? String(t.dropFirst(3)).trimmingCharacters(in: .whitespaces) : t)
    }
}
