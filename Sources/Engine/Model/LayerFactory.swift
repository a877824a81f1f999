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
        case let .embedding(dim, maskZero, trainable, _):
            guard s.count == 1 else {
                throw EngineError.incompatibleLayer(layer: name, inputShape: s, reason: "Embedding takes token ids, so it must be the first layer")
            }
            return EmbeddingLayer(name: name, vocabularySize: vocabularySize, dim: dim, maskZero: maskZero, trainable: trainable, rng: &rng)
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
        case let .bidirectional(inner, mergeModeName):
            guard let mode = BidirectionalLayer.MergeMode(rawValue: mergeModeName) else {
                throw EngineError.invalidSpec(field: "\(name).merge_mode",
                                              reason: "expected \(LayerSpec.mergeModes.joined(separator: ", ")), got '\(mergeModeName)'")
            }
            let d = try sequence("Bidirectional")
            // Keras builds the forward copy, then the backward one: weights are drawn in that order.
            func copy(_ direction: String) throws -> any RecurrentLayer {
                let copyName = "\(name)/\(direction)_\(inner.typeName)"
                switch inner {
                case let .simpleRNN(u, seq): return SimpleRNNLayer(name: copyName, inputDim: d, units: u, returnSequences: seq, rng: &rng)
                case let .lstm(u, seq): return LSTMLayer(name: copyName, inputDim: d, units: u, returnSequences: seq, rng: &rng)
                case let .gru(u, seq): return GRULayer(name: copyName, inputDim: d, units: u, returnSequences: seq, rng: &rng)
                default:
                    throw EngineError.invalidSpec(field: "\(name).layer",
                                                  reason: "Bidirectional wraps a SimpleRNN, LSTM or GRU, got \(inner.kerasClassName)")
                }
            }
            let forward = try copy("forward")
            let backward = try copy("backward")
            return BidirectionalLayer(name: name, forward: forward, backward: backward, mergeMode: mode, typeName: inner.typeName)
        case let .maxPooling1D(poolSize, strides, padding), let .averagePooling1D(poolSize, strides, padding):
            guard let pad = Pooling1D.Padding(rawValue: padding) else {
                throw EngineError.invalidSpec(field: "\(name).padding", reason: "expected valid or same, got '\(padding)'")
            }
            _ = try sequence(spec.kerasClassName)
            try Pooling1D.validate(name: name, poolSize: poolSize, strides: strides ?? poolSize)
            if case .maxPooling1D = spec { return MaxPooling1DLayer(name: name, poolSize: poolSize, strides: strides, padding: pad) }
            return AveragePooling1DLayer(name: name, poolSize: poolSize, strides: strides, padding: pad)
        case .flatten:
            return FlattenLayer(name: name)
        case let .spatialDropout1D(rate):
            try DropoutLayer.validate(name: name, rate: rate)
            _ = try sequence("SpatialDropout1D")
            return SpatialDropout1DLayer(name: name, rate: rate, seed: rng.next())
        }
    }

    /// The trainable numbers the layer built from `spec` for input shape `s` would hold,
    /// worked out without building it, so that `Sequential` refuses a model over
    /// `Limits.maxParameters` before allocating any of it; nil when the count overflows.
    static func parameterCount(_ spec: LayerSpec, inputShape s: [Int], vocabularySize v: Int) -> Int? {
        let d = s.last ?? 0
        func p(_ f: Int...) -> Int? { Checked.product(f) }
        func sum(_ t: Int?...) -> Int? {
            let terms = t.compactMap { $0 }
            return terms.count == t.count ? Checked.sum(terms) : nil
        }
        func attention(_ h: Int, _ k: Int) -> Int? {
            // query, key and value kernels [d, h, k] and biases [h, k]; output kernel [h, k, d], bias [d].
            sum(p(3, d, h, k), p(3, h, k), p(h, k, d), d)
        }
        switch spec {
        case let .embedding(dim, _, _, _): return p(v, dim)
        case let .dense(units, _, useBias): return sum(p(d, units), useBias ? units : 0)
        case let .simpleRNN(u, _): return sum(p(d, u), p(u, u), u)
        case let .lstm(u, _): return sum(p(4, u, d), p(4, u, u), p(4, u))
        case let .gru(u, _): return sum(p(3, u, d), p(3, u, u), p(6, u))
        case let .conv1D(filters, kernelSize, _, _, _, _): return sum(p(kernelSize, d, filters), filters)
        case .layerNormalization: return p(2, d)
        case let .multiHeadAttention(h, k): return attention(h, k)
        case let .transformerEncoder(h, k, ff): return sum(attention(h, k), p(4, d), p(2, d, ff), ff, d)
        case .positionEmbedding: return Checked.product(s)
        case let .bidirectional(inner, _): return parameterCount(inner, inputShape: s, vocabularySize: v).flatMap { p(2, $0) }
        case .globalMaxPooling1D, .globalAveragePooling1D, .dropout, .maxPooling1D, .averagePooling1D, .flatten,
             .spatialDropout1D: return 0
        }
    }

    /// The numbers of the largest buffer the layer keeps for one example — its output, the
    /// per-step caches of a recurrent layer, Conv1D's unfolded input, attention's time × time
    /// scores — worked out without building it, to hold it to `Limits.maxActivationsPerExample`;
    /// nil when the count overflows.
    static func workingElements(_ spec: LayerSpec, inputShape s: [Int]) -> Int? {
        let d = s.last ?? 0
        let steps = s.count == 2 ? s[0] : 1
        let rows = s.count == 2 ? s[0] : 1
        let input = Checked.product(s)
        func largest(_ sizes: Int?...) -> Int? {
            let known = sizes.compactMap { $0 }
            return known.count == sizes.count ? known.max() : nil
        }
        func p(_ f: Int...) -> Int? { Checked.product(f) }
        switch spec {
        case let .embedding(dim, _, _, _): return largest(input, p(Swift.max(s.first ?? 0, 1), dim))
        case let .dense(units, _, _): return largest(input, p(rows, units))
        case let .simpleRNN(u, _): return largest(input, p(steps + 1, 2, u))
        case let .lstm(u, _): return largest(input, p(steps + 1, 4, u))
        case let .gru(u, _): return largest(input, p(steps + 1, 3, u))
        case let .conv1D(filters, kernelSize, strides, _, _, _):
            let outSteps = (steps + Swift.max(strides, 1) - 1) / Swift.max(strides, 1)
            return largest(input, p(outSteps, kernelSize, d), p(outSteps, filters))
        case let .multiHeadAttention(h, k): return largest(input, p(h, steps, steps), p(steps, h, k))
        case let .transformerEncoder(h, k, ff): return largest(input, p(h, steps, steps), p(steps, h, k), p(steps, ff))
        case let .bidirectional(inner, _):
            // Each copy keeps its own caches; the merged output holds up to 2·units per step.
            let units: Int
            switch inner { case let .simpleRNN(u, _), let .lstm(u, _), let .gru(u, _): units = u; default: units = 0 }
            return largest(workingElements(inner, inputShape: s), p(steps, 2, units))
        case .positionEmbedding, .layerNormalization, .dropout, .globalMaxPooling1D, .globalAveragePooling1D,
             .maxPooling1D, .averagePooling1D, .flatten, .spatialDropout1D:
            return input
        }
    }

    /// The mask the next layer sees: an Embedding with mask_zero starts one; it travels while
    /// the time axis survives; a layer that drops the time axis ends it.
    static func propagatedMask(after layer: Layer, incoming: Tensor?, outputRank: Int) -> Tensor? {
        if let e = layer as? EmbeddingLayer { return e.maskZero ? e.outputMask : nil }
        // Keras's Conv1D and the windowed poolings (which change the number of steps) do not
        // support masks: the mask stops there.
        guard let incoming, outputRank == 3, !(layer is Conv1DLayer), !(layer is MaxPooling1DLayer),
              !(layer is AveragePooling1DLayer) else { return nil }
        return incoming
    }
}
