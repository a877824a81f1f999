/// A change to the model the model pane asks for. Indices are positions in
/// `ModelSnapshot.layers` as the pane last saw them.
public enum ModelEdit: Hashable, Sendable, CustomStringConvertible {
    /// Inserts a layer of `kind` (with the service's default settings) at `index`
    /// (0...layers.count; the pane passes the selection + 1 to add below it).
    case addLayer(LayerKind, at: Int)
    case deleteLayer(at: Int)
    /// Moves the layer at `from` so that it ends up at `to`.
    case moveLayer(from: Int, to: Int)
    /// Units of Dense/SimpleRNN/LSTM/GRU, filters of Conv1D, output size of Embedding.
    case setUnits(layer: Int, units: Int)
    case setActivation(layer: Int, activation: String)
    case setDropoutRate(layer: Int, rate: Double)
    case setKernelSize(layer: Int, size: Int)
    /// Pool size of MaxPooling1D / AveragePooling1D.
    case setPoolSize(layer: Int, size: Int)
    /// Bidirectional's merge mode (concat, sum, ave, mul).
    case setMergeMode(layer: Int, mode: String)
    /// The recurrent layer a Bidirectional wraps (lstm, gru, simple_rnn), keeping its units.
    case setWrappedLayer(layer: Int, kind: String)
    /// Pretrained vectors for the Embedding at `layer`: a fastText .vec / GloVe .txt file (its
    /// dimension becomes the layer's), or nil for none; `trainable` nil keeps the layer's.
    case setVectors(layer: Int, file: String?, trainable: Bool?)
    /// Whether the Embedding at `layer` trains (false: frozen, Keras's trainable=False).
    case setTrainable(layer: Int, trainable: Bool)
    /// Replaces the model with a named preset (see `WorkbenchSnapshot.presets`).
    case applyPreset(String)
    /// Goes back to the model before the last edit (the service keeps a bounded history).
    case undo
    /// Does again the last edit undone.
    case redo

    public var description: String {
        switch self {
        case let .addLayer(kind, at): return "add \(kind.rawValue) at \(at)"
        case let .deleteLayer(at): return "delete layer \(at)"
        case let .moveLayer(from, to): return "move layer \(from) to \(to)"
        case let .setUnits(layer, units): return "set units of layer \(layer) to \(units)"
        case let .setActivation(layer, a): return "set activation of layer \(layer) to \(a)"
        case let .setDropoutRate(layer, rate): return "set rate of layer \(layer) to \(rate)"
        case let .setKernelSize(layer, size): return "set kernel of layer \(layer) to \(size)"
        case let .setPoolSize(layer, size): return "set pool size of layer \(layer) to \(size)"
        case let .setMergeMode(layer, mode): return "set merge mode of layer \(layer) to \(mode)"
        case let .setWrappedLayer(layer, kind): return "set the layer wrapped by layer \(layer) to \(kind)"
        case let .setVectors(layer, file, trainable):
            let how = trainable.map { $0 ? ", fine-tuned" : ", frozen" } ?? ""
            return file.map { "layer \(layer) starts from \($0)\(how)" } ?? "layer \(layer) starts from random vectors"
        case let .setTrainable(layer, trainable): return "layer \(layer) \(trainable ? "trains" : "is frozen")"
        case let .applyPreset(name): return "preset \(name)"
        case .undo: return "undo"
        case .redo: return "redo"
        }
    }

    /// The edit that sets `setting` of layer `layer` to the text `value`, or a message saying
    /// what was expected.
    public static func setting(_ setting: LayerSettingKind, layer: Int, value: String) -> Result<ModelEdit, EditInputError> {
        let v = value.trimmingSpaces()
        switch setting {
        case .units:
            guard let n = Int(v), n > 0 else { return .failure(EditInputError("units must be a whole number above 0, not \"\(v)\"")) }
            return .success(.setUnits(layer: layer, units: n))
        case .kernelSize:
            guard let n = Int(v), n > 0 else { return .failure(EditInputError("kernel size must be a whole number above 0, not \"\(v)\"")) }
            return .success(.setKernelSize(layer: layer, size: n))
        case .rate:
            guard let r = Double(v), r.isFinite, r >= 0, r < 1 else {
                return .failure(EditInputError("rate must be a number from 0 up to (not including) 1, not \"\(v)\""))
            }
            return .success(.setDropoutRate(layer: layer, rate: r))
        case .activation:
            guard !v.isEmpty else { return .failure(EditInputError("activation must be a name such as relu")) }
            return .success(.setActivation(layer: layer, activation: v))
        case .poolSize:
            guard let n = Int(v), n > 0 else { return .failure(EditInputError("pool size must be a whole number above 0, not \"\(v)\"")) }
            return .success(.setPoolSize(layer: layer, size: n))
        case .mergeMode:
            guard !v.isEmpty else { return .failure(EditInputError("merge mode must be one of concat, sum, ave, mul")) }
            return .success(.setMergeMode(layer: layer, mode: v.lowercased()))
        case .wrappedLayer:
            guard !v.isEmpty else { return .failure(EditInputError("the wrapped layer must be one of lstm, gru, simple_rnn")) }
            return .success(.setWrappedLayer(layer: layer, kind: v))
        case .vectors:
            guard !v.isEmpty else { return .failure(EditInputError("vectors must be the path of a .vec or .txt file, or none")) }
            return .success(.setVectors(layer: layer, file: v == "none" ? nil : v, trainable: nil))
        case .trainable:
            switch v.lowercased() {
            case "yes", "true", "on": return .success(.setTrainable(layer: layer, trainable: true))
            case "no", "false", "off", "frozen", "freeze": return .success(.setTrainable(layer: layer, trainable: false))
            default: return .failure(EditInputError("trainable must be yes or no, not \"\(v)\""))
            }
        }
    }
}

/// Text typed into an edit prompt that cannot become an edit.
public struct EditInputError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    /// Without leading and trailing whitespace.
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}

/// A change of how the model trains (not what it is): the plan takes it, and so does the
/// run it continues, which records it from the step it applies at.
public enum TrainingSettingsChange: Hashable, Sendable {
    case learningRate(Double)
    /// Epochs planned for the run (a finished run trains on to this many).
    case epochs(Int)
    /// Examples per batch (a run part way through an epoch takes it at the epoch's end).
    case batchSize(Int)
    /// The learning-rate schedule in `--lr-schedule`'s form, from the current rate
    /// (`exponential:decay_steps=100:decay_rate=0.9`…), or "constant" to drop it.
    case schedule(String)
    /// Class weights as `--class-weight` takes them (`balanced`, `pos=2,neg=1`), or "off".
    case classWeight(String)
    /// EarlyStopping as `--early-stopping` takes it (`monitor=val_loss,patience=3,restore_best`), or "off".
    case earlyStopping(String)
    /// ReduceLROnPlateau as `--reduce-lr-on-plateau` takes it (`factor=0.5,patience=2`), or "off".
    case reduceLROnPlateau(String)
    /// Which epoch's weights are the model: "best" or "last".
    case checkpoint(String)
    /// The optimiser as `--optimizer` names it, with its settings after colons
    /// (`sgd:momentum=0.9:nesterov`, `adamw:weight_decay=0.004`); the learning rate is kept.
    case optimizer(String)
}
