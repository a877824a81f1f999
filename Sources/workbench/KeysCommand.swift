import ArgumentParser
import TerminalUI

/// Prints the key map the workbench uses (the same table drives dispatch, the status-bar hints
/// and the help overlay), with a user override file applied when given.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Print the workbench's key bindings.")
    @Option(help: "A key bindings override file (TOML, [keys] action = \"key\").") var file: String?

    func run() throws {
        let map = try file.map { try KeyMap.load(overridesAt: $0) } ?? .standard
        for line in map.helpLines() { print(line) }
    }
}
