import ArgumentParser
import Engine
import Sessions

struct Workbench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "Build text classifiers interactively: shape a model, watch it train, type text to classify it.",
        discussion: "With no subcommand, opens the terminal workbench on the last session, or on a new session over the bundled Chinese reviews.",
        version: VersionInfo.text,
        subcommands: [UICommand.self, DemoCommand.self, DataCommand.self, TrainCommand.self, EvalCommand.self, PredictCommand.self,
                      SessionsCommand.self, CompareCommand.self, BenchCommand.self, EngineBenchCommand.self, UIBenchCommand.self, KeysCommand.self],
        defaultSubcommand: UICommand.self)
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
