import Export
import Foundation
import Sessions
import WorkbenchUI

extension SessionWorkbenchService {
    /// `:export`: the console's run as `sessions export` writes it (into a temporary folder),
    /// then in `format` into `folder` (nil: `<session>-run<N>-<format>` in the current
    /// directory), through the same dispatch as `workbench export`.
    public func export(format: String, to folder: String?) async -> CommandResult {
        guard let exportFormat = ExportFolder.Format(rawValue: format) else {
            return .refused("export: unknown format '\(format)' (expected \(ExportFolder.Format.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let record = await session.record
        let run = await session.consoleRun ?? record.currentRun.id
        let path = folder ?? "\(current)-run\(run)-\(format)"
        let target = URL(fileURLWithPath: path)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("workbench-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        do {
            // Refused before the model is copied out.
            try ExportFolder.checkTarget(target)
            try await session.export(to: scratch, run: run)
            _ = try await Task.detached { try ExportFolder.export(modelFolder: scratch, format: exportFormat, to: target) }.value
            return .done("exported run \(run) as \(format) to \(path)")
        } catch {
            return .refused("export: \(error)")
        }
    }
}
