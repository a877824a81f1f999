import Foundation
import Sessions
import WorkbenchApp

/// A throwaway session on the bundled data set, in a session folder of its own under the
/// temporary directory: `ui --demo` and `ui-bench` run the real workbench service over it, so
/// no simulated service ships in the binary. `remove()` deletes the folder (call it on every
/// way out).
struct ScratchSession {
    let root: URL
    let service: SessionWorkbenchService

    /// Creates the folder and a session named "demo" on the bundled set with `preset`.
    static func launch(preset: ModelPreset, epochs: Int) async throws -> ScratchSession {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("workbench-demo-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        do {
            let bundled = try BundledData.folder()
            var setup = SessionSetup(data: bundled.appendingPathComponent("train.tsv").path,
                                     validation: .file(bundled.appendingPathComponent("test.tsv").path), model: .preset(preset))
            setup.fit.epochs = epochs
            let manager = SessionManager(store: SessionStore(root: root))
            let service = try await SessionWorkbenchService.launch(manager: manager, newName: "demo", setup: setup,
                                                                   preferNew: true,
                                                                   themesDirectory: BundledData.themesFolder()?.path)
            return ScratchSession(root: root, service: service)
        } catch {
            try? FileManager.default.removeItem(at: root)
            throw error
        }
    }

    /// Deletes the session folder (after the service has shut down).
    func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}
