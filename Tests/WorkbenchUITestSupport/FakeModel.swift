import TerminalUI
@testable import WorkbenchUI

/// A layer stack with Keras's shape and parameter arithmetic, enough for the fake service to
/// answer model edits like the real one would (new shapes and counts, or a refusal).
struct FakeModel: Hashable, Sendable {
    struct Layer: Hashable, Sendable {
        var kind: LayerKind
        var units: Int
        var kernel: Int = 5
        var rate: Double = 0.5
        var activation: String = "linear"
        var keyDim: Int = 32
        var pool: Int = 2
        var mergeMode: String = "concat"
        var wrapped: LayerKind = .lstm

        static func make(_ kind: LayerKind) -> Layer {
            switch kind {
            case .embedding: return Layer(kind: kind, units: 64)
            case .dense: return Layer(kind: kind, units: 64, activation: "relu")
            case .simpleRNN, .lstm, .gru: return Layer(kind: kind, units: 64)
            case .conv1D: return Layer(kind: kind, units: 64, kernel: 5, activation: "relu")
            case .multiHeadAttention, .transformerEncoder: return Layer(kind: kind, units: 2, keyDim: 32)
            case .positionEmbedding: return Layer(kind: kind, units: 0)
            case .dropout: return Layer(kind: kind, units: 0, rate: 0.5)
            case .globalMaxPooling1D, .globalAveragePooling1D, .layerNormalization, .flatten: return Layer(kind: kind, units: 0)
            case .bidirectional: return Layer(kind: kind, units: 64)
            case .maxPooling1D, .averagePooling1D: return Layer(kind: kind, units: 0, pool: 2)
            case .spatialDropout1D: return Layer(kind: kind, units: 0, rate: 0.2)
            }
        }

        var label: String {
            switch kind {
            case .embedding, .simpleRNN, .lstm, .gru: return "\(FakeModel.className(kind))(\(units))"
            case .dense: return activation == "linear" ? "Dense(\(units))" : "Dense(\(units), \(activation))"
            case .conv1D: return "Conv1D(\(units), \(kernel)\(activation == "linear" ? "" : ", " + activation))"
            case .dropout: return "Dropout(\(Fmt.fixed(rate, 2)))"
            case .multiHeadAttention, .transformerEncoder: return "\(FakeModel.className(kind))(\(units)×\(keyDim))"
            case .globalMaxPooling1D, .globalAveragePooling1D, .layerNormalization, .positionEmbedding, .flatten: return FakeModel.className(kind)
            case .bidirectional: return "Bidirectional(\(FakeModel.className(wrapped))(\(units))\(mergeMode == "concat" ? "" : ", " + mergeMode))"
            case .maxPooling1D, .averagePooling1D: return "\(FakeModel.className(kind))(\(pool))"
            case .spatialDropout1D: return "SpatialDropout1D(\(Fmt.fixed(rate, 2)))"
            }
        }

        var settings: [LayerSetting] {
            let activations = FakeModel.activations
            switch kind {
            case .embedding: return [LayerSetting(kind: .units, label: "dim", value: "\(units)")]
            case .dense: return [LayerSetting(kind: .units, value: "\(units)"),
                                 LayerSetting(kind: .activation, value: activation, choices: activations)]
            case .simpleRNN, .lstm, .gru: return [LayerSetting(kind: .units, value: "\(units)")]
            case .conv1D: return [LayerSetting(kind: .units, label: "filters", value: "\(units)"),
                                  LayerSetting(kind: .kernelSize, value: "\(kernel)"),
                                  LayerSetting(kind: .activation, value: activation, choices: activations)]
            case .dropout, .spatialDropout1D: return [LayerSetting(kind: .rate, value: Fmt.fixed(rate, 2))]
            case .multiHeadAttention, .transformerEncoder: return [LayerSetting(kind: .units, label: "heads", value: "\(units)")]
            case .bidirectional: return [LayerSetting(kind: .units, value: "\(units)"),
                                         LayerSetting(kind: .mergeMode, value: mergeMode, choices: FakeModel.mergeModes),
                                         LayerSetting(kind: .wrappedLayer, value: wrapped.rawValue, choices: FakeModel.wrappable.map(\.rawValue))]
            case .maxPooling1D, .averagePooling1D: return [LayerSetting(kind: .poolSize, value: "\(pool)")]
            case .globalMaxPooling1D, .globalAveragePooling1D, .layerNormalization, .positionEmbedding, .flatten: return []
            }
        }
    }

    /// Keras's class name of a layer type: the fake's stand-in for the engine's names (the
    /// real service takes them from `LayerSpec.kerasClassName`).
    public static func className(_ kind: LayerKind) -> String {
        switch kind {
        case .simpleRNN: return "SimpleRNN"
        case .lstm: return "LSTM"
        case .gru: return "GRU"
        case .conv1D: return "Conv1D"
        case .globalMaxPooling1D: return "GlobalMaxPooling1D"
        case .globalAveragePooling1D: return "GlobalAveragePooling1D"
        case .layerNormalization: return "LayerNormalization"
        case .multiHeadAttention: return "MultiHeadAttention"
        case .positionEmbedding: return "PositionEmbedding"
        case .transformerEncoder: return "TransformerEncoder"
        case .maxPooling1D: return "MaxPooling1D"
        case .averagePooling1D: return "AveragePooling1D"
        case .spatialDropout1D: return "SpatialDropout1D"
        case .embedding, .dense, .dropout, .bidirectional, .flatten: return kind.rawValue.prefix(1).uppercased() + kind.rawValue.dropFirst()
        }
    }

    /// Every layer type, named as the real service names them.
    public static let palette = LayerKind.allCases.map { LayerType(kind: $0, displayName: className($0)) }

    static let activations = ["linear", "relu", "gelu", "tanh", "sigmoid", "softmax"]
    static let mergeModes = ["concat", "sum", "ave", "mul"]
    static let wrappable: [LayerKind] = [.lstm, .gru, .simpleRNN]

    static let presets: [(name: String, summary: String, body: [Layer])] = [
        ("seed", "Embedding 10 → LSTM 10 (the seed's model)",
         [Layer(kind: .embedding, units: 10), Layer(kind: .lstm, units: 10)]),
        ("lstm", "Embedding 64 → LSTM 64", [.make(.embedding), .make(.lstm)]),
        ("gru", "Embedding 64 → GRU 64", [.make(.embedding), .make(.gru)]),
        ("cnn", "Embedding 64 → Conv1D(64, 5, relu) → GlobalMaxPooling1D",
         [.make(.embedding), .make(.conv1D), .make(.globalMaxPooling1D)]),
        ("attention", "Embedding 64 → MultiHeadAttention(2×32) → LayerNorm → GlobalAveragePooling1D",
         [.make(.embedding), .make(.multiHeadAttention), .make(.layerNormalization), .make(.globalAveragePooling1D)]),
    ]

    var body: [Layer]
    var vocabulary: Int
    var sequenceLength: Int
    var classes: Int
    var preset: String?

    init(preset: String, vocabulary: Int, sequenceLength: Int, classes: Int) {
        let p = Self.presets.first { $0.name == preset } ?? Self.presets[1]
        body = p.body
        self.vocabulary = vocabulary
        self.sequenceLength = sequenceLength
        self.classes = max(2, classes)
        self.preset = p.name
    }

    var headUnits: Int { classes <= 2 ? 1 : classes }
    var headActivation: String { classes <= 2 ? "sigmoid" : "softmax" }

    /// Output shapes and parameter counts, or why the stack cannot be built.
    func build() -> Result<ModelSnapshot, EditInputError> {
        guard let first = body.first, first.kind == .embedding else {
            return .failure(EditInputError("the first layer must be an Embedding (it turns token ids into vectors)"))
        }
        var shape = [sequenceLength]       // without the batch dimension
        var layers: [LayerSnapshot] = []
        var seen: [LayerKind: Int] = [:]
        func name(_ kind: LayerKind) -> String {
            let n = seen[kind, default: 0]
            seen[kind] = n + 1
            return n == 0 ? kind.rawValue : "\(kind.rawValue)_\(n)"
        }
        func show(_ s: [Int]) -> String { "(None, " + s.map(String.init).joined(separator: ", ") + ")" }
        for (i, layer) in body.enumerated() {
            let f = shape.last ?? 0
            var params = 0
            let before = show(shape)
            func needsSequence() -> EditInputError? {
                shape.count == 2 ? nil : EditInputError(
                    "\(layer.label) needs a sequence input (None, steps, features), but layer \(i) gives \(before)")
            }
            switch layer.kind {
            case .embedding:
                guard i == 0 else { return .failure(EditInputError("an Embedding can only be the first layer")) }
                params = vocabulary * layer.units
                shape = [sequenceLength, layer.units]
            case .dense:
                params = f * layer.units + layer.units
                shape[shape.count - 1] = layer.units
            case .simpleRNN, .lstm, .gru, .bidirectional:
                if let e = needsSequence() { return .failure(e) }
                let u = layer.units
                switch layer.kind == .bidirectional ? layer.wrapped : layer.kind {
                case .simpleRNN: params = u * (f + u) + u
                case .lstm: params = 4 * (u * (f + u) + u)
                default: params = 3 * (u * (f + u) + 2 * u)
                }
                shape = [u]
                if layer.kind == .bidirectional {
                    params *= 2
                    if layer.mergeMode == "concat" { shape = [2 * u] }
                }
            case .maxPooling1D, .averagePooling1D:
                if let e = needsSequence() { return .failure(e) }
                guard shape[0] >= layer.pool else {
                    return .failure(EditInputError("pool size \(layer.pool) is longer than the \(shape[0]) steps it gets"))
                }
                shape = [shape[0] / layer.pool, f]
            case .flatten:
                shape = [shape.reduce(1, *)]
            case .spatialDropout1D:
                if let e = needsSequence() { return .failure(e) }
            case .conv1D:
                if let e = needsSequence() { return .failure(e) }
                let steps = shape[0] - layer.kernel + 1
                guard steps >= 1 else {
                    return .failure(EditInputError("kernel \(layer.kernel) is longer than the \(shape[0]) steps it gets"))
                }
                params = layer.kernel * f * layer.units + layer.units
                shape = [steps, layer.units]
            case .globalMaxPooling1D, .globalAveragePooling1D:
                if let e = needsSequence() { return .failure(e) }
                shape = [f]
            case .dropout:
                break
            case .layerNormalization:
                params = 2 * f
            case .multiHeadAttention:
                if let e = needsSequence() { return .failure(e) }
                let hk = layer.units * layer.keyDim
                params = 3 * (f * hk + hk) + hk * f + f
            case .transformerEncoder:
                if let e = needsSequence() { return .failure(e) }
                let hk = layer.units * layer.keyDim
                params = 3 * (f * hk + hk) + hk * f + f + 4 * f + (f * 64 + 64) + (64 * f + f)
            case .positionEmbedding:
                if let e = needsSequence() { return .failure(e) }
                params = shape[0] * f
            }
            layers.append(LayerSnapshot(name: name(layer.kind), typeLabel: layer.label, kind: layer.kind,
                                        outputShape: show(shape), parameterCount: params, settings: layer.settings))
        }
        guard shape.count == 1 else {
            return .failure(EditInputError(
                "the output layer needs (None, features), but the last layer gives \(show(shape)): add a pooling or recurrent layer"))
        }
        let f = shape[0]
        let headLabel = "Dense(\(headUnits), \(headActivation))"
        layers.append(LayerSnapshot(name: name(.dense), typeLabel: headLabel, kind: .dense,
                                    outputShape: show([headUnits]), parameterCount: f * headUnits + headUnits))
        return .success(ModelSnapshot(
            layers: layers, inputShape: show([sequenceLength]), optimizer: "Adam",
            optimizerSettings: [NamedValue("lr", "0.001"), NamedValue("β1", "0.9"), NamedValue("β2", "0.999")],
            loss: classes <= 2 ? "binary_crossentropy" : "sparse_categorical_crossentropy", preset: preset))
    }

    /// The model after `edit`, or why not.
    func applying(_ edit: ModelEdit) -> Result<FakeModel, EditInputError> {
        var m = self
        let head = body.count     // index of the output layer
        func layerIndex(_ i: Int) -> Result<Int, EditInputError> {
            if i == head { return .failure(EditInputError("the output layer follows the number of classes (\(classes)); it cannot be changed")) }
            guard body.indices.contains(i) else { return .failure(EditInputError("there is no layer \(i + 1)")) }
            return .success(i)
        }
        switch edit {
        case let .addLayer(kind, at):
            guard at >= 0, at <= head else { return .failure(EditInputError("new layers go before the output layer")) }
            m.body.insert(.make(kind), at: at)
        case let .deleteLayer(at):
            switch layerIndex(at) {
            case let .failure(e): return .failure(e)
            case let .success(i): m.body.remove(at: i)
            }
        case let .moveLayer(from, to):
            switch layerIndex(from) {
            case let .failure(e): return .failure(e)
            case let .success(i):
                guard to >= 0, to < head else { return .failure(EditInputError("the output layer stays last")) }
                let l = m.body.remove(at: i)
                m.body.insert(l, at: to)
            }
        case let .setUnits(layer, units):
            switch layerIndex(layer) {
            case let .failure(e): return .failure(e)
            case let .success(i):
                guard units > 0, units <= 4096 else { return .failure(EditInputError("units must be from 1 to 4096")) }
                guard !m.body[i].settings.filter({ $0.kind == .units }).isEmpty else {
                    return .failure(EditInputError("\(m.body[i].label) has no units"))
                }
                m.body[i].units = units
            }
        case let .setActivation(layer, activation):
            switch layerIndex(layer) {
            case let .failure(e): return .failure(e)
            case let .success(i):
                guard Self.activations.contains(activation) else {
                    return .failure(EditInputError("unknown activation \"\(activation)\" (known: \(Self.activations.joined(separator: ", ")))"))
                }
                guard m.body[i].kind == .dense || m.body[i].kind == .conv1D else {
                    return .failure(EditInputError("\(m.body[i].label) has no activation setting"))
                }
                m.body[i].activation = activation
            }
        case let .setDropoutRate(layer, rate):
            switch layerIndex(layer) {
            case let .failure(e): return .failure(e)
            case let .success(i):
                guard m.body[i].kind == .dropout || m.body[i].kind == .spatialDropout1D else {
                    return .failure(EditInputError("\(m.body[i].label) has no rate"))
                }
                guard rate >= 0, rate < 1 else { return .failure(EditInputError("the rate must be at least 0 and below 1")) }
                m.body[i].rate = rate
            }
        case let .setKernelSize(layer, size):
            switch layerIndex(layer) {
            case let .failure(e): return .failure(e)
            case let .success(i):
                guard m.body[i].kind == .conv1D else { return .failure(EditInputError("\(m.body[i].label) has no kernel")) }
                guard size > 0 else { return .failure(EditInputError("the kernel size must be above 0")) }
                m.body[i].kernel = size
            }
        case let .setPoolSize(layer, size):
            switch layerIndex(layer) {
            case let .failure(e): return .failure(e)
            case let .success(i):
                guard [.maxPooling1D, .averagePooling1D].contains(m.body[i].kind) else {
                    return .failure(EditInputError("\(m.body[i].label) has no pool size"))
                }
                guard size > 0 else { return .failure(EditInputError("the pool size must be above 0")) }
                m.body[i].pool = size
            }
        case let .setMergeMode(layer, mode):
            switch layerIndex(layer) {
            case let .failure(e): return .failure(e)
            case let .success(i):
                guard m.body[i].kind == .bidirectional else { return .failure(EditInputError("\(m.body[i].label) has no merge mode")) }
                guard Self.mergeModes.contains(mode) else {
                    return .failure(EditInputError("unknown merge mode \"\(mode)\" (known: \(Self.mergeModes.joined(separator: ", ")))"))
                }
                m.body[i].mergeMode = mode
            }
        case let .setWrappedLayer(layer, kindName):
            switch layerIndex(layer) {
            case let .failure(e): return .failure(e)
            case let .success(i):
                guard m.body[i].kind == .bidirectional else { return .failure(EditInputError("\(m.body[i].label) wraps no layer")) }
                guard let kind = LayerKind(name: kindName), Self.wrappable.contains(kind) else {
                    return .failure(EditInputError("Bidirectional wraps lstm, gru or simple_rnn, not \"\(kindName)\""))
                }
                m.body[i].wrapped = kind
            }
        case .setVectors, .setTrainable:
            // The fake has no files to read vectors from; the real service's tests cover them.
            return .failure(EditInputError("pretrained vectors need the real service"))
        case let .applyPreset(name):
            guard let p = Self.presets.first(where: { $0.name == name.lowercased() }) else {
                return .failure(EditInputError("no preset \"\(name)\" (presets: \(Self.presets.map(\.name).joined(separator: ", ")))"))
            }
            m.body = p.body
            m.preset = p.name
            return .success(m)
        case .undo, .redo:
            return .failure(EditInputError("\(edit) is the service's: the model keeps no history"))
        }
        m.preset = nil
        if case let .failure(e) = m.build() { return .failure(e) }
        return .success(m)
    }
}
