import ArgumentParser
import Engine
import Foundation
import Sessions
import TextData

/// A headless demo: trains the LSTM preset on the
/// bundled Chinese reviews, reports test metrics and classifies a few sentences.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Train the LSTM preset on the bundled Chinese reviews and classify a few sentences.")
    @Option(help: "Epochs.") var epochs = 3
    @Option(help: "Preset to train.") var model = "lstm"

    func run() throws {
        let dir = try BundledData.folder()
        let train = try LabelledTextReader.read(dir.appendingPathComponent("train.tsv").path)
        let test = try LabelledTextReader.read(dir.appendingPathComponent("test.tsv").path)
        print("Workbench demo: \(model) preset on zh-reviews (\(train.count) training, \(test.count) test reviews), \(epochs) epochs.")
        print("(Headless: `workbench` alone opens the terminal workbench; `workbench --help` lists every command.)\n")
        let text = try TextOptions.parse([])
        let built = try text.pipeline(model: try TrainCommand.neuralModel(model), seed: 42)
            .build(train: train, validation: test, source: dir.appendingPathComponent("train.tsv").path)
        let classifier = built.classifier
        print(classifier.model.summary())
        let trainer = try Trainer(model: classifier.model, optimizer: Optimizer(.adam()), train: built.train,
                                  validation: built.validation, config: FitConfig(epochs: epochs, batchSize: 32, seed: 42))
        var progress = ProgressPrinter(epochs: epochs)
        try trainer.fit { progress.handle($0); return true }
        print("\ntest set:")
        print(try classifier.report(test).render(classNames: classifier.classNames))
        let samples = ["这本书写得非常好，值得一读。", "房间又小又脏，服务态度很差。", "物流很快，包装完好，五星好评！", "质量一般，用了两天就坏了。"]
        print("\nclassifying a few sentences:")
        for (s, p) in zip(samples, try classifier.probabilities(samples)) {
            let best = p.indices.max { p[$0] < p[$1] } ?? 0
            print(String(format: "  %@ %.2f  %@", classifier.classNames[best] as NSString, p[best], s as NSString))
        }
    }
}
