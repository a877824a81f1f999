import Testing
@testable import Engine

// Keras parity for Bidirectional, MaxPooling1D, AveragePooling1D, Flatten and SpatialDropout1D:
// bidirectional.json, pooling1d.json, flatten.json, spatial_dropout.json and layer_models.json,
// made by Tests/Fixtures/keras-generator/generate_keras_fixtures.py.

/// An Int config entry given as a number, a one-element list (`pool_size: [2]`) or, when
/// `allowNull`, null / missing (→ nil).
private func configInt(_ j: J, allowNull: Bool = false) throws -> Int? {
    if !j.exists {
        if allowNull { return nil }
        throw UnsupportedFixture(description: "\(j.path): missing")
    }
    if let a = j.value as? [Any] {
        guard a.count == 1 else { throw UnsupportedFixture(description: "\(j.path): expected one integer (1-D)") }
        return try J(a[0], j.path + "[0]").int()
    }
    return try j.int()
}

/// Builds the layer of a single-layer case whose class is one of this file's (the fallback of
/// `buildFixtureLayer`), through the engine's own LayerFactory.
func buildSequenceFixtureLayer(_ c: J, inputShape: [Int]) throws -> Layer {
    let cls = try c["layer"]["class_name"].string()
    let cfg = c["layer"]["config"]
    let name = cfg["name"].stringOrNil ?? cls.lowercased()
    guard inputShape.count >= 2 else { throw UnsupportedFixture(description: "\(cls): input of shape \(inputShape)") }
    if cfg["data_format"].exists, cfg["data_format"].stringOrNil != "channels_last" {
        throw UnsupportedFixture(description: "\(cls): only data_format channels_last")
    }
    let spec: LayerSpec
    switch cls {
    case "Bidirectional":
        // The forward copy's config; go_backwards belongs to the backward copy, and Keras sets
        // zero_output_for_mask itself (the engine does the same).
        let inner = c["layer"]["config"]["layer"]
        guard let kind = RNNKind(rawValue: try inner["class_name"].string()) else {
            throw UnsupportedFixture(description: "Bidirectional around \(inner["class_name"].stringOrNil ?? "?")")
        }
        let bad = kind.unsupported(inner["config"]).filter { !$0.hasPrefix("zero_output_for_mask=") }
        guard bad.isEmpty else { throw UnsupportedFixture(description: "Bidirectional: wrapped layer option(s) \(bad)") }
        spec = .bidirectional(layer: try layerSpec(fromKeras: inner), mergeMode: try cfg["merge_mode"].string())
    case "MaxPooling1D", "AveragePooling1D":
        let poolSize = try configInt(cfg["pool_size"])!
        let strides = try configInt(cfg["strides"], allowNull: true)
        let padding = try cfg["padding"].string()
        spec = cls == "MaxPooling1D" ? .maxPooling1D(poolSize: poolSize, strides: strides, padding: padding)
            : .averagePooling1D(poolSize: poolSize, strides: strides, padding: padding)
    case "Flatten":
        spec = .flatten
    case "SpatialDropout1D":
        spec = .spatialDropout1D(rate: Float(try cfg["rate"].double()))
    default:
        throw UnsupportedFixture(description: "unknown layer class '\(cls)'")
    }
    if let p = spec.problem { throw UnsupportedFixture(description: "\(cls): \(p.field): \(p.reason)") }
    var rng = SeededGenerator(seed: 1)
    return try LayerFactory.make(spec, name: name, inputShape: Array(inputShape.dropFirst()), vocabularySize: 2, rng: &rng)
}

/// The LayerSpec of a Keras layer config of this file's classes (the fallback of
/// `layerSpec(fromKeras:)`).
func sequenceLayerSpec(fromKeras layer: J) throws -> LayerSpec {
    let cls = try layer["class_name"].string()
    let cfg = layer["config"]
    switch cls {
    case "Bidirectional":
        if cfg["backward_layer"].exists, cfg["backward_layer"]["class_name"].stringOrNil != cfg["layer"]["class_name"].stringOrNil {
            throw Fixtures.Missing(description: "Bidirectional with a different backward layer is not supported")
        }
        return .bidirectional(layer: try layerSpec(fromKeras: cfg["layer"]), mergeMode: try cfg["merge_mode"].string())
    case "MaxPooling1D", "AveragePooling1D":
        let poolSize = try configInt(cfg["pool_size"])!
        let strides = try configInt(cfg["strides"], allowNull: true), padding = try cfg["padding"].string()
        return cls == "MaxPooling1D" ? .maxPooling1D(poolSize: poolSize, strides: strides, padding: padding)
            : .averagePooling1D(poolSize: poolSize, strides: strides, padding: padding)
    case "Flatten": return .flatten
    case "SpatialDropout1D": return .spatialDropout1D(rate: Float(try cfg["rate"].double()))
    default: throw Fixtures.Missing(description: "Keras layer class \(cls) is not supported")
    }
}

/// One single-layer case: build, load the weights and mask, check output, loss and gradients.
func checkSequenceLayerCase(_ c: J) throws {
    let x = try c["inputs"]["x"].tensor()
    let layer = try buildFixtureLayer(c, inputShape: x.shape)
    if c["inputs"]["mask"].exists {
        guard let consumer = layer as? any MaskConsumer else {
            throw UnsupportedFixture(description: "\(layer.name) does not consume a mask")
        }
        consumer.mask = try c["inputs"]["mask"].tensor()
    }
    try loadWeights(layer, c)
    try checkLayerCase(layer, c, input: x)
}

extension KerasParity {
    /// Bidirectional over LSTM, GRU and SimpleRNN × every merge mode × return_sequences, and the
    /// masked cases (zero outputs at padded steps).
    @Test func bidirectional() throws {
        let cases = try Fixtures.cases("bidirectional.json")
        #expect(cases.count >= 24)
        try runSingleLayerFixture("bidirectional.json", expectedClasses: ["Bidirectional"])
    }

    @Test func pooling1d() throws {
        try runSingleLayerFixture("pooling1d.json", expectedClasses: ["MaxPooling1D", "AveragePooling1D"])
    }

    @Test func flatten() throws {
        try runSingleLayerFixture("flatten.json", expectedClasses: ["Flatten"])
    }

    /// Inference is the identity; in training the engine's masks have the shape of Keras's:
    /// whole channels, 0 or 1/(1 − rate) in float32, about `rate` of them dropped.
    @Test func spatialDropout() throws {
        try runSingleLayerFixture("spatial_dropout.json", expectedClasses: ["SpatialDropout1D"])
        let stats = J(try Fixtures.load("spatial_dropout.json"))["training_statistics"].array
        #expect(stats.count >= 2)
        for s in stats {
            let rate = Float(try s["rate"].double())
            let kept = try s["kept_value_float32"].numbers()[0]
            let kerasFraction = try s["dropped_fraction"].double()
            #expect(s["each_example_channel_constant_over_steps"].bool())
            #expect(abs(kerasFraction - Double(rate)) < 0.02, "Keras dropped \(kerasFraction) at rate \(rate)")

            let layer = SpatialDropout1DLayer(name: "spatial_dropout1d", rate: rate, seed: 11)
            let (b, t, c) = (400, 6, 50)
            let y = try layer.forward(Tensor(shape: [b, t, c], repeating: 1), training: true).scalars
            var dropped = 0, constant = true
            for bi in 0..<b {
                for ci in 0..<c {
                    let first = y[bi * t * c + ci]
                    if first == 0 { dropped += 1 }
                    for ti in 1..<t where y[(bi * t + ti) * c + ci] != first { constant = false }
                }
            }
            #expect(constant, "rate \(rate): a channel changes within an example")
            #expect(Set(y) == [0, kept], "rate \(rate): values \(Set(y)), Keras keeps \(kept)")
            let fraction = Double(dropped) / Double(b * c)
            #expect(abs(fraction - Double(rate)) < 0.02, "rate \(rate): dropped \(fraction), Keras \(kerasFraction)")
        }
    }

    /// Embedding-Bidirectional-Dense, masked Bidirectional(GRU, seq) into pooling and Flatten,
    /// Conv1D-MaxPooling1D-Flatten, masked Bidirectional(SimpleRNN, mul): activations, loss,
    /// gradients and three textbook Adam steps.
    @Test func layerModels() throws {
        let cases = try Fixtures.cases("layer_models.json")
        #expect(cases.count >= 4)
        for c in cases {
            do { try checkModelCase(c) } catch { Issue.record("\(J(c)["name"].stringOrNil ?? "?"): \(error)") }
        }
    }

    /// The same models through real Keras `train_on_batch` (the sparse Embedding quirk).
    @Test func layerModelsKerasTrainingSteps() throws {
        for raw in try Fixtures.cases("layer_models.json") {
            let c = J(raw)
            do { try checkTraining(c, record: "training", kerasSparse: true) }
            catch { Issue.record("\(c["name"].stringOrNil ?? "?"): \(error)") }
        }
    }
}

extension ParitySelfTests {
    /// A wrong output, weight gradient or input gradient in the new layers' fixtures is caught.
    @Test func sequenceLayerMismatchesAreCaught() throws {
        let bidi = try Fixtures.cases("bidirectional.json")
        let lstm = try #require(bidi.first { J($0)["name"].stringOrNil?.contains("LSTM_mul_return_sequencestrue") == true })
        let masked = try #require(bidi.first { J($0)["optional"].bool() })
        let pool = try #require(try Fixtures.cases("pooling1d.json").first { J($0)["name"].stringOrNil?.hasPrefix("MaxPooling1D_pool3_strides2_same") == true })
        let avg = try #require(try Fixtures.cases("pooling1d.json").first { J($0)["name"].stringOrNil?.hasPrefix("AveragePooling1D_pool5_strides2_same") == true })
        let flat = try Fixtures.cases("flatten.json")[0]
        let backwardWeight = try #require(try J(lstm)["weight_order"].array.map { try $0.string() }.first { $0.hasPrefix("backward_") })
        for (c, path) in [(lstm, ["results", "float32", "output"]), (lstm, ["results", "float32", "grads", backwardWeight]),
                          (lstm, ["results", "float32", "grad_input"]), (masked, ["results", "float32", "output"]),
                          (pool, ["results", "float32", "grad_input"]), (avg, ["results", "float32", "output"]),
                          (flat, ["results", "float32", "grad_input"])] {
            #expect(try caught { try checkSequenceLayerCase(J(Self.perturb(c, path))) }, "\(J(c)["name"].stringOrNil ?? "?") \(path)")
            // The unchanged case catches nothing.
            #expect(try !caught { try checkSequenceLayerCase(J(c)) })
        }
        let model = try Fixtures.cases("layer_models.json")[0]
        let order = try J(model)["weight_order"].array.map { try $0.string() }
        let backwardKernel = try #require(order.first { $0.contains("backward_lstm") && $0.hasSuffix("/kernel") })
        #expect(try caught { try checkModelCase(Self.perturb(model, ["results", "float32", "grads", backwardKernel]) as! [String: Any]) })
        #expect(try caught { try checkModelCase(Self.perturb(model, ["results", "float32", "activations", "bidirectional"]) as! [String: Any]) })
        #expect(try !caught { try checkModelCase(model) })
    }
}
