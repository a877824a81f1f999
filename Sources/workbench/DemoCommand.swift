import ArgumentParser
import Engine

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Train the demo model on the bundled data set.")
    func run() throws {
        print("demo: not wired yet")
    }
}
