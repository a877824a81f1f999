import ArgumentParser
import Engine
import Sessions

@main
struct Workbench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "Build text classifiers interactively: shape a model, watch it train, type text to classify it.",
        discussion: "With no subcommand, trains the demo model on the bundled data set (the terminal UI is not built yet).",
        subcommands: [DemoCommand.self, DataCommand.self, TrainCommand.self, EvalCommand.self, PredictCommand.self, EngineBenchCommand.self, BenchCommand.self],
        defaultSubcommand: DemoCommand.self)
}
