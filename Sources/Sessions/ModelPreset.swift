import Engine

/// Named starting models. Each ends in the right head for the data: Dense(1, sigmoid) for two
/// classes, Dense(K, softmax) for more.
public enum ModelPreset: String, CaseIterable, Codable, Sendable {
    /// The seed's tiny model: Embedding 10 → LSTM 10.
    case seed
    /// Embedding 64 → LSTM 64.
    case lstm
    /// Embedding 64 → GRU 64.
    case gru
    /// Embedding 64 → Conv1D(64, 5, relu) → global max pooling.
    case cnn
    /// Embedding 64 + learned positions → one small Transformer encoder block (2-head
    /// self-attention and a 64-wide feed-forward, residuals and layer norms) → global average pooling.
    case attention

    public var summary: String {
        switch self {
        case .seed: return "Embedding 10 → LSTM 10 (the seed's model)"
        case .lstm: return "Embedding 64 → LSTM 64"
        case .gru: return "Embedding 64 → GRU 64"
        case .cnn: return "Embedding 64 → Conv1D(64, 5, relu) → GlobalMaxPooling1D"
        case .attention: return "Embedding 64 + positions → TransformerEncoder(2 heads × 32, ff 64) → GlobalAveragePooling1D"
        }
    }

    /// The layers for `classes` classes (2 = binary).
    public func layers(classes: Int) -> [LayerSpec] {
        let body: [LayerSpec]
        switch self {
        case .seed: body = [.embedding(dim: 10), .lstm(units: 10)]
        case .lstm: body = [.embedding(dim: 64), .lstm(units: 64)]
        case .gru: body = [.embedding(dim: 64), .gru(units: 64)]
        case .cnn: body = [.embedding(dim: 64), .conv1D(filters: 64, kernelSize: 5, activation: .relu), .globalMaxPooling1D]
        case .attention: body = [.embedding(dim: 64), .positionEmbedding,
                                 .transformerEncoder(heads: 2, keyDim: 32, feedForwardDim: 64), .globalAveragePooling1D]
        }
        return body + [Self.head(classes: classes)]
    }

    public static func head(classes: Int) -> LayerSpec {
        classes <= 2 ? .dense(units: 1, activation: .sigmoid) : .dense(units: classes, activation: .softmax)
    }
}
