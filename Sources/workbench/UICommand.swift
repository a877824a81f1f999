import ArgumentParser
import Foundation
import Sessions
import TerminalUI
import TextData
import WorkbenchApp
import WorkbenchUI

/// The ncurses workbench, on the last session or a new one on the bundled data set. Needs a
/// terminal; without one it says so and points to the headless commands.
struct UICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui", abstract: "Open the terminal workbench (the default command).")

    @Option(help: "Sessions folder (default: $WORKBENCH_SESSIONS_DIR, else ./Sessions).") var sessionsDir: String?
    @Option(help: "Key bindings file overriding the defaults (TOML, [keys] action = \"key\").") var keys: String?
    @Flag(help: "Drive the UI with a simulated training service (no data, no model).") var fake = false

    func run() async throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            FileHandle.standardError.write(Data("""
                workbench: the terminal workbench needs a terminal (stdin and stdout are not a TTY).
                For scripts and CI use the headless commands: workbench train | eval | predict | data inspect | sessions | compare | bench | demo
                (see workbench --help).

                """.utf8))
            throw ExitCode(2)
        }
        var config = WorkbenchApp.Configuration()
        if let keys { config.keyMap = try KeyMap.load(overridesAt: keys) }
        let service: any WorkbenchService
        if fake {
            service = FakeWorkbenchService()
        } else {
            let data = try BundledData.folder()
            let store = SessionStore(root: SessionStore.resolveRoot(override: sessionsDir))
            let manager = SessionManager(store: store)
            let setup = SessionSetup(data: data.appendingPathComponent("train.tsv").path,
                                     validation: .file(data.appendingPathComponent("test.tsv").path), model: .preset(.lstm))
            service = try await SessionWorkbenchService.launch(manager: manager, newName: "zh-reviews", setup: setup,
                                                               themesDirectory: BundledData.themesFolder()?.path)
        }
        try await WorkbenchApp.run(backend: NcursesBackend(), service: service, configuration: config)
    }
}
