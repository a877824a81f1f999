import Engine
import Foundation
import Sessions
import TextData
import WorkbenchUI

/// Model edits from the model pane, applied to a layer list and checked by building the model:
/// an edit that cannot work is refused with the engine's reason.
enum ModelEditing {
    /// The layer a kind adds by default.
    static func defaultSpec(_ kind: LayerKind) -> LayerSpec {
        switch kind {
        case .embedding: return .embedding(dim: 64)
        case .dense: return .dense(units: 64, activation: .relu)
        case .simpleRNN: return .simpleRNN(units: 64)
        case .lstm: return .lstm(units: 64)
        case .gru: return .gru(units: 64)
        case .conv1D: return .conv1D(filters: 64, kernelSize: 5, activation: .relu)
        case .globalMaxPooling1D: return .globalMaxPooling1D
        case .globalAveragePooling1D: return .globalAveragePooling1D
        case .dropout: return .dropout(rate: 0.5)
        case .layerNormalization: return .layerNormalization()
        case .multiHeadAttention: return .multiHeadAttention(heads: 2, keyDim: 32)
        case .positionEmbedding: return .positionEmbedding
        case .transformerEncoder: return .transformerEncoder(heads: 2, keyDim: 32, feedForwardDim: 64)
        case .bidirectional: return .bidirectional(layer: .lstm(units: 64))
        case .maxPooling1D: return .maxPooling1D()
        case .averagePooling1D: return .averagePooling1D()
        case .flatten: return .flatten
        case .spatialDropout1D: return .spatialDropout1D(rate: 0.2)
        }
    }

    /// The layer types the model pane offers, named by the engine (`LayerSpec.kerasClassName`):
    /// the one table of layer names.
    static let palette: [LayerType] = LayerKind.allCases.map { LayerType(kind: $0, displayName: $0.kerasClassName) }

    /// The recurrent layer `kind` with `units` (what Bidirectional can wrap), or nil.
    static func recurrent(_ kind: LayerKind, units: Int, returnSequences: Bool) -> LayerSpec? {
        switch kind {
        case .lstm: return .lstm(units: units, returnSequences: returnSequences)
        case .gru: return .gru(units: units, returnSequences: returnSequences)
        case .simpleRNN: return .simpleRNN(units: units, returnSequences: returnSequences)
        default: return nil
        }
    }

    /// Units and return_sequences of a recurrent spec.
    static func recurrentSettings(_ spec: LayerSpec) -> (units: Int, returnSequences: Bool)? {
        switch spec {
        case let .lstm(u, s), let .gru(u, s), let .simpleRNN(u, s): return (u, s)
        default: return nil
        }
    }

    static func kind(of spec: LayerSpec) -> LayerKind? { LayerKind(rawValue: spec.typeName) }

    /// Recurrent layers return sequences exactly when a later layer still needs the time axis,
    /// so adding or moving layers keeps a stack that works.
    static func normalised(_ layers: [LayerSpec]) -> [LayerSpec] {
        func needsSequence(_ s: LayerSpec) -> Bool {
            switch s {
            case .simpleRNN, .lstm, .gru, .conv1D, .globalMaxPooling1D, .globalAveragePooling1D, .multiHeadAttention,
                 .positionEmbedding, .transformerEncoder, .bidirectional, .maxPooling1D, .averagePooling1D,
                 .spatialDropout1D: return true
            default: return false
            }
        }
        var out = layers
        for i in out.indices {
            let later = out[(i + 1)...].contains(where: needsSequence)
            switch out[i] {
            case let .simpleRNN(u, _): out[i] = .simpleRNN(units: u, returnSequences: later)
            case let .lstm(u, _): out[i] = .lstm(units: u, returnSequences: later)
            case let .gru(u, _): out[i] = .gru(units: u, returnSequences: later)
            case let .bidirectional(inner, mode):
                if let kind = kind(of: inner), let r = recurrentSettings(inner),
                   let wrapped = recurrent(kind, units: r.units, returnSequences: later) {
                    out[i] = .bidirectional(layer: wrapped, mergeMode: mode)
                }
            default: break
            }
        }
        return out
    }

    /// The pool size of a pooling spec (0 for any other layer).
    static func poolSize(_ spec: LayerSpec) -> Int {
        switch spec {
        case let .maxPooling1D(p, _, _), let .averagePooling1D(p, _, _): return p
        default: return 0
        }
    }

    enum Refusal: Error, CustomStringConvertible {
        case because(String)
        var description: String { if case let .because(s) = self { return s }; return "" }
    }

    /// The layer list after `edit`, normalised and proven to build; or why not.
    static func apply(_ edit: ModelEdit, to layers: [LayerSpec], spec: ModelSpec, classes: Int) throws -> [LayerSpec] {
        var l = layers
        func check(_ i: Int) throws {
            guard l.indices.contains(i) else { throw Refusal.because("there is no layer \(i + 1)") }
        }
        switch edit {
        case let .addLayer(kind, at):
            let i = min(max(at, 0), l.count)
            if kind == .embedding && i != 0 { throw Refusal.because("an Embedding takes token ids, so it can only be the first layer") }
            if i == 0 && kind != .embedding { throw Refusal.because("the first layer must be the Embedding (it turns token ids into vectors)") }
            l.insert(defaultSpec(kind), at: i)
        case let .deleteLayer(at):
            try check(at)
            if at == 0 { throw Refusal.because("the Embedding is needed: it turns token ids into vectors") }
            if at == l.count - 1 { throw Refusal.because("the output layer is needed: it gives one score per class") }
            l.remove(at: at)
        case let .moveLayer(from, to):
            try check(from)
            guard l.indices.contains(to) else { throw Refusal.because("there is no position \(to + 1)") }
            if from == 0 || to == 0 { throw Refusal.because("the Embedding stays first") }
            if from == l.count - 1 || to == l.count - 1 { throw Refusal.because("the output layer stays last") }
            l.insert(l.remove(at: from), at: to)
        case let .setUnits(i, units):
            try check(i)
            guard units > 0 else { throw Refusal.because("units must be positive") }
            switch l[i] {
            case let .embedding(_, m, t, p): l[i] = .embedding(dim: units, maskZero: m, trainable: t, pretrained: p)
            case let .dense(_, a, b):
                if i == l.count - 1 { throw Refusal.because("the output layer has one unit per class (\(classes <= 2 ? 1 : classes)); it follows the data") }
                l[i] = .dense(units: units, activation: a, useBias: b)
            case let .simpleRNN(_, s): l[i] = .simpleRNN(units: units, returnSequences: s)
            case let .lstm(_, s): l[i] = .lstm(units: units, returnSequences: s)
            case let .gru(_, s): l[i] = .gru(units: units, returnSequences: s)
            case let .conv1D(_, k, st, p, d, a): l[i] = .conv1D(filters: units, kernelSize: k, strides: st, padding: p, dilation: d, activation: a)
            case let .multiHeadAttention(_, k): l[i] = .multiHeadAttention(heads: units, keyDim: k)
            case let .transformerEncoder(_, k, ff): l[i] = .transformerEncoder(heads: units, keyDim: k, feedForwardDim: ff)
            case let .bidirectional(inner, mode):
                guard let kind = kind(of: inner), let r = recurrentSettings(inner),
                      let wrapped = recurrent(kind, units: units, returnSequences: r.returnSequences) else {
                    throw Refusal.because("\(l[i].label) has no units to change")
                }
                l[i] = .bidirectional(layer: wrapped, mergeMode: mode)
            default: throw Refusal.because("\(l[i].kerasClassName) has no units to change")
            }
        case let .setActivation(i, name):
            try check(i)
            guard let a = Activation(rawValue: name) else {
                throw Refusal.because("unknown activation '\(name)' (\(Activation.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            switch l[i] {
            case let .dense(u, _, b):
                if i == l.count - 1 { throw Refusal.because("the output layer's activation follows the loss (sigmoid or softmax)") }
                l[i] = .dense(units: u, activation: a, useBias: b)
            case let .conv1D(f, k, st, p, d, _): l[i] = .conv1D(filters: f, kernelSize: k, strides: st, padding: p, dilation: d, activation: a)
            default: throw Refusal.because("\(l[i].kerasClassName) has no activation to change")
            }
        case let .setDropoutRate(i, rate):
            try check(i)
            switch l[i] {
            case .dropout: l[i] = .dropout(rate: Float(rate))
            case .spatialDropout1D: l[i] = .spatialDropout1D(rate: Float(rate))
            default: throw Refusal.because("layer \(i + 1) is not a Dropout or SpatialDropout1D layer")
            }
        case let .setKernelSize(i, size):
            try check(i)
            guard case let .conv1D(f, _, st, p, d, a) = l[i] else { throw Refusal.because("layer \(i + 1) is not a Conv1D layer") }
            l[i] = .conv1D(filters: f, kernelSize: size, strides: st, padding: p, dilation: d, activation: a)
        case let .setPoolSize(i, size):
            try check(i)
            switch l[i] {
            case let .maxPooling1D(_, strides, p):
                // Strides follow the pool unless the spec set them apart from it.
                l[i] = .maxPooling1D(poolSize: size, strides: strides.flatMap { s in s == poolSize(l[i]) ? nil : s }, padding: p)
            case let .averagePooling1D(_, strides, p):
                l[i] = .averagePooling1D(poolSize: size, strides: strides.flatMap { s in s == poolSize(l[i]) ? nil : s }, padding: p)
            default: throw Refusal.because("layer \(i + 1) is not a MaxPooling1D or AveragePooling1D layer")
            }
        case let .setMergeMode(i, mode):
            try check(i)
            guard case let .bidirectional(inner, _) = l[i] else { throw Refusal.because("layer \(i + 1) is not a Bidirectional layer") }
            guard LayerSpec.mergeModes.contains(mode) else {
                throw Refusal.because("unknown merge mode '\(mode)' (\(LayerSpec.mergeModes.joined(separator: ", ")))")
            }
            l[i] = .bidirectional(layer: inner, mergeMode: mode)
        case let .setWrappedLayer(i, name):
            try check(i)
            guard case let .bidirectional(inner, mode) = l[i], let r = recurrentSettings(inner) else {
                throw Refusal.because("layer \(i + 1) is not a Bidirectional layer")
            }
            guard let kind = LayerKind(name: name), let wrapped = recurrent(kind, units: r.units, returnSequences: r.returnSequences) else {
                throw Refusal.because("Bidirectional wraps lstm, gru or simple_rnn, not '\(name)'")
            }
            l[i] = .bidirectional(layer: wrapped, mergeMode: mode)
        case let .setVectors(i, file, trainable):
            try check(i)
            guard case let .embedding(dim, mask, wasTrainable, _) = l[i] else { throw Refusal.because("layer \(i + 1) is not an Embedding layer") }
            if let file {
                // The file's dimension becomes the layer's output_dim; a bad first line is refused now.
                let path = URL(fileURLWithPath: file).standardizedFileURL.path
                let found: Int
                do { found = try WordVectors.dimension(of: path).dim } catch { throw Refusal.because("\(error)") }
                l[i] = .embedding(dim: found, maskZero: mask, trainable: trainable ?? wasTrainable, pretrained: path)
            } else {
                l[i] = .embedding(dim: dim, maskZero: mask, trainable: trainable ?? wasTrainable, pretrained: nil)
            }
        case let .setTrainable(i, trainable):
            try check(i)
            guard case let .embedding(dim, mask, _, file) = l[i] else { throw Refusal.because("only an Embedding layer can be frozen here") }
            l[i] = .embedding(dim: dim, maskZero: mask, trainable: trainable, pretrained: file)
        case let .applyPreset(name):
            guard let preset = ModelPreset(rawValue: name) else {
                throw Refusal.because("unknown preset '\(name)' (\(ModelPreset.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            l = preset.layers(classes: classes)
        case .undo, .redo:
            // The service keeps the history: these never reach the layer arithmetic.
            throw Refusal.because("\(edit) is not an edit of the layers")
        }
        l = normalised(l)
        var candidate = spec
        candidate.layers = l
        do {
            _ = try Sequential(spec: candidate, seed: 0)
        } catch {
            throw Refusal.because("\(error)")
        }
        return l
    }
}
