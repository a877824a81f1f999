import ArgumentParser
import Engine
import Foundation
import Sessions
import TextData

struct Workbench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "Build text classifiers interactively: shape a model, watch it train, type text to classify it.",
        discussion: "With no subcommand, opens the terminal workbench on the last session, or on a new session over the bundled Chinese reviews.",
        version: VersionInfo.text,
        subcommands: [UICommand.self, DemoCommand.self, DataCommand.self, TrainCommand.self, EvalCommand.self, PredictCommand.self, ExportCommand.self,
                      TokenizeCommand.self, SessionsCommand.self, CompareCommand.self, ServeCommand.self, BenchCommand.self, EngineBenchCommand.self,
                      UIBenchCommand.self, ConsoleBenchCommand.self, KeysCommand.self, TuneCommand.self],
        defaultSubcommand: UICommand.self)

    /// ArgumentParser's `main`, with every error made fit to print (`printable`). An error
    /// while parsing the command line comes with the usage text (exit 64); one while the
    /// command runs is about the data, files or model, so it prints its reason alone (exit 1).
    static func main() async {
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: printable(error))
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ValidationError {
            exit(withError: PrintableError(message: Quoted.terminalSafe(error.message)))
        } catch {
            exit(withError: printable(error))
        }
    }

    /// The error as the user should read it: a Foundation file error as "PATH: permission
    /// denied" (not `NSCocoaErrorDomain Code=513`), and control characters from the input
    /// escaped in every message, so data quoted in an error cannot drive the terminal.
    /// ArgumentParser's own errors (help, usage, exit codes) pass unchanged.
    static func printable(_ error: Error) -> Error {
        if let e = error as? ValidationError { return ValidationError(Quoted.terminalSafe(e.message)) }
        if String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") { return error }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain {
            let (path, reason) = InputFile.describe(error)
            return PrintableError(message: Quoted.terminalSafe(path.map { "\($0): \(reason)" } ?? reason))
        }
        return PrintableError(message: Quoted.terminalSafe("\(error)"))
    }
}

/// An error already worded for the terminal.
struct PrintableError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// What `workbench --version` prints: the version, the build, and the BLAS kernel in use with
/// how it was chosen and the self-check's result.
enum VersionInfo {
    static let number = "0.3.0"

    static var text: String {
        let blas = BLASKernelReport.current
        return """
            workbench \(number) (\(MachineInfo.build) build, \(MachineInfo.swiftCompiler))
            \(blas.summary)
            \(blas.openblasConfiguration); CPU \(MachineInfo.cpuModel())
            """
    }
}
