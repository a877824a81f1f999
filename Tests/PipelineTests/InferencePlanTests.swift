import Engine
import Foundation
import Sessions
import TestSupport
import Testing
import TextData

/// The inference plan gives the full forward's outputs (≤ 1e-6) on the bundled sets' test
/// texts, for the recurrent presets and the shapes around them, and declines the others.
@Suite struct InferencePlanTests {
    /// A classifier with `body` + the head, its tokenizer fitted on the set's train split, its
    /// weights seeded and moved off their initial values by two Adam steps; and test texts:
    /// the first `count` of the test split, an empty text (all padding) and one longer than
    /// `maxLength`, in one batch.
    static func setUp(set: String = "zh-reviews", body: [LayerSpec], maxLength: Int, count: Int = 40,
                      seed: UInt64 = 7) throws -> (TextClassifier, Tensor) {
        let train = try LabelledTextReader.read(TestPaths.dataFile(set, "train.tsv").path)
        let test = try LabelledTextReader.read(TestPaths.dataFile(set, "test.tsv").path)
        var tokenizer = TextTokenizer.script(ScriptTokenizer(numWords: 2000))
        tokenizer.fit(on: train.prefix(3000).map(\.text))
        let labels = try LabelEncoder(labels: train.map(\.label))
        let spec = ModelSpec(inputLength: maxLength, vocabularySize: tokenizer.embeddingInputDim,
                             layers: body + [ModelPreset.head(classes: labels.count)],
                             loss: labels.count == 2 ? .binaryCrossentropy : .sparseCategoricalCrossentropy)
        let classifier = try TextClassifier(config: ClassifierConfig(tokenizer: tokenizer, labels: labels, maxLength: maxLength, model: spec),
                                            seed: seed)
        let batch = Array(train.prefix(16))
        let optimizer = Optimizer(.adam(learningRate: 0.01))
        for _ in 0..<2 {
            try classifier.model.trainStep(x: classifier.encode(batch.map(\.text)), y: classifier.targets(batch.map(\.label)), optimizer: optimizer)
        }
        let long = test.prefix(20).map(\.text).joined(separator: " ")
        let texts = test.prefix(count).map(\.text) + ["", long]
        return (classifier, classifier.encode(texts))
    }

    /// The plan's output against the full forward: same shape, every value within 1e-6.
    static func expectExact(_ model: Sequential, _ x: Tensor, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let plan = try #require(model.inferencePlan, sourceLocation: sourceLocation)
        let fast = try plan.forward(x)
        let full = try model.forward(x, training: false)
        #expect(fast.shape == full.shape, sourceLocation: sourceLocation)
        #expect(maxDifference(fast, full) <= 1e-6, sourceLocation: sourceLocation)
    }

    static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a.scalars, b.scalars).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) }
    }

    /// seed, lstm, gru and cnn at the bench's max_length 100, short and long texts in one batch.
    @Test(arguments: [ModelPreset.seed, .lstm, .gru, .cnn])
    func presetsMatchTheFullForward(_ preset: ModelPreset) throws {
        let (classifier, x) = try Self.setUp(body: Array(preset.layers(classes: 2).dropLast()), maxLength: 100)
        #expect(x.shape[0] == 42)
        try Self.expectExact(classifier.model, x)
        // The padding states cached by the first call serve the second.
        try Self.expectExact(classifier.model, x)
    }

    /// The lstm preset on every bundled set's test texts (the padding states are cached up to
    /// the longest padding seen, which differs from set to set).
    @Test(arguments: TestPaths.dataSetNames)
    func everyBundledSet(_ set: String) throws {
        let (classifier, x) = try Self.setUp(set: set, body: [.embedding(dim: 16), .lstm(units: 16)], maxLength: 30, count: 24)
        try Self.expectExact(classifier.model, x)
    }

    /// Bidirectional (the backward copy reads the padding last), return_sequences stacks,
    /// mask_zero (padded steps skipped, and the mask reaching the pooling), dropouts in between.
    @Test(arguments: [
        [LayerSpec.embedding(dim: 12), .bidirectional(layer: .lstm(units: 10), mergeMode: "concat")],
        [.embedding(dim: 12), .bidirectional(layer: .gru(units: 10, returnSequences: true), mergeMode: "sum"), .globalAveragePooling1D],
        [.embedding(dim: 12), .bidirectional(layer: .simpleRNN(units: 10), mergeMode: "mul")],
        [.embedding(dim: 12), .lstm(units: 10, returnSequences: true), .lstm(units: 8)],
        [.embedding(dim: 12), .spatialDropout1D(rate: 0.3), .simpleRNN(units: 10, returnSequences: true), .flatten],
        [.embedding(dim: 12, maskZero: true), .gru(units: 10)],
        [.embedding(dim: 12, maskZero: true), .lstm(units: 10, returnSequences: true), .globalAveragePooling1D],
        [.embedding(dim: 12, maskZero: true), .dropout(rate: 0.2),
         .bidirectional(layer: .lstm(units: 10, returnSequences: true), mergeMode: "ave"), .globalMaxPooling1D],
    ])
    func recurrentShapesMatchTheFullForward(_ body: [LayerSpec]) throws {
        let (classifier, x) = try Self.setUp(body: body, maxLength: 24)
        try Self.expectExact(classifier.model, x)
    }

    /// Conv1D with every padding, strides and dilation (windows partly outside the sequence,
    /// windows all on padding), before the poolings and Flatten.
    @Test(arguments: [
        [LayerSpec.embedding(dim: 12), .conv1D(filters: 8, kernelSize: 3, padding: "same", activation: .tanh), .globalAveragePooling1D],
        [.embedding(dim: 12), .conv1D(filters: 8, kernelSize: 4, strides: 2, padding: "same", activation: .relu), .flatten],
        [.embedding(dim: 12, maskZero: true), .dropout(rate: 0.1),
         .conv1D(filters: 8, kernelSize: 3, padding: "causal", dilation: 2, activation: .sigmoid), .globalMaxPooling1D],
        [.embedding(dim: 12), .conv1D(filters: 8, kernelSize: 5, strides: 3), .maxPooling1D(poolSize: 2), .flatten],
    ])
    func convolutionsMatchTheFullForward(_ body: [LayerSpec]) throws {
        let (classifier, x) = try Self.setUp(body: body, maxLength: 24)
        try Self.expectExact(classifier.model, x)
    }

    /// Models whose first layers are not Embedding → recurrent or Conv1D have no plan; their
    /// predictions are the full forward's.
    @Test func declinesOtherModels() throws {
        let bodies: [[LayerSpec]] = [Array(ModelPreset.attention.layers(classes: 2).dropLast()),
                                     [.embedding(dim: 8), .flatten], [.embedding(dim: 8), .globalAveragePooling1D]]
        for body in bodies {
            let (classifier, x) = try Self.setUp(body: body, maxLength: 16, count: 4)
            #expect(classifier.model.inferencePlan == nil)
            #expect(Self.maxDifference(try classifier.model.predict(x, batchSize: 64), try classifier.model.forward(x, training: false)) == 0)
        }
    }

    /// A weight written after the plan cached rows and padding states (an optimiser step, a
    /// copy as the console's mirror makes) is seen by the next prediction.
    @Test func seesWeightChanges() throws {
        let (classifier, x) = try Self.setUp(body: [.embedding(dim: 12), .gru(units: 10)], maxLength: 24, count: 8)
        let model = classifier.model
        let before = try model.predict(x, batchSize: 64)
        try model.trainStep(x: x, y: Tensor(shape: [x.shape[0]], repeating: 1), optimizer: Optimizer(.adam(learningRate: 0.05)))
        let afterStep = try model.predict(x, batchSize: 64)
        #expect(Self.maxDifference(before, afterStep) > 1e-3)
        #expect(Self.maxDifference(afterStep, try model.forward(x, training: false)) <= 1e-6)
        // Copied in place from another model with other weights.
        let other = try Sequential(spec: model.spec, seed: 99)
        for (t, s) in zip(model.parameters, other.parameters) { t.value.assign(s.value) }
        #expect(Self.maxDifference(try model.predict(x, batchSize: 64), try other.forward(x, training: false)) <= 1e-6)
    }

    /// One-text predictions (the console's, `workbench predict`'s) go through the plan and give
    /// the full forward's probabilities; a bad token id is refused as the Embedding refuses it.
    @Test func oneTextPredictionsAndBadIds() throws {
        let (classifier, x) = try Self.setUp(body: [.embedding(dim: 12), .lstm(units: 10)], maxLength: 24, count: 6)
        let texts = try LabelledTextReader.read(TestPaths.dataFile("zh-reviews", "test.tsv").path).prefix(6).map(\.text)
        let full = try classifier.model.forward(x, training: false)
        for (i, text) in texts.enumerated() {
            let p = try classifier.probabilities([text], batchSize: 1)
            #expect(abs(p[0][1] - full[flat: i]) <= 1e-6)
        }
        let plan = try #require(classifier.model.inferencePlan)
        for bad: Float in [-1, Float(classifier.model.spec.vocabularySize), 0.5, .nan] {
            var y = x
            y[flat: 3] = bad
            #expect(throws: EngineError.self) { try plan.forward(y) }
            #expect(throws: EngineError.self) { try classifier.model.forward(y, training: false) }
        }
    }
}
