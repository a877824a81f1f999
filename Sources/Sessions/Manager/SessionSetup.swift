import Engine
import Foundation
import TextData

/// What a new session is built from: the data set and how to read it, where validation
/// examples come from, the (unfitted) tokenizer, the model and the training settings.
public struct SessionSetup: Sendable {
    public enum Validation: Sendable, Equatable {
        case none
        /// A seeded stratified split of the data (seed: `fit.seed`).
        case split(Double)
        /// A separate file in the same layout.
        case file(String)
    }

    public enum Model: Sendable, Equatable {
        /// A preset, with the head the labels need.
        case preset(ModelPreset)
        /// Layers as given (head included); the loss is inferred unless given.
        case layers([LayerSpec], loss: LossKind?)
    }

    public var data: String
    public var format: DatasetFormat?
    public var readOptions: ReadOptions
    public var validation: Validation
    public var tokenizer: TextTokenizer
    public var maxLength: Int
    public var padding: PadSide
    public var truncating: PadSide
    public var model: Model
    public var optimizer: OptimizerSpec
    public var fit: FitConfig
    /// Class weights to resolve against the training split into `fit.classWeights` (nil:
    /// `fit.classWeights` as it is).
    public var classWeight: ClassWeight? = nil
    /// Pretrained vectors for the first Embedding layer (`--embeddings`).
    public var embeddings: PretrainedEmbeddings.Choice? = nil
    /// Batches between autosaves (checkpoints are also written at every epoch end).
    public var autosaveEvery: Int

    public init(data: String, format: DatasetFormat? = nil, readOptions: ReadOptions = ReadOptions(),
                validation: Validation = .split(0.1), tokenizer: TextTokenizer = .script(ScriptTokenizer(numWords: 5000)),
                maxLength: Int = 100, padding: PadSide = .pre, truncating: PadSide = .pre,
                model: Model = .preset(.lstm), optimizer: OptimizerSpec = .adam(), fit: FitConfig = FitConfig(),
                autosaveEvery: Int = 100) {
        self.data = data; self.format = format; self.readOptions = readOptions; self.validation = validation
        self.tokenizer = tokenizer; self.maxLength = maxLength; self.padding = padding; self.truncating = truncating
        self.model = model; self.optimizer = optimizer; self.fit = fit; self.autosaveEvery = autosaveEvery
    }
}

extension SessionSetup {
    /// A new session like `record`'s: the same data and how it is read and split, an unfitted
    /// tokenizer with the same settings, the same lengths and training settings, and `model`.
    public init(like record: SessionRecord, model: Model) {
        let d = record.dataset
        let validation: Validation
        switch d.validation {
        case .none: validation = .none
        case let .split(f, _): validation = .split(f)
        case let .file(path, _, _, _): validation = .file(path)
        }
        var tokenizer = record.tokenizer
        switch tokenizer {
        case let .keras(k): tokenizer = .keras((try? KerasTokenizer(numWords: k.numWords, filters: k.filters, lower: k.lower, split: k.split,
                                                                      charLevel: k.charLevel, oovToken: k.oovToken)) ?? k)
        case let .script(s): tokenizer = .script(ScriptTokenizer(numWords: s.numWords, oovToken: s.oovToken, bigrams: s.bigrams, lower: s.lower))
        }
        let settings = record.neuralPlan
        self.init(data: d.path, format: d.format, readOptions: d.options, validation: validation, tokenizer: tokenizer,
                  maxLength: record.maxLength, padding: record.padding, truncating: record.truncating,
                  model: model, optimizer: settings.optimizer, fit: settings.fit, autosaveEvery: record.autosaveEvery)
    }
}

/// A session's examples, read and hash-checked, and encoded for training.
struct LoadedData: Sendable {
    var train: [LabelledText]
    var validation: [LabelledText]
    var encoded: TrainingData
}

/// Building new sessions and loading their data: pure work on Sendable values, run off the
/// manager's actor and off the engine's worker.
enum SessionBuilder {
    struct Built: Sendable {
        var record: SessionRecord
        var weights: Data
        var optimizer: Data
        var data: LoadedData
    }

    static func build(name: String, setup: SessionSetup) throws -> Built {
        try SessionName.validate(name)
        func bad(_ field: String, _ why: String) -> SessionError { .invalidSetting(field: field, reason: why) }
        if let why = Limits.problem(setup.maxLength, in: 1...Limits.maxInputLength) { throw bad("max_length", why) }
        guard setup.autosaveEvery >= 1 else { throw bad("autosave_every", "must be at least 1, got \(setup.autosaveEvery)") }
        try mapEngine { try setup.fit.validate(); try setup.optimizer.validate() }

        let path = URL(fileURLWithPath: setup.data).standardizedFileURL.path
        let format = try setup.format ?? DatasetFormat.inferred(path: path, options: setup.readOptions)
        let hash = try ContentHash.of(path: path)
        let all = try DatasetReader.read(path: path, format: format, options: setup.readOptions)
        guard !all.isEmpty else { throw SessionError.file(path: path, reason: "no examples") }

        let train: [LabelledText], valid: [LabelledText], source: ValidationSource
        switch setup.validation {
        case .none:
            (train, valid, source) = (all, [], .none)
        case let .split(fraction):
            (train, valid) = try StratifiedSplit.split(all, validationFraction: fraction, seed: setup.fit.seed, source: path)
            source = .split(fraction: fraction, seed: setup.fit.seed)
        case let .file(vpath):
            let vp = URL(fileURLWithPath: vpath).standardizedFileURL.path
            let vformat = try setup.format ?? DatasetFormat.inferred(path: vp, options: setup.readOptions)
            let vhash = try ContentHash.of(path: vp)
            valid = try DatasetReader.read(path: vp, format: vformat, options: setup.readOptions)
            train = all
            source = .file(path: vp, format: vformat, hash: vhash, examples: valid.count)
        }

        if case let .file(vpath) = setup.validation {
            // Name the file and line of the first example with a label training has not seen.
            try ClassifierPipeline.checkHeldOutLabels(valid, train: train) { known in
                let vp = URL(fileURLWithPath: vpath).standardizedFileURL.path
                try DatasetReader.checkLabels(path: vp, format: setup.format ?? DatasetFormat.inferred(path: vp, options: setup.readOptions),
                                              options: setup.readOptions, known: known)
            }
        }
        var pipeline = ClassifierPipeline(tokenizer: setup.tokenizer, maxLength: setup.maxLength, padding: setup.padding,
                                          truncating: setup.truncating, model: setup.model, seed: setup.fit.seed)
        pipeline.embeddings = setup.embeddings
        let built = try mapEngine { try pipeline.build(train: train, validation: valid, source: path) }
        let (classifier, tokenizer, labels, spec) = (built.classifier, built.tokenizer, built.labels, built.spec)
        let encoded = TrainingData(train: built.train, validation: built.validation)

        var fit = setup.fit
        if let classWeight = setup.classWeight {
            fit.classWeights = try classWeight.weights(classes: labels.classes, trainLabels: train.map(\.label))
        }
        let id = UUID().uuidString
        let now = Date()
        let cursor = TrainerState(fresh: fit, trainCount: train.count, layerGenerators: classifier.model.generatorStates)
        // Run 1 holds the fresh weights the checkpoint starts from; it begins for real when
        // training does (an edit before that replaces it).
        let neural = NeuralRun(model: spec, optimizer: setup.optimizer, fit: fit, weightSeed: setup.fit.seed, cursor: cursor)
        let run = RunRecord(id: 1, started: now, kind: .neural(neural))
        let record = SessionRecord(
            schemaVersion: SessionRecord.currentSchemaVersion, id: id, name: name, created: now, modified: now,
            dataset: DatasetReference(path: path, format: format, options: setup.readOptions, hash: hash, examples: all.count, validation: source),
            tokenizer: tokenizer, labels: labels, maxLength: setup.maxLength, padding: setup.padding, truncating: setup.truncating,
            runs: [run], plan: .neural(neural.plan), checkpoint: 0, autosaveEvery: setup.autosaveEvery, status: .idle)
        let meta = EngineWorker.metadata(id, 0, 1)
        let weights = try mapEngine { try classifier.model.weightsData(metadata: meta) }
        let optimizer = try mapEngine { try Optimizer(setup.optimizer).stateData(for: classifier.model, metadata: meta) }
        return Built(record: record, weights: weights, optimizer: optimizer,
                     data: LoadedData(train: train, validation: valid, encoded: encoded))
    }

    /// Reads the session's data set after checking its content hash, splits it as at creation
    /// and encodes it with the session's tokenizer.
    static func loadData(record: SessionRecord) throws -> LoadedData {
        let ref = record.dataset
        let hash = try ContentHash.of(path: ref.path)
        guard hash == ref.hash else { throw SessionError.dataChanged(path: ref.path, recorded: ref.hash, found: hash) }
        let all = try DatasetReader.read(path: ref.path, format: ref.format, options: ref.options)
        let train: [LabelledText], valid: [LabelledText]
        switch ref.validation {
        case .none: (train, valid) = (all, [])
        case let .split(f, seed): (train, valid) = try StratifiedSplit.split(all, validationFraction: f, seed: seed, source: ref.path)
        case let .file(vpath, vformat, vhash, _):
            let found = try ContentHash.of(path: vpath)
            guard found == vhash else { throw SessionError.dataChanged(path: vpath, recorded: vhash, found: found) }
            valid = try DatasetReader.read(path: vpath, format: vformat, options: ref.options)
            train = all
        }
        let config = record.classifierConfig
        let encoded = try mapEngine {
            TrainingData(train: try config.dataset(train), validation: valid.isEmpty ? nil : try config.dataset(valid))
        }
        let expected = record.engineRun.cursor.trainCount
        guard train.count == expected else {
            throw SessionError.file(path: ref.path, reason: "gives \(train.count) training examples, the session was built on \(expected)")
        }
        return LoadedData(train: train, validation: valid, encoded: encoded)
    }

    /// Engine errors as session errors.
    static func mapEngine<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as EngineError {
            switch e {
            case let .file(path, reason): throw SessionError.file(path: path, reason: reason)
            case let .invalidSpec(field, reason): throw SessionError.invalidSetting(field: field, reason: reason)
            default: throw SessionError.invalidSetting(field: "model", reason: e.description)
            }
        }
    }
}
