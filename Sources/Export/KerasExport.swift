import Engine
import Foundation
import Sessions

/// Builds a Keras 3 `.keras` archive from a neural classifier: a zip of `config.json` (a
/// `Sequential` model, one stock Keras layer per engine layer, under the engine's layer names),
/// `metadata.json` and `model.weights.h5` (each layer's weights at `layers/<name>/vars/<i>`,
/// a recurrent layer's at `layers/<name>/cell/vars/<i>`, Bidirectional's at
/// `layers/<name>/forward_layer/cell/vars/<i>` and `…/backward_layer/…`, as Keras's
/// saving_lib / H5IOStore lays them out).
///
/// The engine keeps its weights in Keras's order and layout (`Layer.parameters`), so they are
/// written unchanged; and it follows Keras's masking rules, so Embedding(mask_zero) is exported
/// as it is. Keras's binary model gives p [N, 1] (`workbench predict` prints [1 − p, p]).
/// A layer with no faithful stock Keras counterpart (PositionEmbedding, MultiHeadAttention,
/// TransformerEncoder) is refused by name with the reason, before anything is written.
public enum KerasExport {
    /// The Keras version the archive's layout and config were checked against
    /// (Benchmarks/onnx/verify.py loads it with `keras.saving.load_model`).
    public static let kerasVersion = "3.15.1"
    public static let configFile = "config.json"
    public static let metadataFile = "metadata.json"
    public static let weightsFile = "model.weights.h5"

    /// The Keras model config (`config.json`) and the weights file's datasets. Throws
    /// `EngineError.invalidSpec` naming the first layer Keras cannot express.
    static func model(_ classifier: TextClassifier) throws -> (config: [String: Any], weights: [HDF5Writer.Dataset]) {
        let spec = classifier.model.spec
        var layers: [[String: Any]] = [
            keras("InputLayer", ["name": "token_ids", "batch_shape": [NSNull(), spec.inputLength] as [Any], "dtype": "int32"]),
        ]
        var weights: [HDF5Writer.Dataset] = []
        func add(_ path: String, _ tensors: [Tensor]) {
            for (i, t) in tensors.enumerated() {
                weights.append(.init(path: "layers/\(path)/vars/\(i)", shape: t.shape, values: t.scalars))
            }
        }
        for (i, (layerSpec, layer)) in zip(spec.layers, classifier.model.layers).enumerated() {
            let name = layer.name
            func refuse(_ why: String) -> EngineError {
                .invalidSpec(field: "layers[\(i)]", reason: "\(layerSpec.label) ('\(name)') cannot be exported to Keras: \(why)")
            }
            let params = layer.parameters.map(\.value)
            let weightsBefore = weights.count
            var config: [String: Any] = ["name": name]
            let className: String
            switch layerSpec {
            case let .embedding(dim, maskZero, trainable, _):
                // Pretrained vectors are already in the weights; a frozen layer stays frozen.
                className = "Embedding"
                config["input_dim"] = params[0].shape[0]; config["output_dim"] = dim; config["mask_zero"] = maskZero
                config["trainable"] = trainable
                add(name, params)
            case let .dense(units, activation, useBias):
                className = "Dense"
                config["units"] = units; config["activation"] = activation.rawValue; config["use_bias"] = useBias
                add(name, params)
            case let .dropout(rate):
                className = "Dropout"; config["rate"] = Double(rate)
            case let .spatialDropout1D(rate):
                className = "SpatialDropout1D"; config["rate"] = Double(rate)
            case .simpleRNN, .lstm, .gru:
                guard case let (recurrentClass, recurrentConfig)? = recurrent(layerSpec, name: name) else { throw refuse("not a recurrent layer") }
                (className, config) = (recurrentClass, recurrentConfig)
                add("\(name)/cell", params)
            case let .bidirectional(inner, mergeMode):
                guard case let (innerClass, innerConfig)? = recurrent(inner, name: inner.typeName) else {
                    throw refuse("Bidirectional wraps \(inner.label)")
                }
                guard params.count == 6 else { throw refuse("expected two directions of three weights, found \(params.count)") }
                className = "Bidirectional"
                config["merge_mode"] = mergeMode
                config["layer"] = keras(innerClass, innerConfig)
                add("\(name)/forward_layer/cell", Array(params[0..<3]))
                add("\(name)/backward_layer/cell", Array(params[3..<6]))
            case let .conv1D(filters, kernelSize, strides, padding, dilation, activation):
                guard let conv = layer as? Conv1DLayer else { throw refuse("unexpected layer class") }
                className = "Conv1D"
                config["filters"] = filters; config["kernel_size"] = [kernelSize]; config["strides"] = [strides]
                config["padding"] = padding; config["dilation_rate"] = [dilation]; config["activation"] = activation.rawValue
                config["use_bias"] = conv.useBias
                add(name, params)
            case let .maxPooling1D(poolSize, strides, padding), let .averagePooling1D(poolSize, strides, padding):
                className = layerSpec.typeName == "max_pooling1d" ? "MaxPooling1D" : "AveragePooling1D"
                config["pool_size"] = poolSize; config["strides"] = strides ?? poolSize; config["padding"] = padding
            case .globalAveragePooling1D:
                className = "GlobalAveragePooling1D"
            case .globalMaxPooling1D:
                className = "GlobalMaxPooling1D"
            case .flatten:
                className = "Flatten"
            case let .layerNormalization(epsilon):
                className = "LayerNormalization"
                config["axis"] = -1; config["epsilon"] = Double(epsilon)
                add(name, params)
            case .positionEmbedding:
                throw refuse("stock Keras has no position-embedding layer (keras_hub's PositionEmbedding is a separate package), and a Sequential model cannot add a learned table to its input")
            case .multiHeadAttention:
                throw refuse("Keras's MultiHeadAttention takes query and value as two inputs, which a Sequential model cannot give it; this export writes Sequential models only")
            case .transformerEncoder:
                throw refuse("the block's residual connections need a functional graph, and this export writes Sequential models only")
            }
            // Every weight of the layer is in the file (Keras refuses a file with a count that differs).
            guard weights.count - weightsBefore == params.count else { throw refuse("it has \(params.count) weights where Keras's layer has \(weights.count - weightsBefore)") }
            layers.append(keras(className, config))
        }
        let config = [
            "module": "keras", "class_name": "Sequential",
            "config": ["name": "workbench_classifier", "layers": layers] as [String: Any],
        ] as [String: Any]
        return (config, weights)
    }

    /// A SimpleRNN / LSTM / GRU's class and config (Keras 3's defaults: tanh, sigmoid gates,
    /// GRU reset_after, as the engine computes them), or nil for another layer.
    static func recurrent(_ spec: LayerSpec, name: String) -> (String, [String: Any])? {
        var config: [String: Any] = ["name": name, "activation": "tanh", "use_bias": true]
        switch spec {
        case let .simpleRNN(units, seq):
            config["units"] = units; config["return_sequences"] = seq
            return ("SimpleRNN", config)
        case let .lstm(units, seq):
            config["units"] = units; config["return_sequences"] = seq; config["recurrent_activation"] = "sigmoid"
            return ("LSTM", config)
        case let .gru(units, seq):
            config["units"] = units; config["return_sequences"] = seq; config["recurrent_activation"] = "sigmoid"
            config["reset_after"] = true
            return ("GRU", config)
        default:
            return nil
        }
    }

    static func keras(_ className: String, _ config: [String: Any]) -> [String: Any] {
        ["module": "keras.layers", "class_name": className, "config": config, "registered_name": NSNull()]
    }

    /// The `.keras` archive's bytes. `scratch` is a folder for the HDF5 file while it is
    /// written (libhdf5 writes files, not memory).
    static func archive(_ classifier: TextClassifier, scratch: URL) throws -> Data {
        let (config, weights) = try model(classifier)
        let configData = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
        let date = ISO8601DateFormatter().string(from: Date())
        let metadata = try JSONSerialization.data(withJSONObject: ["keras_version": kerasVersion, "date_saved": date,
                                                                   "producer": "workbench"], options: [.sortedKeys])
        let h5 = scratch.appendingPathComponent(".\(weightsFile).\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: h5) }
        try HDF5Writer.write(weights, to: h5)
        let weightsData: Data
        do { weightsData = try Data(contentsOf: h5) } catch {
            throw EngineError.file(path: h5.path, reason: "cannot read back the weights: \(error.localizedDescription)")
        }
        do {
            return try ZipWriter.archive([(metadataFile, metadata), (configFile, configData), (weightsFile, weightsData)])
        } catch {
            throw EngineError.file(path: weightsFile, reason: "\(error.entry) is too large for a .keras archive (4 GiB)")
        }
    }
}
