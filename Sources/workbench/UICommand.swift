import ArgumentParser
import Foundation
import TerminalUI
import WorkbenchUI

/// The ncurses workbench. Needs a terminal; without one it says so and points to the
/// headless commands.
struct UICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui", abstract: "Open the terminal workbench.")

    @Flag(help: "Drive the UI with a simulated training service (no data, no model).") var fake = false

    func run() async throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw ValidationError("the workbench needs a terminal (stdin and stdout are not a TTY); for scripts use the headless commands: workbench train | eval | predict | data inspect | compare | bench")
        }
        let service: any WorkbenchService = FakeWorkbenchService()
        try await WorkbenchApp.run(backend: NcursesBackend(), service: service)
    }
}
