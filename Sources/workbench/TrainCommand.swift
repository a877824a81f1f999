import ArgumentParser
import Basics
import Engine
import Foundation
import Learners
import Sessions
import TextData

/// Options shared by the commands that build a classifier from text.
struct TextOptions: ParsableArguments {
    static let defaultTokenizer = "script"
    static let defaultVocabSize = 5000
    static let defaultMaxLength = 100

    // Optional, so that continuing a session can tell an option given from a default.
    @Option(name: .customLong("tokenizer"), help: ArgumentHelp("Tokenizer: script (default: Han/Kana/Hangul characters, words elsewhere, case folded), script-bigrams (adds CJK character bigrams), keras (Keras's word-level Tokenizer), keras-char (Keras char_level=True)."))
    var givenTokenizer: String?
    @Option(name: .customLong("vocab-size"), help: "Vocabulary size (Keras's num_words: ids 1..<N are kept; default 5000).") var givenVocabSize: Int?
    @Option(name: .customLong("max-length"), help: "Padded sequence length (pre-padding and pre-truncation, as Keras; default 100).") var givenMaxLength: Int?

    var tokenizer: String { givenTokenizer ?? Self.defaultTokenizer }
    var vocabSize: Int { givenVocabSize ?? Self.defaultVocabSize }
    var maxLength: Int { givenMaxLength ?? Self.defaultMaxLength }

    /// The `--tokenizer` name of a tokenizer (fitted or not).
    static func name(of tokenizer: TextTokenizer) -> String {
        switch tokenizer {
        case let .script(t): return t.bigrams ? "script-bigrams" : "script"
        case let .keras(t): return t.charLevel ? "keras-char" : "keras"
        }
    }

    /// The sizes against `Limits`, naming the flag.
    static func check(vocabSize: Int, maxLength: Int) throws {
        if let why = Limits.problem(vocabSize, in: 2...Limits.maxVocabularySize) { throw ValidationError("--vocab-size \(why)") }
        if let why = Limits.problem(maxLength, in: 1...Limits.maxInputLength) { throw ValidationError("--max-length \(why)") }
    }

    /// The classifier pipeline for these settings, `model` and `seed`.
    func pipeline(model: SessionSetup.Model, seed: UInt64) throws -> ClassifierPipeline {
        ClassifierPipeline(tokenizer: try makeTokenizer(), maxLength: maxLength, model: model, seed: seed)
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
    @Flag(help: "Multi-label data: each label field is a list (a,b; see --label-separator), each text may have any of the labels. JSONL whose labels are arrays is multi-label without it.")
    var multiLabel = false
    @Option(help: "The separator of a multi-label label field in label<TAB>text, TSV and CSV files (default ',').")
    var labelSeparator: String?

    /// The examples of `path`: multi-label with `--multi-label` or JSONL array labels (their
    /// labels checked against `known`, naming the file and line), else exactly as `read`.
    func readExamples(_ path: String, multiLabel forced: Bool = false, known: [String]? = nil) throws -> LabelledExamples {
        let (format, options) = try resolved()
        return try DatasetReader.readExamples(path: BundledData.resolve(path), format: format, options: options,
                                              multiLabel: multiLabel || forced, labelList: try labelListFormat(), known: known)
    }

    func labelListFormat() throws -> LabelListFormat {
        guard let labelSeparator else { return try LabelListFormat() }
        do { return try LabelListFormat(separator: labelSeparator) } catch let e as TextDataError {
            throw ValidationError("--label-separator: \(e)")
        }
    }

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

    /// The format of `path`: `--format`, else from the path as the reader infers it.
    func resolvedFormat(_ path: String) throws -> DatasetFormat {
        let (format, options) = try resolved()
        return try format ?? DatasetFormat.inferred(path: BundledData.resolve(path), options: options)
    }

    /// The format (nil: from the extension) and the read options, as a session records them.
    func resolved() throws -> (DatasetFormat?, ReadOptions) {
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
        discussion: "With --session NAME the training lives in a session folder (Sessions/NAME): it is checkpointed as it goes, survives a kill, and `train --session NAME` again carries on (the remaining epochs, or --epochs more). Carrying on, the training options given (--model, --batch-size, --learning-rate, --optimizer, --lr-schedule, --momentum, --class-weight…) change the run; the data, split, tokenizer, length and seed stay as the session was created, and giving another is refused.")

    @Option(help: "Training data (label<TAB>text, CSV, TSV, JSONL or a folder per class); required unless continuing a session.") var data: String?
    @Option(help: "Validation data; without it --split holds out part of --data.") var validation: String?
    @Option(name: .customLong("split"), help: "Fraction of --data held out for validation when --validation is not given (default 0.1).") var givenSplit: Double?
    var split: Double { givenSplit ?? 0.1 }
    @Option(help: "Model (default lstm): a preset (\(ModelPreset.allCases.map(\.rawValue).joined(separator: ", "))), a learner (\(LearnerKind.allCases.map(\.rawValue).joined(separator: ", ")), settings after colons as in compare), or a JSON spec file.")
    var model: String?
    /// The model to build: `--model`, else the lstm preset. (Whether `--model` was given at
    /// all matters when a session's current run is a learner: see `runSession`.)
    var modelChoice: String { model ?? ModelPreset.lstm.rawValue }
    @OptionGroup var training: TrainingOptions
    @Option(help: ArgumentHelp("Pretrained word vectors for the first Embedding layer: a fastText .vec (with its 'count dim' header) or GloVe .txt file, read line by line; its dimension becomes the layer's output_dim, and tokens it lacks keep random vectors. Recorded in the run's first weights: continuing never reads it again.", valueName: "file"))
    var embeddings: String?
    @Flag(help: "With --embeddings: keep the vectors fixed (Keras's trainable=False; counted as non-trainable params) rather than fine-tune them.")
    var freezeEmbeddings = false

    /// `--embeddings` and `--freeze-embeddings`, the path made absolute (the session records it).
    func embeddingsChoice() throws -> PretrainedEmbeddings.Choice? {
        guard let embeddings else {
            if freezeEmbeddings { throw ValidationError("--freeze-embeddings needs --embeddings FILE (or \"trainable\": false on the Embedding layer of a JSON spec)") }
            return nil
        }
        if (try? LearnerSpec.parse(modelChoice, base: LearnerSettings())) != nil {
            throw ValidationError("--embeddings applies to neural models, not to the learner '\(modelChoice)'")
        }
        return PretrainedEmbeddings.Choice(file: URL(fileURLWithPath: embeddings).standardizedFileURL.path, freeze: freezeEmbeddings)
    }
    @Option(help: "Save the trained model into this folder.") var save: String?
    @OptionGroup var text: TextOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var sessionOptions: SessionTrainOptions
    @Option(help: "Multi-label data: the probability above which a label is predicted, 0…1 (default 0.5), or 'tune' for the one of 0.05, 0.10, … 0.95 with the best micro-F1 on the validation data (recorded in the saved model).")
    var threshold: String?

    var epochs: Int? { training.epochs }
    var seed: UInt64 { training.seed }

    /// `--class-weight` parsed (nil without it); refused with a learner, which has no loss to weight.
    func classWeightChoice() throws -> ClassWeight? {
        guard training.classWeight != nil else { return nil }
        if (try? LearnerSpec.parse(modelChoice, base: LearnerSettings())) != nil {
            throw ValidationError("--class-weight applies to neural models, not to the learner '\(modelChoice)'")
        }
        return try training.classWeightChoice()
    }

    /// Optimiser and `--class-weight` mistakes are command-line mistakes: refused while parsing
    /// (usage, exit 64), before any data is read. Continuing a session, the options apply over
    /// its current run's settings (`--momentum` alone on an sgd run), so they are checked
    /// against those; a record that cannot be read is reported when the session opens.
    func validate() throws {
        let store = sessionOptions.dir.store
        if let session = sessionOptions.session, store.exists(session), let plan = try? store.record(session).neuralPlan {
            _ = try training.settings(over: .init(optimizer: plan.optimizer, fit: plan.fit))
        } else {
            _ = try training.settings()
        }
        _ = try classWeightChoice()
        _ = try embeddingsChoice()
    }

    func run() async throws {
        let classWeights = try classWeightChoice()
        if let session = sessionOptions.session {
            if dataOptions.multiLabel || threshold != nil {
                throw ValidationError("--multi-label and --threshold train without --session for now (sessions record single-label runs); use --save to keep the model")
            }
            try await runSession(session)
            return
        }
        guard let data else { throw ValidationError("--data is required (or --session NAME to continue a session)") }
        // Multi-label when asked, or when JSONL labels are arrays (JSONL is read once either way).
        var readAlready: [LabelledText]? = nil
        let isJSONLines = try dataOptions.resolvedFormat(data) == .jsonl
        if dataOptions.multiLabel || threshold != nil || isJSONLines {
            switch try dataOptions.readExamples(data) {
            case .multi(let examples):
                try trainMultiLabel(examples, data: data, classWeights: classWeights)
                return
            case .single(let examples):
                guard threshold == nil else { throw ValidationError("--threshold applies to multi-label data (--multi-label, or JSONL labels as arrays)") }
                readAlready = examples
            }
        }
        if let save {
            // Refused now rather than after training.
            let isLearner = try LearnerSpec.parse(modelChoice, base: LearnerSettings()) != nil
            try ModelDirectory.checkTarget(URL(fileURLWithPath: save), for: isLearner ? .learner : .neural)
        }
        let trainSet = try readAlready ?? dataOptions.read(data)
        dataOptions.printWarnings(for: trainSet, path: data)
        let train: [LabelledText], valid: [LabelledText]
        if let validation {
            train = trainSet
            valid = try dataOptions.read(validation)
            try ClassifierPipeline.checkHeldOutLabels(valid, train: train) { try dataOptions.checkLabels(validation, known: $0) }
        } else {
            (train, valid) = try StratifiedSplit.split(trainSet, validationFraction: split, seed: seed, source: data)
        }
        if let (kind, settings) = try LearnerSpec.parse(modelChoice, base: LearnerSettings()) {
            try trainLearner(kind, settings, train: train, valid: valid)
            return
        }
        var pipeline = try text.pipeline(model: try Self.neuralModel(modelChoice), seed: seed)
        pipeline.embeddings = try embeddingsChoice()
        let built = try pipeline.build(train: train, validation: valid, source: data)
        let classifier = built.classifier
        print("data: \(train.count) training, \(valid.count) validation examples; classes: \(classifier.classNames.joined(separator: ", "))")
        print("tokens: \(text.tokenizer), vocabulary \(classifier.config.tokenizer.vocabularySize) (ids below \(classifier.config.model.vocabularySize) kept), length \(text.maxLength)")
        for report in built.embeddings { print("pretrained vectors: \(report.summary)") }
        print(classifier.model.summary())
        var settings = try training.settings()
        settings.fit.classWeights = try classWeights?.weights(classes: classifier.classNames, trainLabels: train.map(\.label))
        let (opt, fit) = (settings.optimizer, settings.fit)
        print("optimizer: \(opt.summary), batch \(fit.batchSize), \(fit.epochs) epochs, seed \(fit.seed)"
              + (fit.classWeights.map { "; class weights \(ClassWeight.summary($0, classes: classifier.classNames))" } ?? ""))
        if let callbacks = fit.callbacks { print("callbacks: \(callbacks.summary)") }
        let trainer = try Trainer(model: classifier.model, optimizer: Optimizer(opt), train: built.train, validation: built.validation, config: fit)
        var progress = ProgressPrinter(epochs: fit.epochs)
        try trainer.fit { progress.handle($0); return true }
        // Keras's verbose messages for its callbacks (fit has already restored the best weights).
        if trainer.optimizer.spec.learningRate != opt.learningRate {
            print("ReduceLROnPlateau: learning rate lowered to \(trainer.optimizer.spec.learningRate)")
        }
        if let stopped = trainer.callbackState.earlyStopping.stoppedEpoch, trainer.earlyStopped { print("Epoch \(stopped + 1): early stopping") }
        if let best = trainer.bestWeights { print("Restoring model weights from the end of the best epoch: \(best.epoch).") }
        if fit.callbacks?.bestCheckpoint != nil {
            // --checkpoint best: the model reported and saved is the best epoch's.
            guard let epoch = trainer.useBestCheckpoint() else {
                throw ValidationError("--checkpoint best: no epoch had a \(fit.callbacks?.bestCheckpoint?.monitor.rawValue ?? "") to compare")
            }
            print("best checkpoint: epoch \(epoch) by \(fit.callbacks?.bestCheckpoint?.monitor.rawValue ?? "")")
        }
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

    /// A neural `--model`: a preset, or a JSON spec file {"layers": [...], "loss": optional}
    /// (input length and vocabulary come from the data and options).
    static func neuralModel(_ model: String) throws -> SessionSetup.Model {
        if let preset = ModelPreset(rawValue: model) { return .preset(preset) }
        guard FileManager.default.fileExists(atPath: model) else {
            throw ValidationError("--model '\(model)' is neither a preset (\(ModelPreset.allCases.map(\.rawValue).joined(separator: ", "))) nor a file")
        }
        struct File: Decodable { var layers: [LayerSpec]; var loss: LossKind? }
        guard let data = FileManager.default.contents(atPath: model) else { throw EngineError.file(path: model, reason: "cannot read") }
        do {
            let f = try JSONDecoder().decode(File.self, from: data)
            // A relative "pretrained" path is the spec file's neighbour; made absolute, as the session records it.
            let folder = URL(fileURLWithPath: model).deletingLastPathComponent()
            let layers = f.layers.map { layer -> LayerSpec in
                guard case let .embedding(dim, mask, trainable, file?) = layer else { return layer }
                let path = file.hasPrefix("/") ? file : folder.appendingPathComponent(file).standardizedFileURL.path
                return .embedding(dim: dim, maskZero: mask, trainable: trainable, pretrained: path)
            }
            return .layers(layers, loss: f.loss)
        } catch {
            throw EngineError.file(path: model, reason: ModelDirectory.describe(error))
        }
    }
}
