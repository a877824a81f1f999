import ArgumentParser
import Foundation
import TextData

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Look at data sets.", subcommands: [Inspect.self])

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Counts per label, text lengths (percentiles and histogram), vocabulary size and OOV rate.")
        @Argument(help: "The data file or folder.") var file: String
        @Option(help: "Measure the OOV rate of a tokenizer fitted on this file (e.g. the training split); default: the file itself.")
        var fitOn: String?
        @OptionGroup var text: TextOptions
        @OptionGroup var dataOptions: DataOptions

        func run() throws {
            let examples = try dataOptions.read(file)
            var tokenizer = try text.makeTokenizer()
            tokenizer.fit(on: try (fitOn.map { try dataOptions.read($0) } ?? examples).map(\.text))
            let stats = DatasetStatistics.compute(examples: examples, tokenizer: tokenizer)
            print("\(file) — tokenizer \(text.tokenizer), vocabulary limit \(text.vocabSize)")
            print(stats.render(width: 80))
        }
    }
}
