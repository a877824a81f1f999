import Basics
import Engine
import Foundation
import TextData

/// Everything that turns raw text into model inputs and outputs back into labels: the
/// tokenizer (with its vocabulary), the labels, the padding rule and the model spec. Codable:
/// saved beside the weights.
public struct ClassifierConfig: Codable, Sendable {
    public var tokenizer: TextTokenizer
    /// One label per text, or (multi-label) every label above a threshold. Stored under
    /// `labels`, where a single-label space is written as the label encoder always was.
    public var labelSpace: LabelSpace
    public var maxLength: Int
    public var padding: PadSide
    public var truncating: PadSide
    public var model: ModelSpec

    /// The classes, sorted (either kind of label space).
    public var labels: LabelEncoder { labelSpace.encoder }
    public var isMultiLabel: Bool { labelSpace.isMultiLabel }

    public init(tokenizer: TextTokenizer, labels: LabelEncoder, maxLength: Int, padding: PadSide = .pre,
                truncating: PadSide = .pre, model: ModelSpec) {
        self.init(tokenizer: tokenizer, labelSpace: .single(labels), maxLength: maxLength, padding: padding, truncating: truncating, model: model)
    }

    public init(tokenizer: TextTokenizer, labelSpace: LabelSpace, maxLength: Int, padding: PadSide = .pre,
                truncating: PadSide = .pre, model: ModelSpec) {
        self.tokenizer = tokenizer; self.labelSpace = labelSpace; self.maxLength = maxLength
        self.padding = padding; self.truncating = truncating; self.model = model
    }

    enum CodingKeys: String, CodingKey {
        case tokenizer, labels, maxLength = "max_length", padding, truncating, model
    }

    /// Decodes and checks the sizes (`Limits`): `max_length` in range and equal to the
    /// model's `input_length`, the model's vocabulary and layers in range, at most
    /// `Limits.maxClasses` labels.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tokenizer, forKey: .tokenizer)
        try c.encode(labelSpace, forKey: .labels)
        try c.encode(maxLength, forKey: .maxLength)
        try c.encode(padding, forKey: .padding)
        try c.encode(truncating, forKey: .truncating)
        try c.encode(model, forKey: .model)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxLength = try c.decode(Int.self, forKey: .maxLength)
        if let why = Limits.problem(maxLength, in: 1...Limits.maxInputLength) {
            throw DecodingError.dataCorruptedError(forKey: .maxLength, in: c, debugDescription: why)
        }
        tokenizer = try c.decode(TextTokenizer.self, forKey: .tokenizer)
        labelSpace = try c.decode(LabelSpace.self, forKey: .labels)
        let labels = labelSpace.encoder
        if let why = Limits.problem(labels.count, in: 0...Limits.maxClasses) {
            throw DecodingError.dataCorruptedError(forKey: .labels, in: c, debugDescription: "\(labels.count) classes: \(why)")
        }
        padding = try c.decode(PadSide.self, forKey: .padding)
        truncating = try c.decode(PadSide.self, forKey: .truncating)
        model = try c.decode(ModelSpec.self, forKey: .model)
        guard model.inputLength == maxLength else {
            throw DecodingError.dataCorruptedError(
                forKey: .maxLength, in: c, debugDescription: "\(maxLength) differs from the model's input_length \(model.inputLength)")
        }
    }
}

extension ClassifierConfig {
    /// Padded token ids [texts, maxLength]. Needs no model, so data can be encoded on any
    /// thread. Callers keep `texts.count × maxLength` within `Limits.maxEncodedElements`
    /// (`dataset` checks it; `TextClassifier.probabilities` encodes in chunks).
    public func encode(_ texts: [String]) -> Tensor {
        var x = Tensor(shape: [texts.count, maxLength])
        let seqs = texts.map { tokenizer.sequence(for: $0) }
        x.withUnsafeMutableBufferPointer { p in
            // The buffer is exactly [texts, maxLength], so this cannot throw.
            try? padSequences(seqs, maxLength: maxLength, padding: padding, truncating: truncating, into: p)
        }
        return x
    }

    /// Class indices as the loss expects them.
    public func targets(_ labels: [String]) throws -> Tensor {
        Tensor(shape: [labels.count], scalars: try labels.map { Float(try self.labels.encode($0)) })
    }

    /// The examples encoded for training. Throws `EngineError.invalidSpec` when examples ×
    /// max_length is over `Limits.maxEncodedElements`, before encoding any.
    public func dataset(_ examples: [LabelledText]) throws -> Dataset {
        guard let size = Checked.product([examples.count, maxLength]), size <= Limits.maxEncodedElements else {
            throw EngineError.invalidSpec(
                field: "max_length",
                reason: "\(Digits.grouped(examples.count)) examples × max_length \(Digits.grouped(maxLength)) is over the limit of \(Digits.grouped(Limits.maxEncodedElements)) token ids held for training; use a shorter max_length")
        }
        return try Dataset(x: encode(examples.map(\.text)), y: targets(examples.map(\.label)))
    }

    /// Multi-label examples encoded for training: targets [N, classes] of 0/1. Throws like
    /// `dataset`, and `TextDataError.unknownLabel` for a label outside the label space.
    public func dataset(_ examples: [MultiLabelledText]) throws -> Dataset {
        guard let size = Checked.product([examples.count, maxLength]), size <= Limits.maxEncodedElements else {
            throw EngineError.invalidSpec(
                field: "max_length",
                reason: "\(Digits.grouped(examples.count)) examples × max_length \(Digits.grouped(maxLength)) is over the limit of \(Digits.grouped(Limits.maxEncodedElements)) token ids held for training; use a shorter max_length")
        }
        let y = Tensor(shape: [examples.count, labels.count], scalars: try labelSpace.multiHot(examples))
        return try Dataset(x: encode(examples.map(\.text)), y: y)
    }
}

/// A trained (or training) text classifier: config plus the model with its weights.
/// Not thread-safe: one task owns it at a time.
public final class TextClassifier {
    /// Fixed once built, but for a multi-label threshold (`use(threshold:)`).
    public private(set) var config: ClassifierConfig
    public let model: Sequential

    public init(config: ClassifierConfig, seed: UInt64) throws {
        try Limits.check(config.maxLength, in: 1...Limits.maxInputLength, field: "max_length")
        guard config.maxLength == config.model.inputLength else {
            throw EngineError.invalidSpec(field: "max_length", reason: "\(config.maxLength) differs from the model's input_length \(config.model.inputLength)")
        }
        self.config = config
        self.model = try Sequential(spec: config.model, seed: seed)
    }

    public var classNames: [String] { config.labels.classes }
    /// One sigmoid output for two classes (a multi-label model has one sigmoid per label).
    public var isBinary: Bool { config.model.loss == .binaryCrossentropy && !config.isMultiLabel }

    /// Padded token ids [texts, maxLength].
    public func encode(_ texts: [String]) -> Tensor { config.encode(texts) }

    /// Class indices as the loss expects them.
    public func targets(_ labels: [String]) throws -> Tensor { try config.targets(labels) }

    public func dataset(_ examples: [LabelledText]) throws -> Dataset { try config.dataset(examples) }

    /// Per-class probabilities for each text (a binary model's p becomes [1 − p, p]; a
    /// multi-label model's are each label's own, not summing to 1).
    public func probabilities(_ texts: [String], batchSize: Int = 64) throws -> [[Float]] {
        // In chunks, so that however many texts come in, only one chunk's token ids are held.
        let chunk = Swift.max(1, Swift.min(4096, Limits.maxEncodedElements / 16 / config.maxLength))
        var out: [[Float]] = []
        out.reserveCapacity(texts.count)
        for lo in stride(from: 0, to: texts.count, by: chunk) {
            let part = Array(texts[lo..<Swift.min(lo + chunk, texts.count)])
            out += Self.classProbabilities(try model.predict(encode(part), batchSize: batchSize), binary: isBinary)
        }
        return out
    }

    /// The same, for model outputs already computed: [N, 1] sigmoid, [N, K] softmax or [N, K]
    /// sigmoids (multi-label; `binary` false).
    public static func classProbabilities(_ out: Tensor, binary: Bool) -> [[Float]] {
        let n = out.shape[0], k = out.count / max(n, 1)
        let v = out.scalars
        return (0..<n).map { r in binary ? [1 - v[r], v[r]] : Array(v[(r * k)..<((r + 1) * k)]) }
    }

    /// Evaluates on labelled examples: the classification report.
    public func report(_ examples: [LabelledText]) throws -> ClassificationReport {
        let probs = try probabilities(examples.map(\.text))
        let truth = try examples.map { try config.labels.encode($0.label) }
        let predicted = probs.map { p in p.indices.max { p[$0] < p[$1] } ?? 0 }
        return ClassificationReport(truth: truth, predicted: predicted, classCount: config.labels.count)
    }
}

extension TextClassifier {
    /// A multi-label classifier predicts the labels above `threshold` from now on (a
    /// single-label one is unchanged).
    public func use(threshold: Float) {
        config.labelSpace = config.labelSpace.with(threshold: threshold)
    }

    /// The labels above the threshold for each row of multi-label probabilities.
    public func labelsAboveThreshold(_ probabilities: [[Float]]) -> [[String]] {
        let t = config.labelSpace.threshold ?? LabelSpace.defaultThreshold
        return probabilities.map { p in MultiLabelMetrics.predicted(p, threshold: t).map { classNames[$0] } }
    }

    /// Multi-label scores on labelled examples, at `threshold` (nil: the classifier's own).
    public func multiLabelMetrics(_ examples: [MultiLabelledText], threshold: Float? = nil) throws -> MultiLabelMetrics {
        let probs = try probabilities(examples.map(\.text))
        return try MultiLabelMetrics(truth: try config.labelSpace.multiHot(examples), probabilities: probs.flatMap { $0 },
                                     labels: config.labels.count,
                                     threshold: threshold ?? config.labelSpace.threshold ?? LabelSpace.defaultThreshold)
    }

    /// The threshold that maximises micro-F1 on `examples` (`MultiLabelMetrics.tuned`), with
    /// the scores there.
    public func tunedMultiLabelMetrics(_ examples: [MultiLabelledText]) throws -> MultiLabelMetrics {
        let probs = try probabilities(examples.map(\.text))
        return try MultiLabelMetrics.tuned(truth: try config.labelSpace.multiHot(examples), probabilities: probs.flatMap { $0 },
                                           labels: config.labels.count)
    }
}
