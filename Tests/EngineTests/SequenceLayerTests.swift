import Foundation
import Testing
@testable import Engine

/// A Bidirectional layer around `kind`, built by the engine's factory.
private func bidirectional(_ kind: RNNKind, inputDim: Int, units: Int, returnSequences: Bool,
                           mode: BidirectionalLayer.MergeMode, rng: inout SeededGenerator) throws -> BidirectionalLayer {
    let inner: LayerSpec
    switch kind {
    case .simpleRNN: inner = .simpleRNN(units: units, returnSequences: returnSequences)
    case .gru: inner = .gru(units: units, returnSequences: returnSequences)
    case .lstm: inner = .lstm(units: units, returnSequences: returnSequences)
    }
    let layer = try LayerFactory.make(.bidirectional(layer: inner, mergeMode: mode.rawValue), name: "bidirectional",
                                      inputShape: [5, inputDim], vocabularySize: 2, rng: &rng)
    return try #require(layer as? BidirectionalLayer)
}

// MARK: - Finite differences

@Suite struct SequenceLayerGradientChecks {
    /// Every wrapped kind × merge mode × return_sequences, with and without a mask.
    @Test(arguments: RNNKind.allCases, BidirectionalLayer.MergeMode.allCases)
    func bidirectional(_ kind: RNNKind, _ mode: BidirectionalLayer.MergeMode) throws {
        var rng = SeededGenerator(seed: 61)
        for rs in [false, true] {
            for masked in [false, true] {
                let layer = try bidirectionalWithRandomBiases(kind, rs, mode, &rng)
                layer.mask = masked ? RecurrentGradientChecks.mask(batch: 5, time: 4) : nil
                try GradientCheck.check(layer, input: GradientCheck.randomTensor([5, 4, 3], &rng), probes: 12)
            }
        }
    }

    /// Pool sizes, strides and both paddings, on a length no pool divides.
    @Test(arguments: Pooling1D.Padding.allCases)
    func pooling(_ padding: Pooling1D.Padding) throws {
        var rng = SeededGenerator(seed: 62)
        for (pool, strides) in [(2, 2), (3, 2), (3, 1), (2, 3), (5, 2)] {
            // Distinct values 0.05 apart, shuffled, so no ±eps perturbation changes a maximum.
            var values = (0..<(2 * 7 * 3)).map { Float($0) * 0.05 - 1 }
            values.shuffle(using: &rng)
            let x = Tensor(shape: [2, 7, 3], scalars: values)
            try GradientCheck.check(MaxPooling1DLayer(name: "max", poolSize: pool, strides: strides, padding: padding), input: x, probes: 42)
            try GradientCheck.check(AveragePooling1DLayer(name: "avg", poolSize: pool, strides: strides, padding: padding), input: x, probes: 42)
        }
    }

    @Test func flattenAndSpatialDropoutAtInference() throws {
        var rng = SeededGenerator(seed: 63)
        try GradientCheck.check(FlattenLayer(name: "flatten"), input: GradientCheck.randomTensor([3, 4, 2], &rng))
        try GradientCheck.check(SpatialDropout1DLayer(name: "sd", rate: 0.5, seed: 1), input: GradientCheck.randomTensor([3, 4, 2], &rng))
    }
}

/// The factory-built Bidirectional with random biases (so their gradients are not only checked at 0).
private func bidirectionalWithRandomBiases(_ kind: RNNKind, _ rs: Bool, _ mode: BidirectionalLayer.MergeMode,
                                  _ rng: inout SeededGenerator) throws -> BidirectionalLayer {
    let layer = try bidirectional(kind, inputDim: 3, units: 2, returnSequences: rs, mode: mode, rng: &rng)
    for p in layer.parameters where p.name.hasSuffix("/bias") {
        p.value = GradientCheck.randomTensor(p.value.shape, &rng, scale: 0.5)
    }
    return layer
}

// MARK: - Bidirectional

@Suite struct BidirectionalTests {
    /// SimpleRNN with kernel 1, recurrent kernel 0, bias 0 gives h_t = tanh(x_t): shows which
    /// step each half of the output comes from.
    @Test func directionsAndMergeModes() throws {
        func run(_ mode: BidirectionalLayer.MergeMode, _ rs: Bool, _ xs: [Float]) throws -> [Float] {
            var rng = SeededGenerator(seed: 1)
            let layer = try bidirectional(.simpleRNN, inputDim: 1, units: 1, returnSequences: rs, mode: mode, rng: &rng)
            for p in layer.parameters {
                p.value = Tensor(shape: p.value.shape, repeating: p.name.hasSuffix("/kernel") && !p.name.contains("recurrent") ? 1 : 0)
            }
            return try layer.forward(Tensor(shape: [1, xs.count, 1], scalars: xs), training: false).scalars
        }
        let xs: [Float] = [0.1, 0.2, 0.3]
        let h = xs.map { fastTanh($0) }   // the engine's tanh, so the sums are exact
        // The last output of each copy: the forward copy ends at step 2, the backward one at step 0.
        #expect(try run(.concat, false, xs) == [h[2], h[0]])
        #expect(try run(.sum, false, xs) == [h[2] + h[0]])
        #expect(try run(.ave, false, xs) == [(h[2] + h[0]) / 2])
        #expect(try run(.mul, false, xs) == [h[2] * h[0]])
        // Sequences: the backward copy's outputs are reversed back, so step t pairs with step t.
        #expect(try run(.concat, true, xs) == [h[0], h[0], h[1], h[1], h[2], h[2]])
        #expect(try run(.mul, true, xs) == h.map { $0 * $0 })
    }

    @Test func weightsShapesAndNames() throws {
        var rng = SeededGenerator(seed: 2)
        let layer = try bidirectional(.lstm, inputDim: 3, units: 4, returnSequences: false, mode: .concat, rng: &rng)
        #expect(layer.parameters.map(\.name) == ["forward_lstm/kernel", "forward_lstm/recurrent_kernel", "forward_lstm/bias",
                                                 "backward_lstm/kernel", "backward_lstm/recurrent_kernel", "backward_lstm/bias"])
        #expect(layer.parameterCount == 2 * (4 * 4 * (3 + 4) + 4 * 4))
        // Two copies with their own weights, not one shared.
        #expect(layer.parameters[0].value != layer.parameters[3].value)
        #expect(try layer.outputShape(for: [5, 3]) == [8])
        let seq = try bidirectional(.gru, inputDim: 3, units: 4, returnSequences: true, mode: .sum, rng: &rng)
        #expect(try seq.outputShape(for: [5, 3]) == [5, 4])
        #expect(throws: EngineError.self) { try seq.outputShape(for: [5, 2]) }
        do {
            _ = try seq.outputShape(for: [7])
            Issue.record("rank-1 input accepted")
        } catch let EngineError.incompatibleLayer(name, shape, reason) {
            #expect(name == "bidirectional" && shape == [7])
            #expect(reason.contains("Bidirectional needs a sequence"), "\(reason)")
        }
        #expect(throws: EngineError.shapeMismatch(layer: "bidirectional", expected: [-1, -1, 3], got: [2, 5, 2])) {
            try seq.forward(Tensor(shape: [2, 5, 2]), training: false)
        }
        seq.mask = Tensor(shape: [2, 4], repeating: 1)
        #expect(throws: EngineError.self) { try seq.forward(Tensor(shape: [2, 5, 3]), training: false) }
    }

    /// With return_sequences a padded step outputs 0 and passes no gradient (Keras forces
    /// zero_output_for_mask); an all-ones mask is the same as none.
    @Test(arguments: BidirectionalLayer.MergeMode.allCases)
    func maskedStepsAreZero(_ mode: BidirectionalLayer.MergeMode) throws {
        var rng = SeededGenerator(seed: 3)
        let layer = try bidirectional(.lstm, inputDim: 3, units: 2, returnSequences: true, mode: mode, rng: &rng)
        let x = GradientCheck.randomTensor([2, 5, 3], &rng)
        let plain = try layer.forward(x, training: false)
        layer.mask = Tensor(shape: [2, 5], repeating: 1)
        #expect(try layer.forward(x, training: false) == plain)
        layer.mask = Tensor(shape: [2, 5], scalars: [0, 0, 1, 1, 1, 1, 1, 1, 0, 1])
        let y = try layer.forward(x, training: false)
        let o = layer.outputUnits
        for (b, t) in [(0, 0), (0, 1), (1, 3)] {
            #expect(y.scalars[((b * 5) + t) * o ..< ((b * 5) + t + 1) * o].allSatisfy { $0 == 0 })
        }
        #expect(y.scalars[(2 * o)..<(3 * o)].contains { $0 != 0 })
        let dx = layer.backward(Tensor(shape: y.shape, repeating: 1))
        // The leading padded steps of row 0 get no gradient: no later real step depends on them.
        #expect(dx.scalars[0..<6].allSatisfy { $0 == 0 })
    }

    /// Reusing the buffers for a smaller batch (and dropping the mask) gives exactly what a
    /// fresh layer computes.
    @Test(arguments: BidirectionalLayer.MergeMode.allCases)
    func buffersReusedAcrossBatches(_ mode: BidirectionalLayer.MergeMode) throws {
        var rng = SeededGenerator(seed: 4)
        for rs in [false, true] {
            let layer = try bidirectional(.gru, inputDim: 3, units: 2, returnSequences: rs, mode: mode, rng: &rng)
            layer.mask = RecurrentGradientChecks.mask(batch: 5, time: 5)
            let big = try layer.forward(GradientCheck.randomTensor([5, 5, 3], &rng), training: true)
            _ = layer.backward(GradientCheck.randomTensor(big.shape, &rng))
            layer.mask = nil
            var fresh = SeededGenerator(seed: 0)
            let other = try bidirectional(.gru, inputDim: 3, units: 2, returnSequences: rs, mode: mode, rng: &fresh)
            for (p, q) in zip(layer.parameters, other.parameters) { q.value = p.value }
            let small = GradientCheck.randomTensor([2, 5, 3], &rng)
            let y1 = try layer.forward(small, training: true), y2 = try other.forward(small, training: true)
            #expect(y1 == y2)
            let dy = GradientCheck.randomTensor(y1.shape, &rng)
            #expect(layer.backward(dy) == other.backward(dy))
            for (p, q) in zip(layer.parameters, other.parameters) { #expect(p.grad == q.grad, "\(p.name)") }
        }
    }
}

// MARK: - Pooling, Flatten, SpatialDropout1D

@Suite struct WindowedPoolingTests {
    /// x = 1…7 on one channel: where each padding puts its windows.
    @Test func windowsAndPadding() throws {
        let x = Tensor(shape: [1, 7, 1], scalars: [1, 2, 3, 4, 5, 6, 7])
        func maxPool(_ p: Int, _ s: Int?, _ pad: Pooling1D.Padding) throws -> [Float] {
            try MaxPooling1DLayer(name: "m", poolSize: p, strides: s, padding: pad).forward(x, training: false).scalars
        }
        func avgPool(_ p: Int, _ s: Int?, _ pad: Pooling1D.Padding) throws -> [Float] {
            try AveragePooling1DLayer(name: "a", poolSize: p, strides: s, padding: pad).forward(x, training: false).scalars
        }
        #expect(try maxPool(2, nil, .valid) == [2, 4, 6])          // strides default to pool_size; step 7 left over
        #expect(try maxPool(2, nil, .same) == [2, 4, 6, 7])        // ⌈7/2⌉ windows, the last one half padding
        #expect(try avgPool(2, nil, .same) == [1.5, 3.5, 5.5, 7])  // padding is not counted
        #expect(try avgPool(3, 1, .same) == [1.5, 2, 3, 4, 5, 6, 6.5])
        #expect(try avgPool(2, 3, .valid) == [1.5, 4.5])           // pool < strides skips steps
        #expect(try maxPool(5, 2, .same) == [3, 5, 7, 7])          // 2 padded steps on each side
        #expect(try maxPool(7, nil, .valid) == [7])
    }

    @Test func gradientGoesToTheFirstMaximum() throws {
        let layer = MaxPooling1DLayer(name: "m", poolSize: 2, strides: 1)
        let x = Tensor(shape: [1, 4, 1], scalars: [1, 3, 3, 0])
        #expect(try layer.forward(x, training: false).scalars == [3, 3, 3])
        #expect(layer.backward(Tensor(shape: [1, 3, 1], scalars: [1, 10, 100])).scalars == [0, 11, 100, 0])
    }

    @Test func shapesAndErrors() throws {
        let max = MaxPooling1DLayer(name: "m", poolSize: 3, strides: 2, padding: .valid)
        #expect(try max.outputShape(for: [7, 4]) == [3, 4])
        #expect(try MaxPooling1DLayer(name: "m", poolSize: 3, strides: 2, padding: .same).outputShape(for: [7, 4]) == [4, 4])
        do {
            _ = try max.outputShape(for: [2, 4])
            Issue.record("a sequence shorter than the pool accepted")
        } catch let EngineError.incompatibleLayer(layer, shape, reason) {
            #expect(layer == "m" && shape == [2, 4])
            #expect(reason.contains("too short for pool_size 3"), "\(reason)")
        }
        #expect(throws: EngineError.self) { try max.outputShape(for: [7]) }
        #expect(throws: EngineError.self) { try max.forward(Tensor(shape: [2, 7]), training: false) }
        #expect(throws: EngineError.self) { try max.forward(Tensor(shape: [2, 2, 4]), training: false) }
        for (p, s) in [(0, 1), (2, 0), (-1, 1)] {
            do {
                _ = try AveragePooling1DLayer(name: "a", poolSize: p, strides: s).outputShape(for: [7, 4])
                Issue.record("pool \(p) strides \(s) accepted")
            } catch let EngineError.invalidSpec(field, _) {
                #expect(field == (p < 1 ? "a.pool_size" : "a.strides"))
            }
        }
        // Same padding takes any length ≥ 1; an empty batch gives an empty output.
        let same = AveragePooling1DLayer(name: "a", poolSize: 4, padding: .same)
        #expect(try same.outputShape(for: [1, 3]) == [1, 3])
        let empty = try same.forward(Tensor(shape: [0, 5, 3]), training: true)
        #expect(empty.shape == [0, 2, 3])
        #expect(same.backward(empty).shape == [0, 5, 3])
    }

    @Test func buffersReusedAcrossBatches() throws {
        var rng = SeededGenerator(seed: 5)
        for make in [{ MaxPooling1DLayer(name: "m", poolSize: 3, strides: 2, padding: .same) as Layer },
                     { AveragePooling1DLayer(name: "a", poolSize: 3, strides: 2, padding: .same) as Layer }] {
            let layer = make(), fresh = make()
            _ = try layer.forward(GradientCheck.randomTensor([4, 9, 2], &rng), training: true)
            _ = layer.backward(Tensor(shape: [4, 5, 2], repeating: 1))
            let x = GradientCheck.randomTensor([1, 6, 2], &rng)
            #expect(try layer.forward(x, training: true) == fresh.forward(x, training: true))
            let dy = GradientCheck.randomTensor([1, 3, 2], &rng)
            #expect(layer.backward(dy) == fresh.backward(dy))
        }
    }
}

@Suite struct FlattenAndSpatialDropoutTests {
    @Test func flattenKeepsRowMajorOrder() throws {
        let layer = FlattenLayer(name: "flatten")
        let x = Tensor(shape: [2, 2, 3], scalars: (0..<12).map(Float.init))
        let y = try layer.forward(x, training: false)
        #expect(y.shape == [2, 6] && y.scalars == x.scalars)
        let dx = layer.backward(Tensor(shape: [2, 6], scalars: (0..<12).map { Float($0) * 2 }))
        #expect(dx.shape == [2, 2, 3] && dx.scalars == (0..<12).map { Float($0) * 2 })
        #expect(try layer.outputShape(for: [5, 3]) == [15])
        #expect(try layer.outputShape(for: [4]) == [4])
        #expect(throws: EngineError.self) { try layer.outputShape(for: []) }
        #expect(throws: EngineError.self) { try layer.outputShape(for: [Int.max, 3]) }
        #expect(throws: EngineError.self) { try layer.forward(Tensor(shape: [3]), training: false) }
    }

    @Test func spatialDropoutDropsWholeChannels() throws {
        var rng = SeededGenerator(seed: 6)
        let x = Initializer.uniform([8, 5, 6], 0.5, 1.5, rng: &rng)   // no zeros
        let layer = SpatialDropout1DLayer(name: "sd", rate: 0.4, seed: 12)
        #expect(try layer.forward(x, training: false) == x)
        let y = try layer.forward(x, training: true).scalars
        let dy = GradientCheck.randomTensor([8, 5, 6], &rng)
        let dx = layer.backward(dy).scalars
        let xs = x.scalars, dys = dy.scalars, keep: Float = 1 / 0.6
        var droppedChannels = 0
        for b in 0..<8 {
            for c in 0..<6 {
                let dropped = y[b * 30 + c] == 0
                if dropped { droppedChannels += 1 }
                for t in 0..<5 {
                    let i = (b * 5 + t) * 6 + c
                    #expect(dropped ? y[i] == 0 && dx[i] == 0 : y[i] == xs[i] * keep && dx[i] == dys[i] * keep)
                }
            }
        }
        #expect(droppedChannels > 0 && droppedChannels < 48)
        #expect(layer.lastScale.shape == [8, 6])
        // Same seed, same masks; the generator moves on.
        let twin = SpatialDropout1DLayer(name: "sd", rate: 0.4, seed: 12)
        #expect(try twin.forward(x, training: true).scalars == y)
        #expect(try twin.forward(x, training: true).scalars != y)
        // Errors: not a sequence, a rate outside [0, 1).
        #expect(throws: EngineError.self) { try layer.forward(Tensor(shape: [2, 3]), training: true) }
        #expect(throws: EngineError.self) { try layer.outputShape(for: [3]) }
        #expect(throws: EngineError.self) { try SpatialDropout1DLayer(name: "sd", rate: 1, seed: 1).outputShape(for: [3, 2]) }
    }
}

// MARK: - Specs, models, weights files

@Suite struct SequenceLayerModelTests {
    @Test func specsRoundTripAndDefaults() throws {
        let spec = ModelSpec(inputLength: 12, vocabularySize: 50, layers: [
            .embedding(dim: 6, maskZero: true), .spatialDropout1D(rate: 0.2),
            .bidirectional(layer: .gru(units: 3, returnSequences: true), mergeMode: "sum"),
            .maxPooling1D(poolSize: 3, strides: 2, padding: "same"), .averagePooling1D(),
            .bidirectional(layer: .simpleRNN(units: 2, returnSequences: true)), .flatten,
            .dense(units: 3, activation: .softmax)])
        let data = try JSONEncoder().encode(spec)
        #expect(try JSONDecoder().decode(ModelSpec.self, from: data) == spec)
        let model = try Sequential(spec: spec, seed: 1)
        #expect(model.outputShapes == [[12, 6], [12, 6], [12, 3], [6, 3], [3, 3], [3, 4], [12], [3]])
        #expect(model.layers.map(\.name) == ["embedding", "spatial_dropout1d", "bidirectional", "max_pooling1d",
                                             "average_pooling1d", "bidirectional_1", "flatten", "dense"])

        // Keras's defaults when fields are left out.
        let json = #"""
        [{"type": "bidirectional", "layer": {"type": "lstm", "units": 4}}, {"type": "max_pooling1d"},
         {"type": "average_pooling1d", "pool_size": 3}, {"type": "flatten"}, {"type": "spatial_dropout1d", "rate": 0.1}]
        """#
        let layers = try JSONDecoder().decode([LayerSpec].self, from: Data(json.utf8))
        #expect(layers == [.bidirectional(layer: .lstm(units: 4), mergeMode: "concat"), .maxPooling1D(poolSize: 2, strides: nil, padding: "valid"),
                           .averagePooling1D(poolSize: 3), .flatten, .spatialDropout1D(rate: 0.1)])
        #expect(layers.map(\.label) == ["Bidirectional(LSTM(4))", "MaxPooling1D(2)", "AveragePooling1D(3)", "Flatten", "SpatialDropout1D(0.1)"])
        #expect(LayerSpec.maxPooling1D(poolSize: 3, strides: 1, padding: "same").label == "MaxPooling1D(3, strides=1, same)")
        #expect(LayerSpec.bidirectional(layer: .gru(units: 8, returnSequences: true), mergeMode: "ave").label == "Bidirectional(GRU(8, seq), ave)")
        #expect(layers.map(\.kerasClassName) == ["Bidirectional", "MaxPooling1D", "AveragePooling1D", "Flatten", "SpatialDropout1D"])
    }

    /// Each bad field is refused while decoding, named by its JSON key.
    @Test func badFieldsAreNamed() throws {
        let cases: [(String, String)] = [
            (#"{"type": "bidirectional", "layer": {"type": "dense", "units": 4}}"#, "layer"),
            (#"{"type": "bidirectional", "layer": {"type": "lstm", "units": 4}, "merge_mode": "max"}"#, "merge_mode"),
            (#"{"type": "bidirectional", "layer": {"type": "lstm", "units": 0}}"#, "units"),
            (#"{"type": "bidirectional"}"#, "layer"),
            (#"{"type": "bidirectional", "layer": {"type": "bidirectional", "layer": {"type": "lstm", "units": 2}}}"#, "layer"),
            (#"{"type": "max_pooling1d", "pool_size": 0}"#, "pool_size"),
            (#"{"type": "average_pooling1d", "strides": 0}"#, "strides"),
            (#"{"type": "max_pooling1d", "pool_size": 1000000}"#, "pool_size"),
            (#"{"type": "max_pooling1d", "padding": "causal"}"#, "padding"),
            (#"{"type": "spatial_dropout1d", "rate": 1}"#, "rate"),
            (#"{"type": "spatial_dropout1d"}"#, "rate"),
        ]
        for (json, field) in cases {
            do {
                _ = try JSONDecoder().decode(LayerSpec.self, from: Data(json.utf8))
                Issue.record("accepted: \(json)")
            } catch {
                #expect("\(error)".contains(field), "\(json): \(error)")
            }
        }
        // Bidirectional inside Bidirectional, however deep, is an error and not a stack overflow.
        let depth = 5_000
        let nested = String(repeating: #"{"type": "bidirectional", "layer": "#, count: depth) + #"{"type": "lstm", "units": 2}"#
            + String(repeating: "}", count: depth)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(LayerSpec.self, from: Data(nested.utf8)) }
        // The same checks on specs built in code, named by layer index.
        let bad = ModelSpec(inputLength: 8, vocabularySize: 20, layers: [
            .embedding(dim: 4), .bidirectional(layer: .dense(units: 2)), .dense(units: 1, activation: .sigmoid)])
        #expect(throws: EngineError.invalidSpec(field: "layers[1].layer", reason: "Bidirectional wraps a simple_rnn, lstm or gru layer, got dense")) {
            try Sequential(spec: bad, seed: 1)
        }
        let tooShort = ModelSpec(inputLength: 2, vocabularySize: 20, layers: [
            .embedding(dim: 4), .maxPooling1D(poolSize: 3), .flatten, .dense(units: 1, activation: .sigmoid)])
        #expect(throws: EngineError.self) { try Sequential(spec: tooShort, seed: 1) }
        // Pooling and spatial dropout need a sequence.
        for layer in [LayerSpec.maxPooling1D(), .averagePooling1D(), .spatialDropout1D(rate: 0.1), .bidirectional(layer: .lstm(units: 2))] {
            let spec = ModelSpec(inputLength: 8, vocabularySize: 20, layers: [.embedding(dim: 4), .flatten, layer, .dense(units: 1, activation: .sigmoid)])
            #expect(throws: EngineError.self, "\(layer.label) after Flatten") { try Sequential(spec: spec, seed: 1) }
        }
    }

    /// Sizes are bounded (`Limits`) and checked before anything is allocated; planned
    /// parameter counts match the built layers.
    @Test func sizesAreBoundedAndPlanned() throws {
        let sigmoid = LayerSpec.dense(units: 1, activation: .sigmoid)
        let cases: [([LayerSpec], Int, String)] = [
            ([.embedding(dim: 8), .bidirectional(layer: .lstm(units: 1 << 40)), sigmoid], 10, "layers[1].layer.units"),
            ([.embedding(dim: 8), .bidirectional(layer: .gru(units: 12_000)), sigmoid], 10, "past the limit"),
            ([.embedding(dim: 8), .bidirectional(layer: .lstm(units: 16)), sigmoid], 100_000, "per example"),
            ([.embedding(dim: 8), .maxPooling1D(poolSize: Int.max), .flatten, sigmoid], 10, "layers[1].pool_size"),
            ([.embedding(dim: 8), .averagePooling1D(poolSize: 2, strides: -1), .flatten, sigmoid], 10, "layers[1].strides"),
            ([.embedding(dim: 8), .spatialDropout1D(rate: -0.5), .flatten, sigmoid], 10, "layers[1].rate"),
        ]
        for (layers, length, needle) in cases {
            do {
                _ = try Sequential(spec: ModelSpec(inputLength: length, vocabularySize: 100, layers: layers), seed: 1)
                Issue.record("accepted: \(layers.map(\.label))")
            } catch {
                #expect("\(error)".contains(needle), "\(layers.map(\.label)): \(error)")
            }
        }
        let layers: [LayerSpec] = [.embedding(dim: 6), .spatialDropout1D(rate: 0.1), .bidirectional(layer: .simpleRNN(units: 5, returnSequences: true)),
                                   .maxPooling1D(poolSize: 3, strides: 2, padding: "same"), .bidirectional(layer: .lstm(units: 4, returnSequences: true), mergeMode: "mul"),
                                   .averagePooling1D(), .bidirectional(layer: .gru(units: 3)), sigmoid]
        let model = try Sequential(spec: ModelSpec(inputLength: 12, vocabularySize: 30, layers: layers), seed: 1)
        var shape = [12]
        for (i, layer) in model.layers.enumerated() {
            #expect(LayerFactory.parameterCount(layers[i], inputShape: shape, vocabularySize: 30) == layer.parameterCount, "\(layers[i].label)")
            shape = model.outputShapes[i]
        }
    }

    /// Keras's summary: Bidirectional(LSTM(4)) on 8 features has 2 × (4·4·(8 + 4) + 4·4) = 416 parameters.
    @Test func summaryShowsShapesAndCounts() throws {
        let spec = ModelSpec(inputLength: 10, vocabularySize: 100, layers: [
            .embedding(dim: 8), .bidirectional(layer: .lstm(units: 4, returnSequences: true)), .maxPooling1D(),
            .flatten, .dense(units: 1, activation: .sigmoid)])
        let model = try Sequential(spec: spec, seed: 1)
        #expect(model.outputShapes == [[10, 8], [10, 8], [5, 8], [40], [1]])
        #expect(model.layers.map(\.parameterCount) == [800, 416, 0, 0, 41])
        let s = model.summary()
        for needle in ["bidirectional (Bidirectional)", "(None, 10, 8)", "416", "max_pooling1d (MaxPooling1D)", "(None, 5, 8)",
                       "flatten (Flatten)", "(None, 40)", "Total params: 1,257"] {
            #expect(s.contains(needle), "\(needle) in\n\(s)")
        }
        #expect(LayerFactory.parameterCount(spec.layers[1], inputShape: [10, 8], vocabularySize: 100) == 416)
    }

    /// A mask from Embedding(mask_zero) reaches Bidirectional and continues past it with
    /// return_sequences; a windowed pooling (which changes the steps) stops it.
    @Test func maskTravelsThroughBidirectionalAndStopsAtPooling() throws {
        let spec = ModelSpec(inputLength: 6, vocabularySize: 20, layers: [
            .embedding(dim: 4, maskZero: true), .spatialDropout1D(rate: 0.1), .bidirectional(layer: .lstm(units: 3, returnSequences: true)),
            .maxPooling1D(), .lstm(units: 2), .dense(units: 1, activation: .sigmoid)])
        let model = try Sequential(spec: spec, seed: 3)
        var x = Tensor(shape: [2, 6], repeating: 5)
        for t in 0..<3 { x[flat: t] = 0 }
        var outputs: [Int: Tensor] = [:]
        model.observer = { i, kind, t in if kind == .output { outputs[i] = t } }
        _ = try model.computeGradients(x: x, y: Tensor(shape: [2], scalars: [1, 0]))
        let bidi = try #require(outputs[2])
        #expect(bidi.scalars[0..<18].allSatisfy { $0 == 0 }, "padded steps output 0")
        #expect(bidi.scalars[18..<36].contains { $0 != 0 })
    }

    /// The recipe Embedding → Bidirectional(LSTM) → Dense builds, learns a tiny seeded task,
    /// and saves and reloads with identical outputs.
    @Test func bidirectionalModelTrainsSavesAndReloads() throws {
        let spec = ModelSpec(inputLength: 8, vocabularySize: 20, layers: [
            .embedding(dim: 6), .bidirectional(layer: .lstm(units: 4)), .dense(units: 1, activation: .sigmoid)])
        var rng = SeededGenerator(seed: 7)
        var x = Tensor(shape: [32, 8]), y = Tensor(shape: [32])
        for i in 0..<32 {
            let label = i % 2
            y[flat: i] = Float(label)
            for t in 0..<8 { x[flat: i * 8 + t] = Float(1 + label * 9 + Int(rng.next() % 9)) }
        }
        let model = try Sequential(spec: spec, seed: 1)
        let optimizer = Optimizer(.adam(learningRate: 0.02))
        var losses: [Float] = []
        for _ in 0..<12 { losses.append(try model.trainStep(x: x, y: y, optimizer: optimizer).loss) }
        #expect(losses.last! < losses.first! * 0.7, "losses \(losses)")

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-bidi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("weights.safetensors")
        try model.saveWeights(to: url)
        let names = model.namedParameters.map(\.name)
        #expect(names.contains("bidirectional/forward_lstm/kernel") && names.contains("bidirectional/backward_lstm/bias"))
        let reloaded = try Sequential(spec: spec, seed: 99)
        let before = try model.forward(x, training: false)
        #expect(try reloaded.forward(x, training: false) != before)
        try reloaded.loadWeights(from: url)
        #expect(try reloaded.forward(x, training: false) == before)
    }

    /// SpatialDropout1D's generator is part of a trainer snapshot, like Dropout's.
    @Test func spatialDropoutGeneratorIsSaved() throws {
        let spec = ModelSpec(inputLength: 5, vocabularySize: 10, layers: [
            .embedding(dim: 3), .spatialDropout1D(rate: 0.5), .dropout(rate: 0.5), .flatten, .dense(units: 1, activation: .sigmoid)])
        let model = try Sequential(spec: spec, seed: 4)
        let states = model.generatorStates
        #expect(Set(states.keys) == ["spatial_dropout1d", "dropout"])
        let x = Tensor(shape: [3, 5], repeating: 2)
        let first = try model.forward(x, training: true)
        try model.restoreGeneratorStates(states)
        #expect(try model.forward(x, training: true) == first)
        #expect(throws: EngineError.self) { try model.restoreGeneratorStates(["dropout": states["dropout"]!]) }
    }
}
