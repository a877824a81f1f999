import ArgumentParser
import Engine
import Sessions

@main
struct Workbench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "Build text classifiers interactively: shape a model, watch it train, type text to classify it.",
        discussion: "With no subcommand, opens the terminal workbench on the last session, or on a new session over the bundled Chinese reviews.",
        subcommands: [UICommand.self, DemoCommand.self, DataCommand.self, TrainCommand.self, EvalCommand.self, PredictCommand.self,
                      SessionsCommand.self, CompareCommand.self, BenchCommand.self, EngineBenchCommand.self, UIBenchCommand.self, KeysCommand.self],
        defaultSubcommand: UICommand.self)
}
