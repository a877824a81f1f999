import ArgumentParser
import Engine
import Foundation
import Serving
import Sessions
import TextData

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Evaluate a saved model on labelled data: accuracy, macro-F1, per-class scores, confusion matrix.")
    @Option(help: "A folder written by `train --save` or `sessions export`.") var modelDir: String?
    @OptionGroup var sessionOptions: SessionModelOptions
    @Option(help: "Labelled data (label<TAB>text, CSV, TSV, JSONL or a folder per class).") var data: String
    @Flag(help: "Print the report as JSON.") var json = false
    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        if let session = try sessionOptions.chosen(modelDir: modelDir) {
            try await evaluateSession(session)
            return
        }
        let classifier = try SavedModel.load(URL(fileURLWithPath: modelDir ?? ""))
        if let multi = classifier.multiLabel {
            try evaluateMultiLabel(multi)
            return
        }
        let examples = try dataOptions.read(data)
        let known = Set(classifier.classNames)
        if examples.contains(where: { !known.contains($0.label) }) {
            try dataOptions.checkLabels(data, known: classifier.classNames)
        }
        let report = try classifier.report(examples)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
        } else {
            print("\(data): \(examples.count) examples")
            print(report.render(classNames: classifier.classNames))
        }
    }
}

extension EvalCommand {
    /// A multi-label model: micro / macro F1, subset accuracy, Hamming loss and per-label F1
    /// at the model's threshold, on data read as multi-label (labels checked against the model's).
    func evaluateMultiLabel(_ classifier: TextClassifier) throws {
        let examples = try dataOptions.readExamples(data, multiLabel: true, known: classifier.classNames).asMulti
        let metrics = try classifier.multiLabelMetrics(examples)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            struct Report: Encodable { var examples: Int; var labels: [String]; var metrics: MultiLabelMetrics }
            print(String(decoding: try enc.encode(Report(examples: examples.count, labels: classifier.classNames, metrics: metrics)), as: UTF8.self))
        } else {
            print("\(data): \(examples.count) examples, multi-label")
            print(metrics.render(labelNames: classifier.classNames))
        }
    }
}

struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Classify texts with a saved model (arguments, or one text per line on stdin).")
    @Option(help: "A folder written by `train --save` or `sessions export`.") var modelDir: String?
    @OptionGroup var sessionOptions: SessionModelOptions
    @Flag(help: "One JSON object per text.") var json = false
    @Flag(help: "Also score each token's effect on the decision (occlusion, as the console and `serve` do).") var explain = false
    @Argument(help: "Texts to classify; none reads stdin.") var texts: [String] = []

    func run() async throws {
        if let session = try sessionOptions.chosen(modelDir: modelDir) {
            try await predictSession(session)
            return
        }
        let classifier = try SavedModel.load(URL(fileURLWithPath: modelDir ?? ""))
        var inputs = texts
        if inputs.isEmpty {
            while let line = readLine() { inputs.append(line) }
        }
        let probs = try classifier.probabilities(inputs)
        if let multi = classifier.multiLabel {
            try printMultiLabel(multi, inputs, probs)
            return
        }
        if explain {
            let folder = try FolderModel(directory: URL(fileURLWithPath: modelDir ?? ""))
            for (text, p) in zip(inputs, probs) {
                let label = ServeJSON.label(classes: classifier.classNames, probabilities: p)
                try printExplained(text: text, label: label, classes: classifier.classNames, probabilities: p, attribution: try folder.explain(text))
            }
            return
        }
        for (text, p) in zip(inputs, probs) {
            let best = p.indices.max { p[$0] < p[$1] } ?? 0
            if json {
                // The same JSON, digit for digit, as `serve`'s POST /v1/classify.
                print(try ServeJSON.line(ServeJSON.prediction(text: text, label: classifier.classNames[best],
                                                              classes: classifier.classNames, probabilities: p)))
            } else {
                let ps = zip(classifier.classNames, p).map { String(format: "%@ %.3f", $0 as NSString, $1) }.joined(separator: "  ")
                print("\(classifier.classNames[best])\t\(ps)\t\(text)")
            }
        }
    }
}

extension PredictCommand {
    /// A multi-label model's predictions: every label above its threshold, and every label's
    /// probability (JSON: `{"text", "labels", "probabilities", "threshold"}`).
    func printMultiLabel(_ classifier: TextClassifier, _ inputs: [String], _ probs: [[Float]]) throws {
        if explain { throw ValidationError("--explain scores tokens for one label; the model is multi-label") }
        let above = classifier.labelsAboveThreshold(probs)
        let threshold = classifier.config.labelSpace.threshold ?? LabelSpace.defaultThreshold
        for ((text, p), labels) in zip(zip(inputs, probs), above) {
            if json {
                var object = ServeJSON.prediction(text: text, label: "", classes: classifier.classNames, probabilities: p)
                object["label"] = nil
                object["labels"] = labels
                object["threshold"] = Double(String(threshold)) ?? Double(threshold)
                print(try ServeJSON.line(object))
            } else {
                let ps = zip(classifier.classNames, p).map { String(format: "%@ %.3f", $0 as NSString, $1) }.joined(separator: "  ")
                print("\(labels.joined(separator: ","))\t\(ps)\t\(text)")
            }
        }
    }

    /// One text with its tokens' attributions: a JSON object with `tokens` (as `serve` answers
    /// with explain), or the usual line followed by each token and its score.
    func printExplained(text: String, label: String, classes: [String], probabilities: [Float], attribution: TokenAttribution) throws {
        if json {
            var object = ServeJSON.prediction(text: text, label: label, classes: classes, probabilities: probabilities)
            object["tokens"] = ServeJSON.tokens(attribution)
            print(try ServeJSON.line(object))
        } else {
            let ps = zip(classes, probabilities).map { String(format: "%@ %.3f", $0 as NSString, $1) }.joined(separator: "  ")
            print("\(label)\t\(ps)\t\(text)")
            let tokens = attribution.tokens.map { t in t.known ? String(format: "%@ %+.3f", t.text as NSString, t.score) : "\(t.text) (unknown)" }
            print("  " + tokens.joined(separator: "  "))
        }
    }
}
