import Testing
@testable import Engine

/// Builds a self-attention layer from a Keras `MultiHeadAttention` config, throwing (with the
/// option named) for anything the engine does not implement.
func makeMultiHeadAttention(_ cfg: J, modelDim: Int, rng: inout SeededGenerator) throws -> MultiHeadAttentionLayer {
    func unsupported(_ what: String) -> Fixtures.Missing {
        Fixtures.Missing(description: "MultiHeadAttention option not supported by MultiHeadAttentionLayer: \(what)")
    }
    // Options that change nothing in a forward/backward pass from loaded weights.
    let inert: Set<String> = ["name", "trainable", "dtype", "kernel_initializer", "bias_initializer",
                              "kernel_regularizer", "bias_regularizer", "activity_regularizer",
                              "kernel_constraint", "bias_constraint", "seed", "flash_attention"]
    let handled: Set<String> = ["num_heads", "key_dim", "value_dim", "output_shape", "use_bias",
                                "dropout", "use_gate", "attention_axes", "sliding_window"]
    for key in cfg.keys.sorted() where !inert.contains(key) && !handled.contains(key) {
        let v = cfg[key]
        if v.exists && !(v.value is Bool && !v.bool()) { throw unsupported("\(key) = \(v.value!)") }
    }
    if cfg["dropout"].exists, try cfg["dropout"].double() != 0 {
        throw unsupported("dropout = \(try cfg["dropout"].double()) (no attention dropout)")
    }
    if cfg["use_gate"].bool() { throw unsupported("use_gate = true") }
    if cfg["sliding_window"].exists { throw unsupported("sliding_window = \(cfg["sliding_window"].value!)") }
    if cfg["attention_axes"].exists {
        let axes = try cfg["attention_axes"].array.map { try $0.int() }
        guard axes == [1] || axes == [-2] else { throw unsupported("attention_axes = \(axes) (only the time axis, [1])") }
    }
    var outputDim: Int? = nil
    let os = cfg["output_shape"]
    if os.exists {
        if os.value is [Any] {
            let dims = try os.array.map { try $0.int() }
            guard dims.count == 1 else { throw unsupported("output_shape = \(dims) (only one output axis)") }
            outputDim = dims[0]
        } else {
            outputDim = try os.int()
        }
    }
    let useBias = cfg["use_bias"].exists ? cfg["use_bias"].bool() : true
    return MultiHeadAttentionLayer(
        name: cfg["name"].stringOrNil ?? "multi_head_attention", modelDim: modelDim,
        heads: try cfg["num_heads"].int(), keyDim: try cfg["key_dim"].int(),
        valueDim: cfg["value_dim"].exists ? try cfg["value_dim"].int() : nil,
        outputDim: outputDim, useBias: useBias, rng: &rng)
}

extension KerasParity {
    /// Every case of mha.json: output, loss, all parameter gradients, the input gradient and
    /// the attention scores, with the layer built from the case's config.
    @Test func multiHeadAttention() throws {
        let cases = try Fixtures.cases("mha.json")
        #expect(!cases.isEmpty)
        for raw in cases {
            let c = J(raw)
            let caseName = c["name"].stringOrNil ?? "?"
            do {
                #expect(try c["layer"]["class_name"].string() == "MultiHeadAttention", "\(caseName): class")
                let call = c["call"].stringOrNil ?? ""
                if call.contains("causal") {
                    throw Fixtures.Missing(description: "use_causal_mask is not supported (call: \(call))")
                }
                let inputKeys = Set(c["inputs"].keys)
                guard inputKeys.subtracting(["x", "mask"]).isEmpty else {
                    throw Fixtures.Missing(description: "only self-attention on inputs.x (with an optional inputs.mask) is supported; inputs are \(inputKeys.sorted()), call: \(call)")
                }
                let x = try c["inputs"]["x"].tensor()
                guard x.rank == 3 else {
                    throw Fixtures.Missing(description: "input of shape \(x.shape); only [batch, time, features] is supported")
                }
                var rng = SeededGenerator(seed: 1)
                let layer = try makeMultiHeadAttention(c["layer"]["config"], modelDim: x.shape[2], rng: &rng)
                if c["inputs"]["mask"].exists { layer.mask = try c["inputs"]["mask"].tensor() }
                try loadWeights(layer, c)
                let r = c["results"]["float32"]
                let gradNames = Set(r["grads"].keys), paramNames = Set(layer.parameters.map(\.name))
                #expect(gradNames == paramNames, "\(caseName): fixture grads \(gradNames.sorted()) vs layer weights \(paramNames.sorted())")
                try checkLayerCase(layer, c, input: x)
                for key in r["extras"].keys.sorted() {
                    switch key {
                    case "attention_scores":
                        expectClose(layer.attentionScores, try r["extras"][key].tensor(), .forward,
                                    "\(caseName) attention_scores")
                    default:
                        Issue.record("\(caseName): extras.\(key) is not checked by this test")
                    }
                }
            } catch {
                Issue.record("\(caseName): \(error)")
            }
        }
    }
}

@Suite struct AttentionGradientChecks {
    /// Fills every parameter (biases too) with random values so the biases matter.
    static func randomise(_ layer: MultiHeadAttentionLayer, _ rng: inout SeededGenerator) {
        for p in layer.parameters { p.value = GradientCheck.randomTensor(p.value.shape, &rng, scale: 0.6) }
    }

    @Test func oneHeadKeyDimNotValueDim() throws {
        var rng = SeededGenerator(seed: 21)
        let layer = MultiHeadAttentionLayer(name: "mha", modelDim: 5, heads: 1, keyDim: 2, valueDim: 3,
                                            outputDim: 4, rng: &rng)
        Self.randomise(layer, &rng)
        try GradientCheck.check(layer, input: GradientCheck.randomTensor([2, 3, 5], &rng))
    }

    @Test func threeHeadsWiderOutput() throws {
        var rng = SeededGenerator(seed: 22)
        let layer = MultiHeadAttentionLayer(name: "mha", modelDim: 4, heads: 3, keyDim: 3, valueDim: 2,
                                            outputDim: 6, rng: &rng)
        Self.randomise(layer, &rng)
        try GradientCheck.check(layer, input: GradientCheck.randomTensor([2, 4, 4], &rng))
    }

    @Test func noBias() throws {
        var rng = SeededGenerator(seed: 23)
        let layer = MultiHeadAttentionLayer(name: "mha", modelDim: 4, heads: 2, keyDim: 3, outputDim: 3,
                                            useBias: false, rng: &rng)
        #expect(layer.parameters.map(\.name) == ["query/kernel", "key/kernel", "value/kernel", "attention_output/kernel"])
        Self.randomise(layer, &rng)
        try GradientCheck.check(layer, input: GradientCheck.randomTensor([2, 3, 4], &rng))
    }

    @Test func masked() throws {
        var rng = SeededGenerator(seed: 24)
        let layer = MultiHeadAttentionLayer(name: "mha", modelDim: 4, heads: 2, keyDim: 2, valueDim: 3,
                                            outputDim: 5, rng: &rng)
        Self.randomise(layer, &rng)
        // Post-padding, pre-padding, no padding, all padding.
        layer.mask = Tensor(shape: [4, 4], scalars: [1, 1, 0, 0,  0, 1, 1, 1,  1, 1, 1, 1,  0, 0, 0, 0])
        try GradientCheck.check(layer, input: GradientCheck.randomTensor([4, 4, 4], &rng))
    }
}

@Suite struct AttentionBehaviour {
    @Test func initialisation() {
        var rng = SeededGenerator(seed: 31)
        let layer = MultiHeadAttentionLayer(name: "mha", modelDim: 6, heads: 2, keyDim: 3, valueDim: 4,
                                            outputDim: 5, rng: &rng)
        #expect(layer.parameters.map(\.name) == ["query/kernel", "query/bias", "key/kernel", "key/bias",
                                                 "value/kernel", "value/bias",
                                                 "attention_output/kernel", "attention_output/bias"])
        #expect(layer.parameters.map(\.value.shape) == [[6, 2, 3], [2, 3], [6, 2, 3], [2, 3], [6, 2, 4], [2, 4],
                                                        [2, 4, 5], [5]])
        // Glorot limits with EinsumDense fans: [6, 2·3], [6, 2·4], [2·4, 5].
        let limits: [Float] = [(6.0 / 12).squareRoot(), 0, (6.0 / 12).squareRoot(), 0, (6.0 / 14).squareRoot(), 0,
                               (6.0 / 13).squareRoot(), 0]
        for (p, limit) in zip(layer.parameters, limits) {
            let m = p.value.scalars.map(abs).max() ?? 0
            if limit == 0 { #expect(m == 0, "\(p.name) starts at zero") }
            else { #expect(m <= limit && m > limit * 0.5, "\(p.name): max |w| \(m), limit \(limit)") }
        }
        #expect(layer.parameterCount == 36 + 6 + 36 + 6 + 48 + 8 + 40 + 5)
    }

    @Test func shapesAndErrors() throws {
        var rng = SeededGenerator(seed: 32)
        let layer = MultiHeadAttentionLayer(name: "attn", modelDim: 4, heads: 2, keyDim: 3, outputDim: 7, rng: &rng)
        #expect(try layer.outputShape(for: [10, 4]) == [10, 7])
        for bad in [[4], [10, 5], [2, 10, 4], []] {
            #expect(throws: EngineError.self) { try layer.outputShape(for: bad) }
        }
        do {
            _ = try layer.outputShape(for: [10, 5])
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("attn") && "\(error)".contains("4") && "\(error)".contains("5"), "\(error)")
        }
        #expect(throws: EngineError.shapeMismatch(layer: "attn", expected: [-1, -1, 4], got: [2, 4])) {
            try layer.forward(Tensor(shape: [2, 4]), training: false)
        }
        #expect(throws: EngineError.self) { try layer.forward(Tensor(shape: [2, 3, 5]), training: false) }
        layer.mask = Tensor(shape: [2, 4], repeating: 1)
        #expect(throws: EngineError.self) { try layer.forward(Tensor(shape: [2, 3, 4]), training: false) }
        layer.mask = nil
        let y = try layer.forward(Tensor(shape: [2, 3, 4], repeating: 0.5), training: true)
        #expect(y.shape == [2, 3, 7])
        #expect(layer.attentionScores.shape == [2, 2, 3, 3])
        // Empty batch: no crash, zero gradients.
        let e = try layer.forward(Tensor(shape: [0, 3, 4]), training: false)
        #expect(e.shape == [0, 3, 7])
        #expect(layer.backward(e).shape == [0, 3, 4])

        for (h, k, v, o) in [(0, 3, 3, 4), (2, 0, 3, 4), (2, 3, -1, 4), (2, 3, 3, 0)] {
            let bad = MultiHeadAttentionLayer(name: "bad", modelDim: 4, heads: h, keyDim: k, valueDim: v,
                                              outputDim: o, rng: &rng)
            #expect(throws: EngineError.self) { try bad.outputShape(for: [5, 4]) }
            #expect(throws: EngineError.self) { try bad.forward(Tensor(shape: [1, 5, 4]), training: false) }
        }
    }

    /// Buffers grow and shrink between batches without stale values: a layer that has seen a
    /// larger batch gives the same results as a fresh one.
    @Test func buffersReusedAcrossBatches() throws {
        var rng = SeededGenerator(seed: 33)
        let a = MultiHeadAttentionLayer(name: "mha", modelDim: 4, heads: 2, keyDim: 3, valueDim: 2, rng: &rng)
        AttentionGradientChecks.randomise(a, &rng)
        let big = GradientCheck.randomTensor([3, 6, 4], &rng)
        _ = try a.forward(big, training: true)
        _ = a.backward(GradientCheck.randomTensor([3, 6, 4], &rng))
        for shape in [[2, 4, 4], [1, 6, 4], [3, 2, 4]] {
            let b = MultiHeadAttentionLayer(name: "mha", modelDim: 4, heads: 2, keyDim: 3, valueDim: 2, rng: &rng)
            for (pa, pb) in zip(a.parameters, b.parameters) { pb.value = pa.value }
            let x = GradientCheck.randomTensor(shape, &rng), dy = GradientCheck.randomTensor(shape, &rng)
            let ya = try a.forward(x, training: true), yb = try b.forward(x, training: true)
            #expect(ya == yb, "output after a larger batch, \(shape)")
            #expect(a.attentionScores == b.attentionScores)
            let dxa = a.backward(dy), dxb = b.backward(dy)
            #expect(dxa == dxb, "input gradient after a larger batch, \(shape)")
            for (pa, pb) in zip(a.parameters, b.parameters) { #expect(pa.grad == pb.grad, "\(pa.name) grad, \(shape)") }
        }
    }

    /// With a mask, real steps see only real steps (as if the padding were not there), a padded
    /// query step attends to nothing (its output is the output bias) and masked pairs have
    /// probability 0.
    @Test func maskActsLikeTruncation() throws {
        var rng = SeededGenerator(seed: 34)
        let layer = MultiHeadAttentionLayer(name: "mha", modelDim: 3, heads: 2, keyDim: 2, outputDim: 4, rng: &rng)
        AttentionGradientChecks.randomise(layer, &rng)
        let x = GradientCheck.randomTensor([1, 5, 3], &rng)
        let prefix = Tensor(shape: [1, 3, 3], scalars: Array(x.scalars[0..<9]))
        let ref = try layer.forward(prefix, training: false)
        let refScores = layer.attentionScores
        layer.mask = Tensor(shape: [1, 5], scalars: [1, 1, 1, 0, 0])
        let y = try layer.forward(x, training: false)
        let bias = layer.outputBias!.value.scalars
        expectClose(Array(y.scalars[0..<12]), ref.scalars, .forward, "real steps match the unpadded sequence")
        expectClose(Array(y.scalars[12..<20]), bias + bias, .forward, "padded steps give the output bias")
        let s = layer.attentionScores
        for h in 0..<2 {
            for t in 0..<5 {
                for u in 0..<5 {
                    let p = s[flat: (h * 5 + t) * 5 + u]
                    if t < 3 && u < 3 {
                        #expect(abs(p - refScores[flat: (h * 3 + t) * 3 + u]) < 1e-6)
                    } else {
                        #expect(p == 0, "score[\(h), \(t), \(u)] = \(p)")
                    }
                }
            }
        }
    }
}
