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
    @Option(help: "Data for a new session (default: the bundled Data/zh-reviews/train.tsv).") var data: String?
    @Option(help: "Validation data for a new session (default: with --data, a 10% split; else the bundled test.tsv).") var validation: String?
    @Option(help: "Name for a new session (default: the data file's folder or name).") var session: String?
    @Option(help: "Preset for a new session.") var model: String = "lstm"
    @Option(help: "Epochs per training run of a new session.") var epochs: Int = 3
    /// How to read --data and --validation: the options `train` takes, from the same group.
    @OptionGroup var dataOptions: DataOptions
    @Flag(name: [.customLong("demo"), .customLong("fake")],
          help: "A throwaway session on the bundled data set, in a temporary folder removed on quit (nothing is kept).")
    var demo = false

    /// Reading options describe --data: without it they would be dropped in silence.
    func validate() throws {
        let d = dataOptions
        let given = [("--format", d.format != nil), ("--text-column", d.textColumn != nil), ("--label-column", d.labelColumn != nil),
                     ("--header/--no-header", d.header != nil), ("--text-key", d.textKey != nil), ("--label-key", d.labelKey != nil)]
            .filter(\.1).map(\.0)
        if data == nil, let first = given.first { throw ValidationError("\(first) says how to read --data: give --data FILE too") }
        _ = try d.resolved()
        // A --session that names a session built on another file: refused before the screen.
        if let data, !demo {
            _ = try UISessionChoice.choose(data: data, requested: session, defaultName: Self.defaultName(data: data),
                                           store: SessionStore(root: SessionStore.resolveRoot(override: sessionsDir)))
        }
    }

    /// A new session's name: the data file's folder for `train.*`, else the file's name.
    static func defaultName(data: String) -> String {
        let url = URL(fileURLWithPath: data)
        return url.deletingPathExtension().lastPathComponent == "train"
            ? url.deletingLastPathComponent().lastPathComponent : url.deletingPathExtension().lastPathComponent
    }

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
        // For end-to-end tests: each time the UI goes idle it writes its idle count here, so a
        // test can press a key and wait for the count to move instead of sleeping.
        if let idleFile = ProcessInfo.processInfo.environment["WORKBENCH_IDLE_FILE"], !idleFile.isEmpty {
            config.onIdle = { count in try? Data("\(count)\n".utf8).write(to: URL(fileURLWithPath: idleFile), options: .atomic) }
        }
        let service: SessionWorkbenchService
        guard let preset = ModelPreset(rawValue: model) else {
            throw ValidationError("unknown preset '\(model)' (\(ModelPreset.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var scratch: ScratchSession?
        defer { scratch?.remove() }
        if demo {
            let demoSession = try await ScratchSession.launch(preset: preset, epochs: epochs)
            scratch = demoSession
            service = demoSession.service
        } else {
            let store = SessionStore(root: SessionStore.resolveRoot(override: sessionsDir))
            let manager = SessionManager(store: store)
            var setup: SessionSetup
            let name: String
            if let data {
                let (format, readOptions) = try dataOptions.resolved()
                setup = SessionSetup(data: data, format: format, readOptions: readOptions,
                                     validation: validation.map { .file($0) } ?? .split(0.1), model: .preset(preset))
                let choice = try UISessionChoice.choose(data: data, requested: session, defaultName: Self.defaultName(data: data), store: store)
                if let notice = choice.notice { printError("notice: \(notice)") }
                name = choice.name
                // Said before the screen opens, as `train` says them.
                if !store.exists(name), let examples = try? dataOptions.read(data) { dataOptions.printWarnings(for: examples, path: data) }
            } else {
                let bundled = try BundledData.folder()
                setup = SessionSetup(data: bundled.appendingPathComponent("train.tsv").path,
                                     validation: .file(validation ?? bundled.appendingPathComponent("test.tsv").path), model: .preset(preset))
                name = session ?? "zh-reviews"
            }
            setup.fit.epochs = epochs
            let launched = try await SessionWorkbenchService.launch(manager: manager, newName: name, setup: setup,
                                                                    preferNew: data != nil || session != nil,
                                                                    themesDirectory: BundledData.themesFolder()?.path)
            service = launched
        }
        // SIGTERM, SIGHUP or SIGINT: the workbench quits as on `q` (training stops at a batch
        // boundary with its progress saved) and exits with 128 + the signal, like `train`.
        let signal = try await WorkbenchApp.run(backend: NcursesBackend(deferEndSignals: true), service: service, configuration: config)
        // A save that failed on the way out: said once the screen is gone, and not exit 0.
        let failures = await service.shutdownFailures
        if !failures.isEmpty {
            for f in failures { printError("error: \(f)") }
            throw ExitCode.failure
        }
        if let signal { throw ExitCode(128 + signal) }
    }
}
