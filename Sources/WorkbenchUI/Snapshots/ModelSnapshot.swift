import Basics

/// The layer types the model pane can add: `Basics.LayerKind`, which names every layer type
/// once for the engine and the workbench alike.
public typealias LayerKind = Basics.LayerKind

extension LayerKind {
    /// The kind named `name`: its type name or Keras's class name, case-insensitive, with "-"
    /// or "_" optional ("lstm", "Conv1D", "global-max-pooling1d", "simplernn").
    public init?(name: String) {
        func key(_ s: String) -> String { s.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " } }
        let k = key(name)
        guard let match = LayerKind.allCases.first(where: { key($0.rawValue) == k || key($0.kerasClassName) == k }) else { return nil }
        self = match
    }
}

/// A layer type the service offers to add, with the name to show for it (Keras's class name,
/// "GlobalMaxPooling1D"), in the order the layer picker lists them.
public struct LayerType: Hashable, Sendable {
    public var kind: LayerKind
    public var displayName: String

    public init(kind: LayerKind, displayName: String) {
        self.kind = kind
        self.displayName = displayName
    }
}

/// Which setting of a layer an edit changes.
public enum LayerSettingKind: String, CaseIterable, Hashable, Sendable {
    /// Units of Dense and recurrent layers, filters of Conv1D, output size of Embedding.
    case units
    /// Dropout rate, 0 ≤ rate < 1.
    case rate
    /// Conv1D kernel size.
    case kernelSize = "kernel"
    /// Activation name ("relu", "tanh", …).
    case activation
    /// MaxPooling1D / AveragePooling1D window (strides follow it, as Keras's default).
    case poolSize = "pool"
    /// How Bidirectional merges its two directions: concat, sum, ave, mul.
    case mergeMode = "merge"
    /// The recurrent layer Bidirectional wraps: lstm, gru, simple_rnn.
    case wrappedLayer = "wraps"
    /// The word-vector file an Embedding starts from (a path, or "none").
    case vectors
    /// Whether an Embedding's vectors train (yes) or stay frozen (no).
    case trainable
}

/// One editable setting of a layer, as the inline prompt shows it.
public struct LayerSetting: Hashable, Sendable {
    public var kind: LayerSettingKind
    /// The name shown ("units", "filters", "dim", "rate", "kernel", "activation", "pool", "merge", "wraps").
    public var label: String
    /// The current value as text ("64", "0.5", "relu").
    public var value: String
    /// Allowed values when the setting is a choice (activations); empty for numbers.
    public var choices: [String]

    public init(kind: LayerSettingKind, label: String? = nil, value: String, choices: [String] = []) {
        self.kind = kind
        self.label = label ?? kind.rawValue
        self.value = value
        self.choices = choices
    }
}

/// One layer of the model as the model pane draws it.
public struct LayerSnapshot: Hashable, Sendable {
    /// The layer's name ("lstm_1").
    public var name: String
    /// The type with its main settings ("LSTM(64)", "Dense(1, sigmoid)").
    public var typeLabel: String
    public var kind: LayerKind?
    /// The output shape as Keras prints it ("(None, 100, 64)").
    public var outputShape: String
    public var parameterCount: Int
    /// Editable settings, the main one first; empty when the layer has none.
    public var settings: [LayerSetting]

    public init(name: String, typeLabel: String, kind: LayerKind? = nil, outputShape: String,
                parameterCount: Int, settings: [LayerSetting] = []) {
        self.name = name
        self.typeLabel = typeLabel
        self.kind = kind
        self.outputShape = outputShape
        self.parameterCount = parameterCount
        self.settings = settings
    }
}

/// A setting shown as "name value" (optimizer settings).
public struct NamedValue: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The model as the model pane draws it: the layer stack, totals, optimizer and loss.
public struct ModelSnapshot: Hashable, Sendable {
    public var layers: [LayerSnapshot]
    /// The input shape ("(None, 100)"), or "" when unknown.
    public var inputShape: String
    public var totalParameters: Int
    /// "Adam", "SGD", …
    public var optimizer: String
    /// The optimizer's settings in display order (learning rate first).
    public var optimizerSettings: [NamedValue]
    /// The loss name ("binary_crossentropy").
    public var loss: String
    /// The preset the model came from, if it is still unchanged.
    public var preset: String?
    /// How it trains beyond the optimizer, shown under it when set: class weights, callbacks
    /// ("class weights" "pos=2, neg=1"; "callbacks" "EarlyStopping(val_loss, patience 3)").
    public var training: [NamedValue]
    /// The fit settings the training-settings list shows ("epochs" "3", "batch size" "32");
    /// empty for a learner.
    public var fit: [NamedValue] = []

    public init(layers: [LayerSnapshot], inputShape: String = "", totalParameters: Int? = nil,
                optimizer: String, optimizerSettings: [NamedValue] = [], loss: String, preset: String? = nil,
                training: [NamedValue] = []) {
        self.training = training
        self.layers = layers
        self.inputShape = inputShape
        self.totalParameters = totalParameters ?? layers.reduce(0) { $0 + $1.parameterCount }
        self.optimizer = optimizer
        self.optimizerSettings = optimizerSettings
        self.loss = loss
        self.preset = preset
    }
}

/// A named starting model the preset picker offers.
public struct PresetInfo: Hashable, Sendable {
    public var name: String
    public var summary: String

    public init(name: String, summary: String) {
        self.name = name
        self.summary = summary
    }
}
