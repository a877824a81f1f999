import Testing
@testable import Engine

// MARK: - Building a layer from a fixture case

/// A fixture option this engine does not support: fails the case, naming it.
struct UnsupportedFixture: Error, CustomStringConvertible { let description: String }

/// An Int config entry given either as a number or as a one-element list (`kernel_size: [3]`).
private func singleInt(_ j: J, default d: Int? = nil) throws -> Int {
    if !j.exists, let d { return d }
    if let n = j.value as? Int { return n }
    let a = j.array
    guard a.count == 1 else {
        throw UnsupportedFixture(description: "\(j.path): expected one integer (1-D), got \(j.value.map { "\($0)" } ?? "null")")
    }
    return try a[0].int()
}

/// Builds the layer that a single-layer fixture case describes, from `layer.class_name` and
/// `layer.config` and the input shape (with batch). Throws for an unknown class or an option
/// this engine does not implement.
func buildFixtureLayer(_ c: J, inputShape: [Int]) throws -> Layer {
    let cls = try c["layer"]["class_name"].string()
    let cfg = c["layer"]["config"]
    let name = cfg["name"].stringOrNil ?? cls.lowercased()
    func unsupported(_ what: String) -> UnsupportedFixture {
        UnsupportedFixture(description: "\(cls) option not supported: \(what)")
    }
    func require(_ key: String, _ ok: (J) -> Bool, _ what: String) throws {
        if cfg[key].exists && !ok(cfg[key]) { throw unsupported("\(key) = \(cfg[key].value.map { "\($0)" } ?? "null") (\(what))") }
    }
    let channelsLast: (J) -> Bool = { $0.stringOrNil == "channels_last" }

    switch cls {
    case "Conv1D":
        try require("data_format", channelsLast, "only channels_last")
        try require("groups", { (try? singleInt($0)) == 1 }, "only groups = 1")
        guard inputShape.count == 3 else { throw unsupported("input of shape \(inputShape), expected [batch, steps, channels]") }
        let paddingName = try cfg["padding"].string()
        guard let padding = Conv1DLayer.Padding(rawValue: paddingName) else { throw unsupported("padding '\(paddingName)'") }
        var rng = SeededGenerator(seed: 1)
        let strides = try singleInt(cfg["strides"], default: 1)
        let dilation = try singleInt(cfg["dilation_rate"], default: 1)
        let kernelSize = try singleInt(cfg["kernel_size"])
        let filters = try cfg["filters"].int()
        try Conv1DLayer.validate(name: name, inputChannels: inputShape[2], filters: filters, kernelSize: kernelSize,
                                 strides: strides, padding: padding, dilation: dilation)
        return Conv1DLayer(name: name, inputChannels: inputShape[2], filters: filters, kernelSize: kernelSize,
                           strides: strides, padding: padding, dilation: dilation,
                           activation: try Activation.named(cfg["activation"].stringOrNil ?? "linear", layer: name),
                           useBias: cfg["use_bias"].exists ? cfg["use_bias"].bool() : true, rng: &rng)
    case "GlobalMaxPooling1D", "GlobalAveragePooling1D":
        try require("data_format", channelsLast, "only channels_last")
        try require("keepdims", { !$0.bool() }, "only keepdims = false")
        return cls == "GlobalMaxPooling1D" ? GlobalMaxPooling1DLayer(name: name) : GlobalAveragePooling1DLayer(name: name)
    case "LayerNormalization":
        let rank = inputShape.count
        try require("axis", { a in
            let axes = a.array.isEmpty ? [(try? a.int()) ?? Int.min] : a.array.map { (try? $0.int()) ?? Int.min }
            return axes == [-1] || axes == [rank - 1]
        }, "only the last axis")
        try require("center", { $0.bool() }, "only center = true")
        try require("scale", { $0.bool() }, "only scale = true")
        try require("rms_scaling", { !$0.bool() }, "only rms_scaling = false")
        guard let features = inputShape.last else { throw unsupported("scalar input") }
        let epsilon = cfg["epsilon"].exists ? Float(try cfg["epsilon"].double()) : 1e-3
        return LayerNormalizationLayer(name: name, features: features, epsilon: epsilon)
    default:
        // Bidirectional, the windowed poolings, Flatten, SpatialDropout1D (SequenceLayerTests.swift).
        return try buildSequenceFixtureLayer(c, inputShape: inputShape)
    }
}

/// Runs every case of a single-layer fixture file: builds the layer from its config, loads the
/// weights, checks output, loss, parameter and input gradients; fails on unchecked extras.
func runSingleLayerFixture(_ file: String, expectedClasses: Set<String>) throws {
    let cases = try Fixtures.cases(file)
    #expect(!cases.isEmpty, "\(file) has no cases")
    for raw in cases {
        let c = J(raw)
        let caseName = c["name"].stringOrNil ?? "?"
        do {
            let cls = try c["layer"]["class_name"].string()
            #expect(expectedClasses.contains(cls), "\(caseName): unexpected class \(cls) in \(file)")
            let x = try c["inputs"]["x"].tensor()
            let layer = try buildFixtureLayer(c, inputShape: x.shape)
            for key in c["inputs"].keys where key != "x" {
                guard key == "mask" else { throw UnsupportedFixture(description: "input '\(key)' not supported") }
                guard let consumer = layer as? any MaskConsumer else {
                    throw UnsupportedFixture(description: "\(cls) does not consume a mask")
                }
                consumer.mask = try c["inputs"]["mask"].tensor()
            }
            #expect(try layer.outputShape(for: Array(x.shape.dropFirst()))
                    == Array(try c["results"]["float32"]["output"].tensor().shape.dropFirst()),
                    "\(caseName): outputShape")
            try loadWeights(layer, c)
            try checkLayerCase(layer, c, input: x)
            for key in c["results"]["float32"]["extras"].keys {
                Issue.record("\(caseName): extra '\(key)' is not checked by this test")
            }
        } catch {
            Issue.record("\(caseName): \(error)")
        }
    }
}

extension KerasParity {
    @Test func conv1d() throws {
        try runSingleLayerFixture("conv1d.json", expectedClasses: ["Conv1D"])
    }

    @Test func pooling() throws {
        try runSingleLayerFixture("pooling.json", expectedClasses: ["GlobalMaxPooling1D", "GlobalAveragePooling1D"])
    }

    @Test func layerNormalization() throws {
        try runSingleLayerFixture("layernorm.json", expectedClasses: ["LayerNormalization"])
    }
}

// MARK: - Finite-difference gradient checks

@Suite struct ConvPoolNormGradientChecks {
    /// Every padding × strides × dilation that Keras accepts (the rest must throw).
    @Test(arguments: Conv1DLayer.Padding.allCases, [1, 2, 3])
    func conv1d(_ padding: Conv1DLayer.Padding, _ strides: Int) throws {
        for dilation in [1, 2, 3] {
            var rng = SeededGenerator(seed: 21 + UInt64(strides * 10 + dilation))
            let layer = Conv1DLayer(name: "conv1d", inputChannels: 3, filters: 4, kernelSize: 3, strides: strides,
                                    padding: padding, dilation: dilation, rng: &rng)
            layer.bias!.value = GradientCheck.randomTensor([4], &rng, scale: 0.5)
            let x = GradientCheck.randomTensor([2, 9, 3], &rng)
            if strides > 1 && (dilation > 1 || padding == .causal) {
                #expect(throws: EngineError.self) { try layer.forward(x, training: false) }
                continue
            }
            try GradientCheck.check(layer, input: x, probes: 60)
        }
    }

    @Test(arguments: Activation.allCases)
    func conv1dActivation(_ activation: Activation) throws {
        var rng = SeededGenerator(seed: 31)
        for padding in Conv1DLayer.Padding.allCases {
            let layer = Conv1DLayer(name: "conv1d", inputChannels: 2, filters: 5, kernelSize: 2, padding: padding,
                                    dilation: 2, activation: activation, rng: &rng)
            layer.bias!.value = GradientCheck.randomTensor([5], &rng, scale: 0.5)
            var x = GradientCheck.randomTensor([3, 6, 2], &rng)
            if activation == .relu {
                // Finite differences are wrong across relu's kink: draw inputs whose
                // pre-activations all stay well away from 0 under the ±eps perturbations.
                let twin = Conv1DLayer(name: "twin", inputChannels: 2, filters: 5, kernelSize: 2, padding: padding,
                                       dilation: 2, rng: &rng)
                twin.kernel.value = layer.kernel.value
                twin.bias!.value = layer.bias!.value
                var attempts = 0
                while try twin.forward(x, training: false).scalars.contains(where: { abs($0) < 0.03 }) {
                    attempts += 1
                    try #require(attempts < 2000, "no input away from relu's kink")
                    x = GradientCheck.randomTensor([3, 6, 2], &rng)
                }
            }
            try GradientCheck.check(layer, input: x)
        }
    }

    @Test func conv1dNoBiasKernelOne() throws {
        var rng = SeededGenerator(seed: 32)
        let layer = Conv1DLayer(name: "conv1d", inputChannels: 4, filters: 3, kernelSize: 1, strides: 2,
                                padding: .same, useBias: false, rng: &rng)
        #expect(layer.parameters.map(\.name) == ["kernel"])
        try GradientCheck.check(layer, input: GradientCheck.randomTensor([2, 7, 4], &rng))
    }

    @Test func globalMaxPooling() throws {
        // Distinct values 0.05 apart, shuffled, so no ±eps perturbation changes the argmax.
        var rng = SeededGenerator(seed: 33)
        let (b, t, c) = (3, 7, 4)
        var values = (0..<(b * t * c)).map { Float($0) * 0.05 - 2 }
        values.shuffle(using: &rng)
        try GradientCheck.check(GlobalMaxPooling1DLayer(name: "gmp"), input: Tensor(shape: [b, t, c], scalars: values),
                                probes: 84)
    }

    @Test func globalAveragePooling() throws {
        var rng = SeededGenerator(seed: 34)
        let layer = GlobalAveragePooling1DLayer(name: "gap")
        try GradientCheck.check(layer, input: GradientCheck.randomTensor([3, 7, 4], &rng))
        layer.mask = Tensor(shape: [3, 7], scalars: [1, 1, 1, 0, 0, 0, 0,
                                                      1, 1, 1, 1, 1, 1, 1,
                                                      0, 0, 1, 0, 1, 1, 0])
        try GradientCheck.check(layer, input: GradientCheck.randomTensor([3, 7, 4], &rng))
    }

    @Test(arguments: [[5, 4], [2, 3, 6], [2, 2, 3, 5]])
    func layerNormalization(_ shape: [Int]) throws {
        for epsilon: Float in [1e-3, 1e-5] {
            var rng = SeededGenerator(seed: 35)
            let f = shape.last!
            let layer = LayerNormalizationLayer(name: "layer_norm", features: f, epsilon: epsilon)
            layer.gamma.value = GradientCheck.randomTensor([f], &rng)
            layer.beta.value = GradientCheck.randomTensor([f], &rng)
            try GradientCheck.check(layer, input: GradientCheck.randomTensor(shape, &rng, scale: 2))
        }
    }
}

// MARK: - Semantics and errors

@Suite struct ConvPoolNormBehaviour {
    /// x = [1, 2, 3], kernel taps [1, 10]: shows where each padding puts its zeros.
    @Test func conv1dPaddingPlacement() throws {
        func run(_ padding: Conv1DLayer.Padding, strides: Int = 1) throws -> [Float] {
            var rng = SeededGenerator(seed: 1)
            let layer = Conv1DLayer(name: "c", inputChannels: 1, filters: 1, kernelSize: 2, strides: strides,
                                    padding: padding, useBias: false, rng: &rng)
            layer.kernel.value = Tensor(shape: [2, 1, 1], scalars: [1, 10])
            return try layer.forward(Tensor(shape: [1, 3, 1], scalars: [1, 2, 3]), training: false).scalars
        }
        #expect(try run(.valid) == [21, 32])
        #expect(try run(.same) == [21, 32, 3])          // the odd extra zero at the end
        #expect(try run(.causal) == [10, 21, 32])       // zeros on the left only
        #expect(try run(.same, strides: 2) == [21, 3])
        #expect(try run(.valid, strides: 2) == [21])
    }

    @Test func conv1dErrors() throws {
        var rng = SeededGenerator(seed: 2)
        for (padding, strides, dilation) in [(Conv1DLayer.Padding.causal, 2, 1), (.valid, 2, 2), (.same, 3, 2)] {
            #expect(throws: EngineError.self) {
                try Conv1DLayer.validate(name: "c", inputChannels: 3, filters: 2, kernelSize: 3, strides: strides,
                                         padding: padding, dilation: dilation)
            }
            let layer = Conv1DLayer(name: "c", inputChannels: 3, filters: 2, kernelSize: 3, strides: strides,
                                    padding: padding, dilation: dilation, rng: &rng)
            do {
                _ = try layer.outputShape(for: [10, 3])
                Issue.record("\(padding) strides \(strides) dilation \(dilation) accepted")
            } catch let EngineError.invalidSpec(field, _) {
                #expect(field.hasPrefix("c."))
            }
        }
        let bad = Conv1DLayer(name: "c", inputChannels: 3, filters: 2, kernelSize: 0, rng: &rng)
        #expect(throws: EngineError.self) { try bad.outputShape(for: [10, 3]) }

        // Too short: a kernel of 3 with dilation 2 spans 5 steps.
        let conv = Conv1DLayer(name: "conv", inputChannels: 3, filters: 2, kernelSize: 3, dilation: 2, rng: &rng)
        #expect(try conv.outputShape(for: [5, 3]) == [1, 2])
        do {
            _ = try conv.outputShape(for: [4, 3])
            Issue.record("length 4 accepted")
        } catch let EngineError.incompatibleLayer(layer, shape, reason) {
            #expect(layer == "conv" && shape == [4, 3])
            #expect(reason.contains("length 4") && reason.contains("kernel_size 3"))
        }
        do {
            _ = try conv.forward(Tensor(shape: [2, 4, 3]), training: false)
            Issue.record("forward with length 4 accepted")
        } catch let EngineError.incompatibleLayer(layer, shape, _) {
            #expect(layer == "conv" && shape == [4, 3])
        }
        // Same and causal handle any length ≥ 1.
        let same = Conv1DLayer(name: "s", inputChannels: 3, filters: 2, kernelSize: 5, padding: .same, rng: &rng)
        #expect(try same.outputShape(for: [1, 3]) == [1, 2])
        #expect(throws: EngineError.self) { try same.outputShape(for: [0, 3]) }
        // Wrong channels / rank.
        #expect(throws: EngineError.self) { try conv.outputShape(for: [10, 4]) }
        #expect(throws: EngineError.self) { try conv.forward(Tensor(shape: [2, 10, 4]), training: false) }
        #expect(throws: EngineError.self) { try conv.forward(Tensor(shape: [10, 3]), training: false) }
    }

    @Test func conv1dReusesBuffersAcrossBatchSizes() throws {
        var rng = SeededGenerator(seed: 3)
        let layer = Conv1DLayer(name: "c", inputChannels: 2, filters: 3, kernelSize: 3, padding: .same, rng: &rng)
        let big = GradientCheck.randomTensor([4, 6, 2], &rng)
        let small = GradientCheck.randomTensor([1, 6, 2], &rng)
        _ = try layer.forward(big, training: true)
        _ = layer.backward(Tensor(shape: [4, 6, 3], repeating: 1))
        let y1 = try layer.forward(small, training: true)
        let dx1 = layer.backward(Tensor(shape: [1, 6, 3], repeating: 1))
        let fresh = Conv1DLayer(name: "c", inputChannels: 2, filters: 3, kernelSize: 3, padding: .same, rng: &rng)
        fresh.kernel.value = layer.kernel.value
        #expect(try fresh.forward(small, training: true) == y1)
        #expect(fresh.backward(Tensor(shape: [1, 6, 3], repeating: 1)) == dx1)
        #expect(fresh.kernel.grad == layer.kernel.grad)
    }

    @Test func globalMaxPoolingTies() throws {
        let layer = GlobalMaxPooling1DLayer(name: "gmp")
        // Channel 0: max 2 at steps 0 and 2 (tie); channel 1: max 5 at step 1.
        let x = Tensor(shape: [1, 3, 2], scalars: [2, 1, 0, 5, 2, -1])
        #expect(try layer.forward(x, training: false).scalars == [2, 5])
        // TensorFlow's reduce_max gradient divides dy between tied maxima.
        #expect(layer.backward(Tensor(shape: [1, 2], scalars: [4, 3])).scalars == [2, 0, 0, 3, 2, 0])
    }

    @Test func globalAveragePoolingMask() throws {
        let layer = GlobalAveragePooling1DLayer(name: "gap")
        let x = Tensor(shape: [2, 3, 2], scalars: [1, 2, 3, 4, 100, 100,
                                                   5, 6, 7, 8, 9, 10])
        #expect(try layer.forward(x, training: false).scalars == [(1 + 3 + 100) / 3, (2 + 4 + 100) / 3, 7, 8])
        layer.mask = Tensor(shape: [2, 3], scalars: [1, 1, 0, 0, 0, 0])
        #expect(try layer.forward(x, training: false).scalars == [2, 3, 0, 0])
        #expect(layer.backward(Tensor(shape: [2, 2], scalars: [2, 4, 6, 8])).scalars
                == [1, 2, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0])
        layer.mask = Tensor(shape: [2, 4])
        #expect(throws: EngineError.self) { try layer.forward(x, training: false) }
        layer.mask = nil
        #expect(throws: EngineError.self) { try layer.forward(Tensor(shape: [2, 3]), training: false) }
        #expect(throws: EngineError.self) { try layer.outputShape(for: [3]) }
        #expect(throws: EngineError.self) { try layer.outputShape(for: [0, 3]) }
        #expect(try layer.outputShape(for: [3, 7]) == [7])
    }

    @Test func emptyBatch() throws {
        var rng = SeededGenerator(seed: 4)
        let layers: [Layer] = [
            Conv1DLayer(name: "c", inputChannels: 3, filters: 2, kernelSize: 2, padding: .same, rng: &rng),
            GlobalMaxPooling1DLayer(name: "gmp"), GlobalAveragePooling1DLayer(name: "gap"),
            LayerNormalizationLayer(name: "ln", features: 3), DropoutLayer(name: "d", rate: 0.5, seed: 1),
        ]
        for layer in layers {
            let y = try layer.forward(Tensor(shape: [0, 5, 3]), training: true)
            #expect(y.count == 0, "\(layer.name)")
            #expect(layer.backward(y).shape == [0, 5, 3], "\(layer.name)")
        }
    }

    @Test func poolingShapes() throws {
        let layer = GlobalMaxPooling1DLayer(name: "gmp")
        #expect(try layer.outputShape(for: [9, 4]) == [4])
        #expect(throws: EngineError.self) { try layer.outputShape(for: [4]) }
        #expect(throws: EngineError.self) { try layer.forward(Tensor(shape: [2, 0, 3]), training: false) }
        #expect(throws: EngineError.self) { try layer.forward(Tensor(shape: [2, 3]), training: false) }
    }

    @Test func layerNormalizationShapesAndDefaults() throws {
        let layer = LayerNormalizationLayer(name: "ln", features: 4)
        #expect(layer.epsilon == 1e-3)
        #expect(layer.parameters.map(\.name) == ["gamma", "beta"])
        #expect(layer.gamma.value.scalars == [1, 1, 1, 1] && layer.beta.value.scalars == [0, 0, 0, 0])
        #expect(try layer.outputShape(for: [7, 4]) == [7, 4])
        #expect(try layer.outputShape(for: [4]) == [4])
        #expect(throws: EngineError.self) { try layer.outputShape(for: [7, 5]) }
        #expect(throws: EngineError.self) { try layer.forward(Tensor(shape: [2, 5]), training: false) }
        // A constant row normalises to beta (variance 0, epsilon keeps it finite).
        let y = try layer.forward(Tensor(shape: [1, 4], repeating: 3), training: false)
        #expect(y.scalars == [0, 0, 0, 0])
    }
}

// MARK: - Dropout

@Suite struct DropoutTests {
    @Test func validation() throws {
        for bad: Float in [-0.1, 1, 1.5, .nan, .infinity] {
            #expect(throws: EngineError.self) { try DropoutLayer.validate(name: "dropout", rate: bad) }
            let layer = DropoutLayer(name: "dropout", rate: bad, seed: 1)
            #expect(throws: EngineError.self) { try layer.outputShape(for: [3]) }
            #expect(throws: EngineError.self) { try layer.forward(Tensor(shape: [2, 3]), training: true) }
        }
        for ok: Float in [0, 0.5, 0.999] { try DropoutLayer.validate(name: "dropout", rate: ok) }
        let layer = DropoutLayer(name: "dropout", rate: 0.5, seed: 1)
        #expect(try layer.outputShape(for: [10, 7]) == [10, 7])
        #expect(layer.parameters.isEmpty)
    }

    @Test func sameSeedSameMask() throws {
        var rng = SeededGenerator(seed: 5)
        let x = GradientCheck.randomTensor([4, 50], &rng)
        let a = DropoutLayer(name: "a", rate: 0.4, seed: 42), b = DropoutLayer(name: "b", rate: 0.4, seed: 42)
        let c = DropoutLayer(name: "c", rate: 0.4, seed: 43)
        let ya1 = try a.forward(x, training: true), yb1 = try b.forward(x, training: true)
        #expect(ya1 == yb1)
        #expect(try c.forward(x, training: true) != ya1)
        // The generator moves on: the next mask differs, and equally for both layers.
        let ya2 = try a.forward(x, training: true)
        #expect(ya2 != ya1)
        #expect(try b.forward(x, training: true) == ya2)
    }

    @Test func inferenceIsIdentity() throws {
        var rng = SeededGenerator(seed: 6)
        let x = GradientCheck.randomTensor([3, 4, 5], &rng)
        let layer = DropoutLayer(name: "dropout", rate: 0.5, seed: 7)
        #expect(try layer.forward(x, training: false) == x)
        let dy = GradientCheck.randomTensor([3, 4, 5], &rng)
        #expect(layer.backward(dy) == dy)
        let zero = DropoutLayer(name: "dropout", rate: 0, seed: 7)
        #expect(try zero.forward(x, training: true) == x)
        #expect(zero.backward(dy) == dy)
    }

    @Test func dropsAboutRate() throws {
        for rate: Float in [0.1, 0.3, 0.5, 0.8] {
            let layer = DropoutLayer(name: "dropout", rate: rate, seed: 8)
            let y = try layer.forward(Tensor(shape: [200, 1000], repeating: 1), training: true)
            let values = y.scalars
            let dropped = values.filter { $0 == 0 }.count
            let fraction = Double(dropped) / Double(values.count)
            #expect(abs(fraction - Double(rate)) < 0.005, "rate \(rate): dropped \(fraction)")
            let keep = 1 / (1 - rate)
            #expect(values.allSatisfy { $0 == 0 || $0 == keep }, "rate \(rate): kept values scaled by 1/(1-rate)")
        }
    }

    @Test func backwardUsesTheSameMask() throws {
        var rng = SeededGenerator(seed: 9)
        let x = Initializer.uniform([6, 40], 0.5, 1.5, rng: &rng)   // no zeros
        let layer = DropoutLayer(name: "dropout", rate: 0.3, seed: 10)
        let y = try layer.forward(x, training: true).scalars
        let dy = GradientCheck.randomTensor([6, 40], &rng)
        let dx = layer.backward(dy).scalars
        let xs = x.scalars, dys = dy.scalars, keep: Float = 1 / 0.7
        for i in 0..<xs.count {
            if y[i] == 0 {
                #expect(dx[i] == 0)
            } else {
                #expect(y[i] == xs[i] * keep && dx[i] == dys[i] * keep)
            }
        }
        // The next training forward draws a new mask, and backward follows it.
        let y2 = try layer.forward(x, training: true).scalars
        #expect(y2 != y)
        let dx2 = layer.backward(dy).scalars
        for i in 0..<xs.count { #expect(dx2[i] == (y2[i] == 0 ? 0 : dys[i] * keep)) }
    }
}
