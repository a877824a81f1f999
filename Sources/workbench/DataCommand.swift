import ArgumentParser
import Foundation
import TextData

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Look at data sets.", subcommands: [Inspect.self, List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The bundled data sets: their names (which every --data option and `data inspect` accept) and where they are.")

        func run() throws {
            let home = try BundledData.home()
            print("bundled data sets in \(home.appendingPathComponent("Data").path):")
            for name in BundledData.names() {
                let dir = home.appendingPathComponent("Data").appendingPathComponent(name)
                let lines = { (file: String) -> Int in
                    guard let bytes = FileManager.default.contents(atPath: dir.appendingPathComponent(file).path) else { return 0 }
                    return bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                }
                print("  \(name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(lines("train.tsv")) train, \(lines("test.tsv")) test")
            }
            print("Use a name for the training split (e.g. `workbench data inspect \(BundledData.defaultSet)`), NAME/test for the test split.")
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Counts per label, text lengths (percentiles and histogram), vocabulary size and OOV rate.")
        @Argument(help: "The data file or folder, or a bundled set by name (zh-reviews, zh-reviews/test; see `workbench data list`).")
        var file: String
        @Option(help: "Measure the OOV rate of a tokenizer fitted on this file (e.g. the training split); default: the file itself.")
        var fitOn: String?
        @OptionGroup var text: TextOptions
        @OptionGroup var dataOptions: DataOptions

        func run() throws {
            let examples = try dataOptions.read(file)
            var tokenizer = try text.makeTokenizer()
            tokenizer.fit(on: try (fitOn.map { try dataOptions.read($0) } ?? examples).map(\.text))
            let stats = DatasetStatistics.compute(examples: examples, tokenizer: tokenizer)
            let shown = BundledData.resolve(file) == file ? file : "\(file) (\(BundledData.resolve(file)))"
            print("\(shown) — tokenizer \(text.tokenizer), vocabulary limit \(text.vocabSize)")
            print(stats.render(width: 80))
            let warnings = DatasetReader.warnings(for: examples, path: BundledData.resolve(file), format: try dataOptions.resolved().0,
                                                  options: try dataOptions.resolved().1)
            if !warnings.isEmpty {
                print("\nWarnings")
                for w in warnings { print("  \(w)") }
            }
        }
    }
}
