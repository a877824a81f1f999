import Basics
import Foundation

/// One layer of a model, as a Codable value that sessions and spec files save.
///
/// JSON form: `{"type": "lstm", "units": 64, "return_sequences": false}`; fields left out take
/// Keras's defaults. Decoding errors name the field and what was expected.
public enum LayerSpec: Sendable, Equatable, Hashable {
    /// Token ids → vectors; the vocabulary size comes from the model spec. `trainable` false
    /// freezes the vectors (Keras's `trainable=False`: no gradient step, counted as
    /// non-trainable). `pretrained` names a word-vector file (fastText `.vec` or GloVe `.txt`)
    /// whose vectors start the rows of the tokens it has; the engine builds the layer without
    /// reading it, and the session that begins a run writes the vectors into the run's first
    /// weights (`PretrainedEmbeddings`), so the run never needs the file again.
    case embedding(dim: Int, maskZero: Bool = false, trainable: Bool = true, pretrained: String? = nil)
    case dense(units: Int, activation: Activation = .linear, useBias: Bool = true)
    case simpleRNN(units: Int, returnSequences: Bool = false)
    case lstm(units: Int, returnSequences: Bool = false)
    case gru(units: Int, returnSequences: Bool = false)
    case conv1D(filters: Int, kernelSize: Int, strides: Int = 1, padding: String = "valid",
                dilation: Int = 1, activation: Activation = .linear)
    case globalMaxPooling1D
    case globalAveragePooling1D
    case dropout(rate: Float)
    case layerNormalization(epsilon: Float = 1e-3)
    case multiHeadAttention(heads: Int, keyDim: Int)
    /// Learned position vectors added to a sequence (gives attention the token order).
    case positionEmbedding
    /// Self-attention + residual + LayerNorm + feed-forward + residual + LayerNorm.
    case transformerEncoder(heads: Int, keyDim: Int, feedForwardDim: Int)
    /// Two copies of a SimpleRNN, LSTM or GRU (`layer`), one reading the sequence backwards,
    /// their outputs merged by `mergeMode`: concat, sum, ave or mul. JSON:
    /// `{"type": "bidirectional", "layer": {"type": "lstm", "units": 32}, "merge_mode": "concat"}`.
    indirect case bidirectional(layer: LayerSpec, mergeMode: String = "concat")
    /// Windows of `poolSize` steps, `strides` apart (nil: `poolSize`, as Keras); padding valid or same.
    case maxPooling1D(poolSize: Int = 2, strides: Int? = nil, padding: String = "valid")
    case averagePooling1D(poolSize: Int = 2, strides: Int? = nil, padding: String = "valid")
    case flatten
    /// Dropout of whole channels of a sequence.
    case spatialDropout1D(rate: Float)

    /// The layer's type, which names it (`LayerKind`).
    public var type: LayerKind {
        switch self {
        case .embedding: return .embedding
        case .dense: return .dense
        case .simpleRNN: return .simpleRNN
        case .lstm: return .lstm
        case .gru: return .gru
        case .conv1D: return .conv1D
        case .globalMaxPooling1D: return .globalMaxPooling1D
        case .globalAveragePooling1D: return .globalAveragePooling1D
        case .dropout: return .dropout
        case .layerNormalization: return .layerNormalization
        case .multiHeadAttention: return .multiHeadAttention
        case .positionEmbedding: return .positionEmbedding
        case .transformerEncoder: return .transformerEncoder
        case .bidirectional: return .bidirectional
        case .maxPooling1D: return .maxPooling1D
        case .averagePooling1D: return .averagePooling1D
        case .flatten: return .flatten
        case .spatialDropout1D: return .spatialDropout1D
        }
    }

    /// The `type` tag in JSON.
    public var typeName: String { type.rawValue }
    public var kerasClassName: String { type.kerasClassName }
    public static let typeNames = LayerKind.allCases.map(\.rawValue)

    /// The layer types Bidirectional can wrap.
    public static let bidirectionalTypeNames = [LayerKind.simpleRNN, .lstm, .gru].map(\.rawValue)
    public static let mergeModes = BidirectionalLayer.MergeMode.allCases.map(\.rawValue)

    /// Throws when a value is out of range, naming the field (`layers[i].field`).
    public func validate(index i: Int) throws {
        if let p = problem { throw EngineError.invalidSpec(field: "layers[\(i)].\(p.field)", reason: p.reason) }
    }

    /// The first field out of its range (`Limits`), with its JSON name and why, or nil.
    public var problem: (field: String, reason: String)? {
        func size(_ v: Int, _ f: String, _ limit: Int) -> (field: String, reason: String)? {
            Limits.problem(v, in: 1...limit).map { (f, $0) }
        }
        func first(_ checks: (field: String, reason: String)?...) -> (field: String, reason: String)? {
            checks.lazy.compactMap { $0 }.first
        }
        switch self {
        case let .embedding(dim, _, _, pretrained):
            if pretrained?.isEmpty == true { return ("pretrained", "expected the path of a word-vector file, got an empty string") }
            return size(dim, "dim", Limits.maxUnits)
        case let .dense(units, _, _): return size(units, "units", Limits.maxUnits)
        case let .simpleRNN(units, _), let .lstm(units, _), let .gru(units, _): return size(units, "units", Limits.maxUnits)
        case let .conv1D(filters, kernel, strides, padding, dilation, _):
            if let p = first(size(filters, "filters", Limits.maxUnits), size(kernel, "kernel_size", Limits.maxInputLength),
                             size(strides, "strides", Limits.maxInputLength), size(dilation, "dilation_rate", Limits.maxInputLength)) {
                return p
            }
            guard ["valid", "same", "causal"].contains(padding) else {
                return ("padding", "expected valid, same or causal, got '\(padding)'")
            }
            return nil
        case let .dropout(rate), let .spatialDropout1D(rate):
            guard rate >= 0, rate < 1 else { return ("rate", "must be in [0, 1), got \(rate)") }
            return nil
        case let .bidirectional(layer, mergeMode):
            guard Self.bidirectionalTypeNames.contains(layer.typeName) else {
                return ("layer", "Bidirectional wraps a simple_rnn, lstm or gru layer, got \(layer.typeName)")
            }
            if let p = layer.problem { return ("layer.\(p.field)", p.reason) }
            guard Self.mergeModes.contains(mergeMode) else {
                return ("merge_mode", "expected \(Self.mergeModes.joined(separator: ", ")), got '\(mergeMode)'")
            }
            return nil
        case let .maxPooling1D(poolSize, strides, padding), let .averagePooling1D(poolSize, strides, padding):
            if let p = first(size(poolSize, "pool_size", Limits.maxInputLength),
                             strides.flatMap { size($0, "strides", Limits.maxInputLength) }) {
                return p
            }
            guard Pooling1D.Padding(rawValue: padding) != nil else {
                return ("padding", "expected valid or same, got '\(padding)'")
            }
            return nil
        case let .layerNormalization(eps):
            guard eps > 0, eps.isFinite else { return ("epsilon", "must be positive, got \(eps)") }
            return nil
        case let .multiHeadAttention(heads, keyDim):
            return first(size(heads, "num_heads", Limits.maxHeads), size(keyDim, "key_dim", Limits.maxUnits))
        case let .transformerEncoder(heads, keyDim, ff):
            return first(size(heads, "num_heads", Limits.maxHeads), size(keyDim, "key_dim", Limits.maxUnits),
                         size(ff, "feed_forward_dim", Limits.maxUnits))
        case .globalMaxPooling1D, .globalAveragePooling1D, .positionEmbedding, .flatten: return nil
        }
    }

    /// A short description for summaries and the model pane: "LSTM(64)", "Dense(1, sigmoid)".
    public var label: String {
        switch self {
        case let .embedding(dim, mask, trainable, pretrained):
            let file = pretrained.map { ", " + (($0 as NSString).lastPathComponent) } ?? ""
            return "Embedding(\(dim)\(mask ? ", mask_zero" : "")\(file)\(trainable ? "" : ", frozen"))"
        case let .dense(units, act, _): return "Dense(\(units)\(act == .linear ? "" : ", \(act.rawValue)"))"
        case let .simpleRNN(units, seq): return "SimpleRNN(\(units)\(seq ? ", seq" : ""))"
        case let .lstm(units, seq): return "LSTM(\(units)\(seq ? ", seq" : ""))"
        case let .gru(units, seq): return "GRU(\(units)\(seq ? ", seq" : ""))"
        case let .conv1D(f, k, s, p, d, act):
            var parts = ["\(f)", "\(k)"]
            if s != 1 { parts.append("strides=\(s)") }
            if p != "valid" { parts.append(p) }
            if d != 1 { parts.append("dilation=\(d)") }
            if act != .linear { parts.append(act.rawValue) }
            return "Conv1D(" + parts.joined(separator: ", ") + ")"
        case .globalMaxPooling1D: return "GlobalMaxPooling1D"
        case .globalAveragePooling1D: return "GlobalAveragePooling1D"
        case let .dropout(rate): return "Dropout(\(rate))"
        case .layerNormalization: return "LayerNormalization"
        case let .multiHeadAttention(h, k): return "MultiHeadAttention(heads=\(h), key_dim=\(k))"
        case .positionEmbedding: return "PositionEmbedding"
        case let .transformerEncoder(h, k, ff): return "TransformerEncoder(heads=\(h), key_dim=\(k), ff=\(ff))"
        case let .bidirectional(layer, mode): return "Bidirectional(\(layer.label)\(mode == "concat" ? "" : ", \(mode)"))"
        case let .maxPooling1D(p, s, pad), let .averagePooling1D(p, s, pad):
            var parts = ["\(p)"]
            if let s, s != p { parts.append("strides=\(s)") }
            if pad != "valid" { parts.append(pad) }
            return "\(kerasClassName)(" + parts.joined(separator: ", ") + ")"
        case .flatten: return "Flatten"
        case let .spatialDropout1D(rate): return "SpatialDropout1D(\(rate))"
        }
    }
}

extension LayerSpec: Codable {
    enum Key: String, CodingKey {
        case type, dim, maskZero = "mask_zero", units, activation, useBias = "use_bias"
        case returnSequences = "return_sequences", filters, kernelSize = "kernel_size", strides, padding
        case dilation = "dilation_rate", rate, epsilon, heads = "num_heads", keyDim = "key_dim"
        case feedForwardDim = "feed_forward_dim", layer, mergeMode = "merge_mode", poolSize = "pool_size"
        case trainable, pretrained
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let type = try c.decode(String.self, forKey: .type)
        func int(_ k: Key) throws -> Int { try c.decode(Int.self, forKey: k) }
        func bool(_ k: Key, _ d: Bool) throws -> Bool { try c.decodeIfPresent(Bool.self, forKey: k) ?? d }
        func act(_ d: Activation) throws -> Activation {
            guard let name = try c.decodeIfPresent(String.self, forKey: .activation) else { return d }
            guard let a = Activation(rawValue: name) else {
                throw DecodingError.dataCorruptedError(forKey: .activation, in: c,
                    debugDescription: "unknown activation '\(name)' (expected one of: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return a
        }
        guard let layerType = LayerKind(rawValue: type) else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c,
                debugDescription: "unknown layer type '\(type)' (expected one of: \(LayerSpec.typeNames.joined(separator: ", ")))")
        }
        switch layerType {
        case .embedding:
            self = .embedding(dim: try int(.dim), maskZero: try bool(.maskZero, false), trainable: try bool(.trainable, true),
                              pretrained: try c.decodeIfPresent(String.self, forKey: .pretrained))
        case .dense: self = .dense(units: try int(.units), activation: try act(.linear), useBias: try bool(.useBias, true))
        case .simpleRNN: self = .simpleRNN(units: try int(.units), returnSequences: try bool(.returnSequences, false))
        case .lstm: self = .lstm(units: try int(.units), returnSequences: try bool(.returnSequences, false))
        case .gru: self = .gru(units: try int(.units), returnSequences: try bool(.returnSequences, false))
        case .conv1D:
            self = .conv1D(filters: try int(.filters), kernelSize: try int(.kernelSize),
                           strides: try c.decodeIfPresent(Int.self, forKey: .strides) ?? 1,
                           padding: try c.decodeIfPresent(String.self, forKey: .padding) ?? "valid",
                           dilation: try c.decodeIfPresent(Int.self, forKey: .dilation) ?? 1,
                           activation: try act(.linear))
        case .globalMaxPooling1D: self = .globalMaxPooling1D
        case .globalAveragePooling1D: self = .globalAveragePooling1D
        case .dropout: self = .dropout(rate: try c.decode(Float.self, forKey: .rate))
        case .layerNormalization: self = .layerNormalization(epsilon: try c.decodeIfPresent(Float.self, forKey: .epsilon) ?? 1e-3)
        case .multiHeadAttention: self = .multiHeadAttention(heads: try int(.heads), keyDim: try int(.keyDim))
        case .positionEmbedding: self = .positionEmbedding
        case .transformerEncoder:
            self = .transformerEncoder(heads: try int(.heads), keyDim: try int(.keyDim), feedForwardDim: try int(.feedForwardDim))
        case .bidirectional:
            self = .bidirectional(layer: try c.decode(LayerSpec.self, forKey: .layer),
                                  mergeMode: try c.decodeIfPresent(String.self, forKey: .mergeMode) ?? "concat")
        case .maxPooling1D, .averagePooling1D:
            let poolSize = try c.decodeIfPresent(Int.self, forKey: .poolSize) ?? 2
            let strides = try c.decodeIfPresent(Int.self, forKey: .strides)
            let padding = try c.decodeIfPresent(String.self, forKey: .padding) ?? "valid"
            self = layerType == .maxPooling1D ? .maxPooling1D(poolSize: poolSize, strides: strides, padding: padding)
                : .averagePooling1D(poolSize: poolSize, strides: strides, padding: padding)
        case .flatten: self = .flatten
        case .spatialDropout1D: self = .spatialDropout1D(rate: try c.decode(Float.self, forKey: .rate))
        }
        // Out-of-range sizes are refused here, naming the field, before anything is built from them.
        // (A wrapped layer's own fields were checked when it was decoded.)
        if let p = problem {
            let key = Key(rawValue: p.field) ?? .type
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: p.reason)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(typeName, forKey: .type)
        switch self {
        case let .embedding(dim, mask, trainable, pretrained):
            try c.encode(dim, forKey: .dim); try c.encode(mask, forKey: .maskZero)
            // Written only when set, so the JSON of a plain Embedding is as before.
            if !trainable { try c.encode(trainable, forKey: .trainable) }
            try c.encodeIfPresent(pretrained, forKey: .pretrained)
        case let .dense(units, act, bias):
            try c.encode(units, forKey: .units); try c.encode(act, forKey: .activation); try c.encode(bias, forKey: .useBias)
        case let .simpleRNN(units, seq), let .lstm(units, seq), let .gru(units, seq):
            try c.encode(units, forKey: .units); try c.encode(seq, forKey: .returnSequences)
        case let .conv1D(f, k, s, p, d, act):
            try c.encode(f, forKey: .filters); try c.encode(k, forKey: .kernelSize); try c.encode(s, forKey: .strides)
            try c.encode(p, forKey: .padding); try c.encode(d, forKey: .dilation); try c.encode(act, forKey: .activation)
        case .globalMaxPooling1D, .globalAveragePooling1D: break
        case let .dropout(rate): try c.encode(rate, forKey: .rate)
        case let .layerNormalization(eps): try c.encode(eps, forKey: .epsilon)
        case let .multiHeadAttention(h, k): try c.encode(h, forKey: .heads); try c.encode(k, forKey: .keyDim)
        case .positionEmbedding: break
        case let .transformerEncoder(h, k, ff):
            try c.encode(h, forKey: .heads); try c.encode(k, forKey: .keyDim); try c.encode(ff, forKey: .feedForwardDim)
        case let .bidirectional(layer, mode): try c.encode(layer, forKey: .layer); try c.encode(mode, forKey: .mergeMode)
        case let .maxPooling1D(p, s, pad), let .averagePooling1D(p, s, pad):
            try c.encode(p, forKey: .poolSize); try c.encodeIfPresent(s, forKey: .strides); try c.encode(pad, forKey: .padding)
        case .flatten: break
        case let .spatialDropout1D(rate): try c.encode(rate, forKey: .rate)
        }
    }
}

/// A whole model: its input (padded token ids of `inputLength`, ids below `vocabularySize`),
/// its layers, and its loss.
public struct ModelSpec: Codable, Sendable, Equatable {
    public var inputLength: Int
    public var vocabularySize: Int
    public var layers: [LayerSpec]
    public var loss: LossKind

    enum CodingKeys: String, CodingKey {
        case inputLength = "input_length", vocabularySize = "vocabulary_size", layers, loss
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        inputLength = try c.decode(Int.self, forKey: .inputLength)
        vocabularySize = try c.decode(Int.self, forKey: .vocabularySize)
        layers = try c.decode([LayerSpec].self, forKey: .layers)
        loss = try c.decode(LossKind.self, forKey: .loss)
        if let why = Limits.problem(inputLength, in: 1...Limits.maxInputLength) {
            throw DecodingError.dataCorruptedError(forKey: .inputLength, in: c, debugDescription: why)
        }
        if let why = Limits.problem(vocabularySize, in: 2...Limits.maxVocabularySize) {
            throw DecodingError.dataCorruptedError(forKey: .vocabularySize, in: c, debugDescription: why)
        }
    }

    /// Throws `EngineError.invalidSpec` naming the first field outside its range (`Limits`).
    public func validate() throws {
        try Limits.check(inputLength, in: 1...Limits.maxInputLength, field: "input_length")
        try Limits.check(vocabularySize, in: 2...Limits.maxVocabularySize, field: "vocabulary_size")
        guard !layers.isEmpty else { throw EngineError.invalidSpec(field: "layers", reason: "a model needs at least one layer") }
        for (i, l) in layers.enumerated() { try l.validate(index: i) }
    }

    public init(inputLength: Int, vocabularySize: Int, layers: [LayerSpec], loss: LossKind? = nil) {
        self.inputLength = inputLength
        self.vocabularySize = vocabularySize
        self.layers = layers
        self.loss = loss ?? ModelSpec.inferredLoss(layers)
    }

    /// Binary cross-entropy for a one-unit sigmoid head, sparse categorical otherwise.
    public static func inferredLoss(_ layers: [LayerSpec]) -> LossKind {
        if case let .dense(units, act, _)? = layers.last, units == 1, act == .sigmoid { return .binaryCrossentropy }
        return .sparseCategoricalCrossentropy
    }
}
