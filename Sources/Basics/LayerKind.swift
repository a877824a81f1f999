/// Every layer type the engine has, named once: the type tag of a spec in JSON (the raw
/// value) and Keras's class name. The engine's specs, the workbench's layer palette and every
/// message read their names from here, so a new layer is named in one place.
public enum LayerKind: String, CaseIterable, Sendable, Hashable {
    case embedding
    case dense
    case simpleRNN = "simple_rnn"
    case lstm
    case gru
    case conv1D = "conv1d"
    case globalMaxPooling1D = "global_max_pooling1d"
    case globalAveragePooling1D = "global_average_pooling1d"
    case dropout
    case layerNormalization = "layer_normalization"
    case multiHeadAttention = "multi_head_attention"
    case positionEmbedding = "position_embedding"
    case transformerEncoder = "transformer_encoder"
    case bidirectional
    case maxPooling1D = "max_pooling1d"
    case averagePooling1D = "average_pooling1d"
    case flatten
    case spatialDropout1D = "spatial_dropout1d"

    /// Keras's class name ("SimpleRNN", "GlobalMaxPooling1D").
    public var kerasClassName: String {
        switch self {
        case .embedding: return "Embedding"
        case .dense: return "Dense"
        case .simpleRNN: return "SimpleRNN"
        case .lstm: return "LSTM"
        case .gru: return "GRU"
        case .conv1D: return "Conv1D"
        case .globalMaxPooling1D: return "GlobalMaxPooling1D"
        case .globalAveragePooling1D: return "GlobalAveragePooling1D"
        case .dropout: return "Dropout"
        case .layerNormalization: return "LayerNormalization"
        case .multiHeadAttention: return "MultiHeadAttention"
        case .positionEmbedding: return "PositionEmbedding"
        case .transformerEncoder: return "TransformerEncoder"
        case .bidirectional: return "Bidirectional"
        case .maxPooling1D: return "MaxPooling1D"
        case .averagePooling1D: return "AveragePooling1D"
        case .flatten: return "Flatten"
        case .spatialDropout1D: return "SpatialDropout1D"
        }
    }
}
