import ArgumentParser
import Engine
import Foundation
import Learners
import Sessions
import TextData

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Train several models on the same split and rank them: accuracy, macro-F1, training time, one-text latency, size.",
        discussion: """
            Models: \(LearnerKind.allCases.map(\.rawValue).joined(separator: ", ")) (TF-IDF learners and fastText) and the \
            neural presets \(ModelPreset.allCases.map(\.rawValue).joined(separator: ", ")). A model may carry settings after \
            colons, e.g. fasttext:epochs=25:ngrams=2, logreg:c=10, svm:c=0.5, nb:alpha=0.1, tree:depth=20:leaf=2, \
            forest:trees=50:depth=30, lstm:epochs=3. fasttext:threads=2 trains on two threads without locks, as fastText \
            does: faster, but not reproducible (the default, one thread, gives the same model for the same seed).
            Without --validation or --split, a run with --test trains on all of --data; otherwise --split 0.1 holds out a \
            stratified tenth for validation.
            """)

    @Option(help: "Training data (label<TAB>text, CSV, TSV, JSONL or a folder per class).") var data: String
    @Option(help: "Validation data.") var validation: String?
    @Option(help: "Fraction of --data held out for validation (default 0.1 unless --test is given alone).") var split: Double?
    @Option(help: "Test data: the ranking uses it when given.") var test: String?
    @Option(help: "Comma-separated models (default: every learner with its defaults, plus fastText with the settings recommended for small sets).")
    var models: String = (LearnerKind.allCases.map(\.rawValue) + ["fasttext:epochs=25:ngrams=2"]).joined(separator: ",")
    @Option(help: "Learner tokens: auto (scikit-learn's character analyzer for Chinese/Japanese/Korean, its word analyzer otherwise; fastText: characters without spaces, or lowercased words with . ! ? , ' / ( ) split off as in its tutorial), words, chars, nonspace-chars, whitespace, punctuated, tokenizer (the --tokenizer choice).")
    var analyzer = "auto"
    @Option(help: "N-gram length of the TF-IDF terms (1: tokens only); fastText takes its own, e.g. fasttext:ngrams=2.") var ngrams = 2
    @Flag(help: "TF-IDF: 1 + ln(tf) instead of the raw count.") var sublinearTf = false
    @Option(help: "TF-IDF: keep terms in at least this many training texts.") var minDf = 1
    @Option(help: "TF-IDF: keep only the most frequent terms.") var maxFeatures: Int?
    @Option(help: "Epochs for the neural presets.") var epochs = 3
    @Option(help: "Batch size for the neural presets.") var batchSize = 32
    @Option(help: "Random seed (split, initialisation, shuffling).") var seed: UInt64 = 42
    @Option(help: "One-text predictions timed per model (median reported).") var latencyCalls = 1000
    @Flag(help: "Print the ranked rows as one JSON object (progress goes to stderr).") var json = false
    @OptionGroup var text: TextOptions
    @OptionGroup var dataOptions: DataOptions

    /// Progress and tables: stdout, or stderr when --json keeps stdout for the result.
    func say(_ line: String) {
        if json { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { Swift.print(line) }
    }

    struct Row {
        var name: String
        var accuracy: Double
        var macroF1: Double
        var validationAccuracy: Double?
        var trainSeconds: Double
        var latencyMicroseconds: Double
        var bytes: Int
    }

    func run() throws {
        BLAS.setThreads(1)
        let all = try dataOptions.read(data)
        var train = all, valid: [LabelledText] = []
        if let validation {
            if split != nil { throw ValidationError("give --validation or --split, not both") }
            valid = try dataOptions.read(validation)
        } else if split != nil || test == nil {
            (train, valid) = try StratifiedSplit.split(all, validationFraction: split ?? 0.1, seed: seed, source: data)
        }
        let testSet = try test.map { try dataOptions.read($0) } ?? []
        let evalSet = test != nil ? testSet : valid
        let evalName = test != nil ? "test" : "validation"
        guard !evalSet.isEmpty else { throw ValidationError("nothing to evaluate on: the \(evalName) set is empty") }
        let specs = models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !specs.isEmpty else { throw ValidationError("--models lists no model") }
        guard ngrams >= 1 else { throw ValidationError("--ngrams must be at least 1, got \(ngrams)") }
        // Check every model spec before training anything.
        for spec in specs {
            if let preset = ModelPreset(rawValue: String(spec.split(separator: ":")[0])) {
                _ = try neuralEpochs(spec, preset: preset)
            } else {
                _ = try learnerSettings(spec)
            }
        }

        say("data: \(train.count) training, \(valid.count) validation, \(testSet.count) test examples; learner tokens: \(analyzer), TF-IDF n-grams 1...\(ngrams)")
        var rows: [Row] = []
        for spec in specs {
            let row: Row
            if let preset = ModelPreset(rawValue: String(spec.split(separator: ":")[0])) {
                row = try runNeural(spec, preset: preset, train: train, valid: valid, evalSet: evalSet)
            } else {
                row = try runLearner(spec, train: train, valid: valid, evalSet: evalSet)
            }
            rows.append(row)
            say(String(format: "  %@: %@ accuracy %.4f, macro-F1 %.4f, trained in %.2fs", row.name, evalName,
                         row.accuracy, row.macroF1, row.trainSeconds))
        }
        rows.sort { $0.accuracy != $1.accuracy ? $0.accuracy > $1.accuracy : $0.macroF1 > $1.macroF1 }
        if json {
            let objects: [[String: Any]] = rows.map { r in
                var o: [String: Any] = ["name": r.name, "accuracy": r.accuracy, "macro_f1": r.macroF1, "train_seconds": r.trainSeconds,
                                        "predict_latency_us_median": r.latencyMicroseconds, "model_bytes": r.bytes]
                if let v = r.validationAccuracy { o["validation_accuracy"] = v }
                return o
            }
            let obj: [String: Any] = ["evaluated_on": evalName, "examples": evalSet.count, "models": objects]
            print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        say("")
        say(table(rows, evalName: evalName, showValidation: test != nil && !valid.isEmpty))
    }

    // MARK: Learners

    func runLearner(_ spec: String, train: [LabelledText], valid: [LabelledText], evalSet: [LabelledText]) throws -> Row {
        let (kind, settings) = try learnerSettings(spec)
        let start = Self.now()
        let trained = try kind.fit(train, settings: settings, seed: seed)
        let seconds = Self.now() - start
        for w in trained.warnings { FileHandle.standardError.write(Data("warning: \(spec): \(w)\n".utf8)) }
        let learner = trained.learner
        say("  \(spec): tokens: \(learner.tokenizer.name)")
        let report = try learner.report(evalSet)
        let validAccuracy = valid.isEmpty || valid == evalSet ? nil : try learner.report(valid).accuracy
        let latency = Self.medianLatency(calls: latencyCalls, texts: evalSet.map(\.text)) { _ = learner.predictProbabilities($0) }
        let bytes = try LearnerIO.encode(learner).count
        return Row(name: spec, accuracy: report.accuracy, macroF1: report.macroF1, validationAccuracy: validAccuracy,
                   trainSeconds: seconds, latencyMicroseconds: latency, bytes: bytes)
    }

    /// The learner and its settings from `kind[:key=value...]`.
    func learnerSettings(_ spec: String) throws -> (LearnerKind, LearnerSettings) {
        var base = LearnerSettings(tokenizer: try featureTokenizer())
        base.tfidf = TfidfVectorizer.Options(ngrams: ngrams, sublinearTF: sublinearTf, minDF: minDf, maxFeatures: maxFeatures)
        guard let parsed = try LearnerSpec.parse(spec, base: base) else {
            let known = LearnerKind.allCases.map(\.rawValue) + ModelPreset.allCases.map(\.rawValue)
            throw ValidationError("unknown model '\(spec.split(separator: ":").first ?? "")' (expected one of: \(known.joined(separator: ", ")))")
        }
        return parsed
    }

    func featureTokenizer() throws -> FeatureTokenizer {
        switch analyzer {
        case "auto": return .automatic
        case "words": return .words
        case "chars": return .characters
        case "nonspace-chars": return .nonSpaceCharacters
        case "whitespace": return .whitespace
        case "punctuated": return .punctuatedWords
        case "tokenizer": return .tokenizer(try text.makeTokenizer())
        default: throw ValidationError("unknown analyzer '\(analyzer)' (expected auto, words, chars, nonspace-chars, whitespace, punctuated or tokenizer)")
        }
    }

    // MARK: Neural presets

    /// The epochs of `preset[:epochs=N]`.
    func neuralEpochs(_ spec: String, preset: ModelPreset) throws -> Int {
        var epochs = self.epochs
        for part in spec.split(separator: ":").dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0] == "epochs", let e = Int(kv[1]), e >= 1 else {
                throw ValidationError("model '\(spec)': a neural preset takes only epochs=N (N ≥ 1)")
            }
            epochs = e
        }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        return epochs
    }

    func runNeural(_ spec: String, preset: ModelPreset, train: [LabelledText], valid: [LabelledText],
                   evalSet: [LabelledText]) throws -> Row {
        let epochs = try neuralEpochs(spec, preset: preset)
        let start = Self.now()
        let built = try text.pipeline(model: .preset(preset), seed: seed).build(train: train, source: data)
        let classifier = built.classifier
        let trainer = try Trainer(model: classifier.model, optimizer: Optimizer(OptimizerSpec(kind: .adam, learningRate: 0.001)),
                                  train: built.train, validation: nil,
                                  config: FitConfig(epochs: epochs, batchSize: batchSize, seed: seed))
        _ = try trainer.fit()
        let seconds = Self.now() - start
        let report = try classifier.report(evalSet)
        let validAccuracy = valid.isEmpty || valid == evalSet ? nil : try classifier.report(valid).accuracy
        let latency = Self.medianLatency(calls: latencyCalls, texts: evalSet.map(\.text)) { _ = try? classifier.probabilities([$0]) }
        let bytes = classifier.model.parameterCount * 4
        return Row(name: spec, accuracy: report.accuracy, macroF1: report.macroF1, validationAccuracy: validAccuracy,
                   trainSeconds: seconds, latencyMicroseconds: latency, bytes: bytes)
    }

    // MARK: Output

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Median wall time of one call in µs, over `calls` calls cycling through `texts`.
    static func medianLatency(calls: Int, texts: [String], _ body: (String) -> Void) -> Double {
        guard calls > 0, !texts.isEmpty else { return 0 }
        var times: [Double] = []
        times.reserveCapacity(calls)
        for i in 0..<calls {
            let t = texts[i % texts.count]
            let start = DispatchTime.now().uptimeNanoseconds
            body(t)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
        }
        times.sort()
        return times[times.count / 2]
    }

    func table(_ rows: [Row], evalName: String, showValidation: Bool) -> String {
        var header = ["rank", "model", "\(evalName) acc", "macro-F1"]
        if showValidation { header.append("val acc") }
        header += ["train", "latency", "size"]
        var cells = [header]
        for (i, r) in rows.enumerated() {
            var line = ["\(i + 1)", r.name, String(format: "%.4f", r.accuracy), String(format: "%.4f", r.macroF1)]
            if showValidation { line.append(r.validationAccuracy.map { String(format: "%.4f", $0) } ?? "—") }
            line += [Self.seconds(r.trainSeconds), Self.micro(r.latencyMicroseconds), Self.bytes(r.bytes)]
            cells.append(line)
        }
        let widths = header.indices.map { c in cells.map { $0[c].count }.max() ?? 0 }
        return cells.map { line in
            line.enumerated().map { c, s in
                let pad = String(repeating: " ", count: widths[c] - s.count)
                return c == 1 ? s + pad : pad + s
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func seconds(_ s: Double) -> String { s < 10 ? String(format: "%.2f s", s) : String(format: "%.1f s", s) }

    static func micro(_ us: Double) -> String {
        us < 1000 ? String(format: "%.0f µs", us) : String(format: "%.2f ms", us / 1000)
    }

    static func bytes(_ b: Int) -> String {
        if b < 1024 { return "\(b) B" }
        if b < 1024 * 1024 { return String(format: "%.1f KB", Double(b) / 1024) }
        return String(format: "%.1f MB", Double(b) / 1024 / 1024)
    }
}
