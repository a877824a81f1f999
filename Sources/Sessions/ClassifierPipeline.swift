import Basics
import Engine
import Foundation
import TextData

/// The one way from read examples to an untrained neural classifier, shared by `train`,
/// `train --session` (through `SessionBuilder`), `bench`, `compare` and the workbench: fit the
/// tokenizer on the training texts, encode the labels, size the model from both, build it
/// with the seed's weights, and encode the examples for training. Same settings, same
/// examples and same seed give the same spec and the same initial weights, whichever
/// command asks.
public struct ClassifierPipeline: Sendable {
    /// The tokenizer to fit (its settings: kind, vocabulary size).
    public var tokenizer: TextTokenizer
    public var maxLength: Int
    public var padding: PadSide
    public var truncating: PadSide
    public var model: SessionSetup.Model
    /// Seeds the initial weights.
    public var seed: UInt64
    /// Pretrained vectors for the first Embedding layer (its output_dim becomes the file's).
    public var embeddings: PretrainedEmbeddings.Choice? = nil

    public init(tokenizer: TextTokenizer, maxLength: Int, padding: PadSide = .pre, truncating: PadSide = .pre,
                model: SessionSetup.Model, seed: UInt64) {
        self.tokenizer = tokenizer; self.maxLength = maxLength; self.padding = padding; self.truncating = truncating
        self.model = model; self.seed = seed
    }

    /// What the pipeline gives: the classifier (its config holds the fitted tokenizer, the
    /// labels and the model spec) and the examples encoded for it.
    public struct Built {
        public var classifier: TextClassifier
        public var train: Dataset
        /// Nil when there were no held-out examples.
        public var validation: Dataset?
        /// What each Embedding layer with pretrained vectors found in its file.
        public var embeddings: [PretrainedEmbeddings.Report] = []

        public var config: ClassifierConfig { classifier.config }
        public var tokenizer: TextTokenizer { classifier.config.tokenizer }
        public var labels: LabelEncoder { classifier.config.labels }
        public var spec: ModelSpec { classifier.config.model }
    }

    /// Builds the classifier from `train` and encodes `train` and `validation` (held-out
    /// examples, whose labels the caller has checked against the training labels, naming
    /// their file and line). `source`, the training data's path, names the data in errors.
    /// Engine errors (a bad layer, sizes over the limits) are thrown as they are.
    public func build(train: [LabelledText], validation: [LabelledText] = [], source: String) throws -> Built {
        guard !train.isEmpty else { throw SessionError.file(path: source, reason: "the training data has no examples") }
        var tokenizer = self.tokenizer
        tokenizer.fit(on: train.map(\.text))
        let labels = try LabelEncoder(labels: train.map(\.label))
        guard labels.count >= 2 else {
            throw SessionError.file(path: source, reason: "the training data has one label ('\(Quoted.escaped(labels.classes[0]))'); a classifier needs at least two")
        }
        guard labels.count <= Limits.maxClasses else {
            throw SessionError.file(path: source, reason: "the training data has \(Digits.grouped(labels.count)) labels, over the limit of \(Digits.grouped(Limits.maxClasses))")
        }
        var (layers, loss) = model.layers(classes: labels.count)
        if let embeddings { layers = try PretrainedEmbeddings.layers(layers, file: embeddings.file, freeze: embeddings.freeze) }
        let spec = ModelSpec(inputLength: maxLength, vocabularySize: tokenizer.embeddingInputDim, layers: layers, loss: loss)
        let config = ClassifierConfig(tokenizer: tokenizer, labels: labels, maxLength: maxLength,
                                      padding: padding, truncating: truncating, model: spec)
        let classifier = try TextClassifier(config: config, seed: seed)
        try EngineWorker.checkHead(classifier)
        // Pretrained vectors are part of the initial weights, read once here.
        let embeddings = try PretrainedEmbeddings.apply(to: classifier)
        return Built(classifier: classifier, train: try config.dataset(train),
                     validation: validation.isEmpty ? nil : try config.dataset(validation), embeddings: embeddings)
    }
}

extension ClassifierPipeline {
    /// What `buildMultiLabel` gives: the classifier and the examples encoded with [N, K] targets.
    public struct BuiltMultiLabel {
        public var classifier: TextClassifier
        public var train: Dataset
        public var validation: Dataset?
    }

    /// Builds a multi-label classifier from `train`: the label space is every label of every
    /// example (at least two), the head one sigmoid per label with binary cross-entropy (a
    /// preset's head is replaced; a spec's layers must end in Dense(K, sigmoid), and a loss it
    /// names must be binary_crossentropy). `validation` labels the caller has checked.
    public func buildMultiLabel(train: [MultiLabelledText], validation: [MultiLabelledText] = [], source: String) throws -> BuiltMultiLabel {
        guard !train.isEmpty else { throw SessionError.file(path: source, reason: "the training data has no examples") }
        guard let space = try? LabelSpace(examples: .multi(train)) else {
            throw SessionError.file(path: source, reason: "no example of the training data has a label")
        }
        let k = space.classes.count
        guard k >= 2 else {
            throw SessionError.file(path: source, reason: "the training data has one label ('\(Quoted.escaped(space.classes[0]))'); a multi-label classifier needs at least two")
        }
        guard k <= Limits.maxClasses else {
            throw SessionError.file(path: source, reason: "the training data has \(Digits.grouped(k)) labels, over the limit of \(Digits.grouped(Limits.maxClasses))")
        }
        var tokenizer = self.tokenizer
        tokenizer.fit(on: train.map(\.text))
        let layers: [LayerSpec]
        switch model {
        case let .preset(p): layers = Array(p.layers(classes: k).dropLast()) + [.dense(units: k, activation: .sigmoid)]
        case let .layers(l, loss):
            if let loss, loss != .binaryCrossentropy {
                throw SessionError.invalidSetting(field: "model", reason: "multi-label data trains with binary_crossentropy (one sigmoid per label), not \(loss.rawValue)")
            }
            layers = l
        }
        let spec = ModelSpec(inputLength: maxLength, vocabularySize: tokenizer.embeddingInputDim, layers: layers, loss: .binaryCrossentropy)
        let config = ClassifierConfig(tokenizer: tokenizer, labelSpace: space, maxLength: maxLength,
                                      padding: padding, truncating: truncating, model: spec)
        let classifier = try TextClassifier(config: config, seed: seed)
        try EngineWorker.checkHead(classifier)
        return BuiltMultiLabel(classifier: classifier, train: try config.dataset(train),
                               validation: validation.isEmpty ? nil : try config.dataset(validation))
    }

    /// Calls `report` with the training labels when a held-out example has a label the
    /// training examples lack: `report` reads the held-out file again to name the file and
    /// line of the first such example (the examples alone do not know them).
    public static func checkHeldOutLabels(_ heldOut: [LabelledText], train: [LabelledText],
                                          report: ([String]) throws -> Void) throws {
        guard !heldOut.isEmpty, let known = try? LabelEncoder(labels: train.map(\.label)) else { return }
        if heldOut.contains(where: { (try? known.encode($0.label)) == nil }) { try report(known.classes) }
    }
}

extension SessionSetup.Model {
    /// The layers (a preset's with the head `classes` need) and the loss, nil to infer it.
    public func layers(classes: Int) -> (layers: [LayerSpec], loss: LossKind?) {
        switch self {
        case let .preset(p): return (p.layers(classes: classes), nil)
        case let .layers(l, loss): return (l, loss)
        }
    }
}
