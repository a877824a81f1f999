/// Turns a `LayerSpec` into a layer for a given input shape, and says how a padding mask
/// travels from one layer to the next.
enum LayerFactory {
    static func make(_ spec: LayerSpec, name: String, inputShape s: [Int], vocabularySize: Int,
                     rng: inout SeededGenerator) throws -> Layer {
        func lastDim() throws -> Int {
            guard let d = s.last, s.count >= 1 else {
                throw EngineError.incompatibleLayer(layer: name, inputShape: s, reason: "needs a feature axis")
            }
            return d
        }
        func sequence(_ what: String) throws -> Int {
            guard s.count == 2 else {
                throw EngineError.incompatibleLayer(layer: name, inputShape: s,
                    reason: "\(what) needs a sequence (time, features); put it after an Embedding or a layer that returns sequences")
            }
            return s[1]
        }
        switch spec {
        case let .embedding(dim, maskZero):
            guard s.count == 1 else {
                throw EngineError.incompatibleLayer(layer: name, inputShape: s, reason: "Embedding takes token ids, so it must be the first layer")
            }
            return EmbeddingLayer(name: name, vocabularySize: vocabularySize, dim: dim, maskZero: maskZero, rng: &rng)
        case let .dense(units, activation, useBias):
            return DenseLayer(name: name, inputDim: try lastDim(), units: units, activation: activation, useBias: useBias, rng: &rng)
        case let .simpleRNN(units, seq):
            return SimpleRNNLayer(name: name, inputDim: try sequence("SimpleRNN"), units: units, returnSequences: seq, rng: &rng)
        case let .lstm(units, seq):
            return LSTMLayer(name: name, inputDim: try sequence("LSTM"), units: units, returnSequences: seq, rng: &rng)
        case let .gru(units, seq):
            return GRULayer(name: name, inputDim: try sequence("GRU"), units: units, returnSequences: seq, rng: &rng)
        case .positionEmbedding:
            let d = try sequence("PositionEmbedding")
            return PositionEmbeddingLayer(name: name, sequenceLength: s[0], dim: d, rng: &rng)
        case let .transformerEncoder(heads, keyDim, ff):
            return TransformerEncoderLayer(name: name, modelDim: try sequence("TransformerEncoder"), heads: heads, keyDim: keyDim,
                                           feedForwardDim: ff, rng: &rng)
        case let .multiHeadAttention(heads, keyDim):
            return MultiHeadAttentionLayer(name: name, modelDim: try sequence("MultiHeadAttention"), heads: heads, keyDim: keyDim, rng: &rng)
        case let .conv1D(filters, kernelSize, strides, padding, dilation, activation):
            guard let pad = Conv1DLayer.Padding(rawValue: padding) else {
                throw EngineError.invalidSpec(field: "\(name).padding", reason: "expected valid, same or causal, got '\(padding)'")
            }
            let channels = try sequence("Conv1D")
            try Conv1DLayer.validate(name: name, inputChannels: channels, filters: filters, kernelSize: kernelSize,
                                     strides: strides, padding: pad, dilation: dilation)
            return Conv1DLayer(name: name, inputChannels: channels, filters: filters, kernelSize: kernelSize,
                               strides: strides, padding: pad, dilation: dilation, activation: activation, rng: &rng)
        case .globalMaxPooling1D:
            _ = try sequence("GlobalMaxPooling1D")
            return GlobalMaxPooling1DLayer(name: name)
        case .globalAveragePooling1D:
            _ = try sequence("GlobalAveragePooling1D")
            return GlobalAveragePooling1DLayer(name: name)
        case let .dropout(rate):
            try DropoutLayer.validate(name: name, rate: rate)
            return DropoutLayer(name: name, rate: rate, seed: rng.next())
        case let .layerNormalization(epsilon):
            return LayerNormalizationLayer(name: name, features: try lastDim(), epsilon: epsilon)
        }
    }

    /// The mask the next layer sees: an Embedding with mask_zero starts one; it travels while
    /// the time axis survives; a layer that drops the time axis ends it.
    static func propagatedMask(after layer: Layer, incoming: Tensor?, outputRank: Int) -> Tensor? {
        if let e = layer as? EmbeddingLayer { return e.maskZero ? e.outputMask : nil }
        // Keras's Conv1D does not support masks: the mask stops there.
        guard let incoming, outputRank == 3, !(layer is Conv1DLayer) else { return nil }
        return incoming
    }
}
