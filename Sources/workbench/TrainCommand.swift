import ArgumentParser
import Basics
import Engine
import Foundation
import Learners
import Sessions
import TextData

/// Options shared by the commands that build a classifier from text.
struct TextOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Tokenizer: script (default: Han/Kana/Hangul characters, words elsewhere, case folded), script-bigrams (adds CJK character bigrams), keras (Keras's word-level Tokenizer), keras-char (Keras char_level=True)."))
    var tokenizer: String = "script"
    @Option(help: "Vocabulary size (Keras's num_words: ids 1..<N are kept).") var vocabSize = 5000
    @Option(help: "Padded sequence length (pre-padding and pre-truncation, as Keras).") var maxLength = 100

    /// The sizes against `Limits`, naming the flag.
    static func check(vocabSize: Int, maxLength: Int) throws {
        if let why = Limits.problem(vocabSize, in: 2...Limits.maxVocabularySize) { throw ValidationError("--vocab-size \(why)") }
        if let why = Limits.problem(maxLength, in: 1...Limits.maxInputLength) { throw ValidationError("--max-length \(why)") }
    }

    func makeTokenizer() throws -> TextTokenizer {
        try TextOptions.check(vocabSize: vocabSize, maxLength: maxLength)
        switch tokenizer {
        case "script": return .script(ScriptTokenizer(numWords: vocabSize))
        case "script-bigrams": return .script(ScriptTokenizer(numWords: vocabSize, bigrams: true))
        case "keras": return .keras(try KerasTokenizer(numWords: vocabSize))
        case "keras-char": return .keras(try KerasTokenizer(numWords: vocabSize, charLevel: true))
        default: throw ValidationError("unknown tokenizer '\(tokenizer)' (expected script, script-bigrams, keras or keras-char)")
        }
    }
}

/// How to read a data file: format from the extension unless given; columns and keys.
struct DataOptions: ParsableArguments {
    @Option(help: "Data format: label-tab-text, tsv, csv, jsonl, directory (default: from the extension).") var format: String?
    @Option(help: "Text column (name or 0-based index) for CSV/TSV.") var textColumn: String?
    @Option(help: "Label column (name or 0-based index) for CSV/TSV.") var labelColumn: String?
    @Flag(inversion: .prefixedNo, help: "Whether the CSV/TSV file starts with a header row.") var header: Bool?
    @Option(help: "Text key for JSONL.") var textKey: String?
    @Option(help: "Label key for JSONL.") var labelKey: String?

    func read(_ path: String) throws -> [LabelledText] {
        let (format, options) = try resolved()
        return try DatasetReader.read(path: BundledData.resolve(path), format: format, options: options)
    }

    /// Throws for the first example of `path` whose label is not one of `known`, naming its
    /// file and line.
    func checkLabels(_ path: String, known: [String]) throws {
        let (format, options) = try resolved()
        try DatasetReader.checkLabels(path: BundledData.resolve(path), format: format, options: options, known: known)
    }

    private func resolved() throws -> (DatasetFormat?, ReadOptions) {
        var fmt: DatasetFormat? = nil
        if let format {
            guard let f = DatasetFormat(rawValue: format) else {
                throw ValidationError("unknown format '\(format)' (\(DatasetFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            fmt = f
        }
        let options = ReadOptions(textColumn: textColumn.map(ReadOptions.Column.init(parsing:)),
                                  labelColumn: labelColumn.map(ReadOptions.Column.init(parsing:)),
                                  hasHeader: header, textKey: textKey, labelKey: labelKey)
        return (fmt, options)
    }
}

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a classifier on a labelled text file and report validation metrics.",
        discussion: "With --session NAME the training lives in a session folder (Sessions/NAME): it is checkpointed as it goes, survives a kill, and `train --session NAME` again carries on (the remaining epochs, or --epochs more).")

    @Option(help: "Training data (label<TAB>text, CSV, TSV, JSONL or a folder per class); required unless continuing a session.") var data: String?
    @Option(help: "Validation data; without it --split holds out part of --data.") var validation: String?
    @Option(help: "Fraction of --data held out for validation when --validation is not given.") var split: Double = 0.1
    @Option(help: "Model (default lstm): a preset (\(ModelPreset.allCases.map(\.rawValue).joined(separator: ", "))), a learner (\(LearnerKind.allCases.map(\.rawValue).joined(separator: ", ")), settings after colons as in compare), or a JSON spec file.")
    var model: String?
    /// The model to build: `--model`, else the lstm preset. (Whether `--model` was given at
    /// all matters when a session's current run is a learner: see `runSession`.)
    var modelChoice: String { model ?? ModelPreset.lstm.rawValue }
    @Option(help: "Epochs (default 3); when continuing a session: epochs to train beyond those done.") var epochs: Int?
    @Option(help: "Batch size.") var batchSize = 32
    @Option(help: "Learning rate.") var learningRate: Float = 0.001
    @Option(help: "Optimizer: adam, adamw, sgd, rmsprop.") var optimizer = "adam"
    @Option(help: "Clip gradients to this global norm.") var clipNorm: Float?
    @Option(help: ArgumentHelp("Learning-rate schedule (Keras's), starting from --learning-rate: exponential:decay_steps=N:decay_rate=F[:staircase], piecewise:boundaries=N,N:values=F,F,F, cosine:decay_steps=N[:alpha=F][:warmup_steps=N:warmup_target=F].", valueName: "schedule"))
    var lrSchedule: String?
    @Option(help: "Momentum for sgd and rmsprop (0 ≤ F < 1; default 0).") var momentum: Float?
    @Flag(help: "Nesterov momentum (sgd with --momentum).") var nesterov = false
    @Flag(help: "Adam as Keras on TensorFlow runs it: Embedding second moments from per-occurrence squared gradients (default: textbook Adam).")
    var kerasAdam = false
    @Option(help: "Random seed (weights, shuffling, split).") var seed: UInt64 = 42
    @Option(help: "Class weights, as Keras's class_weight (neural models): balanced (n / (classes × count of the class), on the training split) or LABEL=WEIGHT,… (e.g. pos=2,neg=1; other labels get 1).")
    var classWeight: String?
    @Option(help: "Save the trained model into this folder.") var save: String?
    @OptionGroup var text: TextOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var sessionOptions: SessionTrainOptions

    /// The optimiser the options describe; a mistake in them is a usage error naming the option.
    func optimizerSpec() throws -> OptimizerSpec {
        guard let kind = OptimizerSpec.Kind(rawValue: optimizer) else {
            throw ValidationError("unknown optimizer '\(optimizer)' (adam, adamw, sgd, rmsprop)")
        }
        var opt = OptimizerSpec(kind: kind, learningRate: learningRate)
        opt.globalClipNorm = clipNorm
        if let momentum {
            guard kind == .sgd || kind == .rmsprop else { throw ValidationError("--momentum applies to sgd and rmsprop, not \(kind.rawValue)") }
            guard momentum.isFinite, momentum >= 0, momentum < 1 else { throw ValidationError("--momentum must be in [0, 1), got \(momentum)") }
            opt.momentum = momentum
        }
        if nesterov {
            guard kind == .sgd, opt.momentum > 0 else { throw ValidationError("--nesterov needs --optimizer sgd with --momentum > 0") }
            opt.nesterov = true
        }
        do {
            if let lrSchedule { opt.schedule = try LearningRateSchedule(parsing: lrSchedule, initial: learningRate) }
            try opt.validate()
        } catch EngineError.invalidSpec(let field, let reason) {
            throw ValidationError("\(field): \(reason)")
        }
        return opt
    }


    /// `--class-weight` parsed (nil without it); refused with a learner, which has no loss to weight.
    func classWeightChoice() throws -> ClassWeight? {
        guard let classWeight else { return nil }
        if (try? LearnerSpec.parse(modelChoice, base: LearnerSettings())) != nil {
            throw ValidationError("--class-weight applies to neural models, not to the learner '\(modelChoice)'")
        }
        do { return try ClassWeight.parse(classWeight) } catch let e as SessionError { throw ValidationError("--class-weight: \(e)") }
    }

    /// Optimiser and `--class-weight` mistakes are command-line mistakes: refused while parsing
    /// (usage, exit 64), before any data is read.
    func validate() throws {
        _ = try optimizerSpec()
        _ = try classWeightChoice()
    }

    func run() async throws {
        let classWeights = try classWeightChoice()
        if let session = sessionOptions.session {
            try await runSession(session)
            return
        }
        guard let data else { throw ValidationError("--data is required (or --session NAME to continue a session)") }
        let epochs = self.epochs ?? 3
        if let save {
            // Refused now rather than after training.
            let isLearner = try LearnerSpec.parse(modelChoice, base: LearnerSettings()) != nil
            try ModelDirectory.checkTarget(URL(fileURLWithPath: save), for: isLearner ? .learner : .neural)
        }
        let trainSet = try dataOptions.read(data)
        let train: [LabelledText], valid: [LabelledText]
        if let validation {
            train = trainSet
            valid = try dataOptions.read(validation)
            let known = Set(train.map(\.label))
            if valid.contains(where: { !known.contains($0.label) }) {
                try dataOptions.checkLabels(validation, known: try LabelEncoder(labels: train.map(\.label)).classes)
            }
        } else {
            (train, valid) = try StratifiedSplit.split(trainSet, validationFraction: split, seed: seed, source: data)
        }
        if let (kind, settings) = try LearnerSpec.parse(modelChoice, base: LearnerSettings()) {
            try trainLearner(kind, settings, train: train, valid: valid)
            return
        }
        let classifier = try TrainCommand.build(train: train, text: text, model: modelChoice, seed: seed, source: data)
        print("data: \(train.count) training, \(valid.count) validation examples; classes: \(classifier.classNames.joined(separator: ", "))")
        print("tokens: \(text.tokenizer), vocabulary \(classifier.config.tokenizer.vocabularySize) (ids below \(classifier.config.model.vocabularySize) kept), length \(text.maxLength)")
        print(classifier.model.summary())
        var opt = try optimizerSpec()
        opt.kerasSparseEmbeddingMoments = kerasAdam
        let weights = try classWeights?.weights(classes: classifier.classNames, trainLabels: train.map(\.label))
        print("optimizer: \(opt.summary), batch \(batchSize), \(epochs) epochs, seed \(seed)"
              + (weights.map { "; class weights \(ClassWeight.summary($0, classes: classifier.classNames))" } ?? ""))
        let trainer = try Trainer(model: classifier.model, optimizer: Optimizer(opt),
                                  train: try classifier.dataset(train),
                                  validation: valid.isEmpty ? nil : try classifier.dataset(valid),
                                  config: FitConfig(epochs: epochs, batchSize: batchSize, seed: seed, classWeights: weights))
        var progress = ProgressPrinter(epochs: epochs)
        try trainer.fit { progress.handle($0); return true }
        if !valid.isEmpty {
            let report = try classifier.report(valid)
            print("\nvalidation (\(valid.count) examples):")
            print(report.render(classNames: classifier.classNames))
        }
        if let save {
            try ModelDirectory.save(classifier, to: URL(fileURLWithPath: save))
            print("saved to \(save)")
        }
    }

    /// A classical learner or fastText (`--model svm`, `fasttext:epochs=25:ngrams=2`…): TF-IDF
    /// terms or hashed n-grams, trained in one go, saved as `learner.safetensors`.
    func trainLearner(_ kind: LearnerKind, _ settings: LearnerSettings, train: [LabelledText], valid: [LabelledText]) throws {
        print("data: \(train.count) training, \(valid.count) validation examples")
        let start = DispatchTime.now().uptimeNanoseconds
        let trained: TrainedLearner
        do {
            trained = try kind.fit(train, settings: settings, seed: seed)
        } catch let e as LearnerError {
            // Name the data file when the data is what cannot train (one label, no examples).
            if case .invalidData = e, let data { throw ValidationError("\(data): \(e)") }
            throw e
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        for w in trained.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        let learner = trained.learner
        print(String(format: "%@ (%@ tokens) trained in %.2fs", modelChoice, learner.tokenizer.name, seconds))
        if !valid.isEmpty {
            print("\nvalidation (\(valid.count) examples):")
            print(try learner.report(valid).render(classNames: learner.labels.classes))
        }
        if let save {
            try ModelDirectory.save(learner: learner, to: URL(fileURLWithPath: save))
            print("saved to \(save)")
        }
    }

    /// Fits the tokenizer and labels on the training texts and builds the model.
    /// `source` (the data file) names the training data in errors.
    static func build(train: [LabelledText], text: TextOptions, model: String, seed: UInt64, source: String? = nil) throws -> TextClassifier {
        let what = source.map { "\($0): the training data" } ?? "the training data"
        guard !train.isEmpty else { throw ValidationError("\(what) has no examples") }
        var tokenizer = try text.makeTokenizer()
        tokenizer.fit(on: train.map(\.text))
        let labels = try LabelEncoder(labels: train.map(\.label))
        guard labels.count >= 2 else {
            throw ValidationError("\(what) has one label ('\(Quoted.escaped(labels.classes[0]))'); a classifier needs at least two")
        }
        guard labels.count <= Limits.maxClasses else {
            throw ValidationError("\(what) has \(Digits.grouped(labels.count)) labels, over the limit of \(Digits.grouped(Limits.maxClasses))")
        }
        let vocab = tokenizer.embeddingInputDim
        let spec: ModelSpec
        if let preset = ModelPreset(rawValue: model) {
            spec = ModelSpec(inputLength: text.maxLength, vocabularySize: vocab, layers: preset.layers(classes: labels.count))
        } else if FileManager.default.fileExists(atPath: model) {
            spec = try loadSpec(model, inputLength: text.maxLength, vocabularySize: vocab)
        } else {
            throw ValidationError("--model '\(model)' is neither a preset (\(ModelPreset.allCases.map(\.rawValue).joined(separator: ", "))) nor a file")
        }
        return try TextClassifier(config: ClassifierConfig(tokenizer: tokenizer, labels: labels, maxLength: text.maxLength, model: spec),
                                  seed: seed)
    }

    /// A JSON spec file: {"layers": [...], "loss": optional}; input length and vocabulary come
    /// from the data and options.
    static func loadSpec(_ path: String, inputLength: Int, vocabularySize: Int) throws -> ModelSpec {
        struct File: Decodable { var layers: [LayerSpec]; var loss: LossKind? }
        guard let data = FileManager.default.contents(atPath: path) else { throw EngineError.file(path: path, reason: "cannot read") }
        do {
            let f = try JSONDecoder().decode(File.self, from: data)
            return ModelSpec(inputLength: inputLength, vocabularySize: vocabularySize, layers: f.layers, loss: f.loss)
        } catch {
            throw EngineError.file(path: path, reason: ModelDirectory.describe(error))
        }
    }
}
