/// One row of the data set as the dataset pane lists it.
public struct DatasetExample: Hashable, Sendable {
    public var label: String
    public var text: String
    /// After an evaluation: the label the model chose and its probability.
    public var predictedLabel: String?
    public var probability: Double?

    public init(label: String, text: String, predictedLabel: String? = nil, probability: Double? = nil) {
        self.label = label
        self.text = text
        self.predictedLabel = predictedLabel
        self.probability = probability
    }

    /// True when a prediction is known and differs from the label.
    public var isMisclassified: Bool {
        predictedLabel.map { $0 != label } ?? false
    }
}

/// How many examples carry one label.
public struct LabelCount: Hashable, Sendable {
    public var label: String
    public var count: Int

    public init(label: String, count: Int) {
        self.label = label
        self.count = count
    }
}

/// One bar of the token-length histogram: texts with `lowerBound...upperBound` tokens.
public struct HistogramBin: Hashable, Sendable {
    public var lowerBound: Int
    public var upperBound: Int
    public var count: Int

    public init(lowerBound: Int, upperBound: Int, count: Int) {
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.count = count
    }
}

/// What the dataset pane shows about the loaded data set.
public struct DatasetSnapshot: Hashable, Sendable {
    /// The file (or folder) name, as the user knows it.
    public var fileName: String
    /// Examples per label, in label order (the order of the model's classes).
    public var labelCounts: [LabelCount]
    /// Token counts per text, in ascending bins.
    public var lengthHistogram: [HistogramBin]
    public var vocabularySize: Int
    /// All examples in the data set (may be more than `examples` holds).
    public var exampleCount: Int
    /// The examples the pane can list (a service may send a prefix of a huge data set).
    public var examples: [DatasetExample]
    /// A one-line description of the tokenizer ("chars, 5,000 words, length 100"), or "".
    public var tokenizer: String

    public init(fileName: String, labelCounts: [LabelCount], lengthHistogram: [HistogramBin] = [],
                vocabularySize: Int, exampleCount: Int? = nil, examples: [DatasetExample],
                tokenizer: String = "") {
        self.fileName = fileName
        self.labelCounts = labelCounts
        self.lengthHistogram = lengthHistogram
        self.vocabularySize = vocabularySize
        self.exampleCount = exampleCount ?? examples.count
        self.examples = examples
        self.tokenizer = tokenizer
    }

    /// The label names in order.
    public var labels: [String] { labelCounts.map(\.label) }
}

/// Misclassified examples found by an evaluation (after an epoch or at the end of training).
public struct MisclassifiedExamples: Hashable, Sendable {
    /// Which split was evaluated ("validation", "test", …).
    public var split: String
    /// How many examples were evaluated.
    public var evaluated: Int
    /// The wrong ones, each with `predictedLabel` and `probability` set.
    public var examples: [DatasetExample]

    public init(split: String, evaluated: Int, examples: [DatasetExample]) {
        self.split = split
        self.evaluated = evaluated
        self.examples = examples
    }
}
