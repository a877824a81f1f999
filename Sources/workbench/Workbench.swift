import ArgumentParser
import Engine
import Sessions

@main
struct Workbench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "Build text classifiers interactively: shape a model, watch it train, type text to classify it.",
        discussion: "With no subcommand, trains the demo model on the bundled data set (the terminal UI is not built yet).",
        subcommands: [UICommand.self, DemoCommand.self, DataCommand.self, TrainCommand.self, EvalCommand.self, PredictCommand.self, SessionsCommand.self, CompareCommand.self, EngineBenchCommand.self],
        defaultSubcommand: DemoCommand.self)
}
