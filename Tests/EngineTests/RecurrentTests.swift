import Testing
@testable import Engine

/// The three recurrent layers, built the same way for the generic tests.
enum RNNKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case simpleRNN = "SimpleRNN", gru = "GRU", lstm = "LSTM"

    var testDescription: String { rawValue }
    var fixture: String {
        switch self { case .simpleRNN: "simple_rnn.json"; case .gru: "gru.json"; case .lstm: "lstm.json" }
    }

    func make(inputDim: Int, units: Int, returnSequences: Bool, rng: inout SeededGenerator) -> any MaskConsumer {
        switch self {
        case .simpleRNN:
            return SimpleRNNLayer(name: "simple_rnn", inputDim: inputDim, units: units, returnSequences: returnSequences, rng: &rng)
        case .gru:
            return GRULayer(name: "gru", inputDim: inputDim, units: units, returnSequences: returnSequences, rng: &rng)
        case .lstm:
            return LSTMLayer(name: "lstm", inputDim: inputDim, units: units, returnSequences: returnSequences, rng: &rng)
        }
    }

    /// The final states a layer exposes, by the fixtures' extras names.
    func extra(_ layer: any MaskConsumer, _ key: String) -> Tensor? {
        switch (key, layer) {
        case ("final_state_h", let l as SimpleRNNLayer): return l.finalState
        case ("final_state_h", let l as GRULayer): return l.finalState
        case ("final_state_h", let l as LSTMLayer): return l.finalState
        case ("final_state_c", let l as LSTMLayer): return l.finalCellState
        default: return nil
        }
    }

    /// Keras config options this engine does not implement, as `key=value` (empty when supported).
    func unsupported(_ cfg: J) -> [String] {
        var bad: [String] = []
        func show(_ key: String) -> String { "\(key)=\(cfg[key].value.map { "\($0)" } ?? "missing")" }
        if cfg["activation"].stringOrNil != "tanh" { bad.append(show("activation")) }
        if self != .simpleRNN, cfg["recurrent_activation"].stringOrNil != "sigmoid" { bad.append(show("recurrent_activation")) }
        if !cfg["use_bias"].bool() { bad.append(show("use_bias")) }
        if self == .gru, !cfg["reset_after"].bool() { bad.append(show("reset_after")) }
        for key in ["go_backwards", "stateful", "return_state", "zero_output_for_mask"] where cfg[key].bool() {
            bad.append(show(key))
        }
        for key in ["dropout", "recurrent_dropout"] where ((try? cfg[key].double()) ?? 0) != 0 { bad.append(show(key)) }
        return bad
    }
}

/// Every case of a recurrent fixture file (masked optional cases included): output, loss,
/// every parameter gradient, the input gradient and every extras entry.
func checkRecurrentFixture(_ kind: RNNKind) throws {
    let cases = try Fixtures.cases(kind.fixture)
    #expect(!cases.isEmpty, "\(kind.fixture) has no cases")
    for raw in cases {
        let c = J(raw)
        let name = try c["name"].string()
        let cfg = c["layer"]["config"]
        let cls = try c["layer"]["class_name"].string()
        guard cls == kind.rawValue else {
            Issue.record("\(name): class \(cls) in \(kind.fixture), expected \(kind.rawValue)"); continue
        }
        let bad = kind.unsupported(cfg)
        guard bad.isEmpty else { Issue.record("\(name): unsupported \(kind.rawValue) option(s) \(bad)"); continue }
        let otherInputs = c["inputs"].keys.filter { $0 != "x" && $0 != "mask" }
        guard otherInputs.isEmpty else { Issue.record("\(name): unsupported inputs \(otherInputs)"); continue }

        let x = try c["inputs"]["x"].tensor()
        guard x.rank == 3 else { Issue.record("\(name): input of shape \(x.shape), expected (batch, time, features)"); continue }
        var rng = SeededGenerator(seed: 1)
        let layer = kind.make(inputDim: x.shape[2], units: try cfg["units"].int(),
                              returnSequences: cfg["return_sequences"].bool(), rng: &rng)
        try loadWeights(layer, c)
        layer.mask = c["inputs"]["mask"].exists ? try c["inputs"]["mask"].tensor() : nil
        try checkLayerCase(layer, c, input: x)

        let extras = c["results"]["float32"]["extras"]
        for key in extras.keys.sorted() {
            guard let got = kind.extra(layer, key) else {
                Issue.record("\(name): extras '\(key)' is not supported by \(kind.rawValue)"); continue
            }
            expectClose(got, try extras[key].tensor(), .forward, "\(name) \(key)")
        }
    }
}

extension KerasParity {
    @Test func lstm() throws { try checkRecurrentFixture(.lstm) }
    @Test func gru() throws { try checkRecurrentFixture(.gru) }
    @Test func simpleRNN() throws { try checkRecurrentFixture(.simpleRNN) }
}

@Suite struct RecurrentGradientChecks {
    enum Mode: String, CaseIterable, Sendable {
        case last, sequences, lastMasked, sequencesMasked
        var returnSequences: Bool { self == .sequences || self == .sequencesMasked }
        var masked: Bool { self == .lastMasked || self == .sequencesMasked }
    }

    /// Leading padding, a gap, a trailing pad, a fully padded row and a full row.
    static func mask(batch: Int, time: Int) -> Tensor {
        var m = Tensor(shape: [batch, time], repeating: 1)
        for b in 0..<batch {
            for t in 0..<time {
                let pad: Bool
                switch b % 5 {
                case 0: pad = false
                case 1: pad = t < 2
                case 2: pad = t == 1 || t == time - 1
                case 3: pad = true
                default: pad = t < time - 1
                }
                if pad { m[flat: b * time + t] = 0 }
            }
        }
        return m
    }

    /// Random biases too, so their gradient is not checked only at zero.
    static func randomizeBias(_ layer: any MaskConsumer, _ rng: inout SeededGenerator) {
        for p in layer.parameters where p.name == "bias" {
            p.value = GradientCheck.randomTensor(p.value.shape, &rng, scale: 0.5)
        }
    }

    @Test(arguments: RNNKind.allCases, Mode.allCases)
    func finiteDifferences(_ kind: RNNKind, _ mode: Mode) throws {
        var rng = SeededGenerator(seed: 31)
        let shapes: [(b: Int, t: Int, d: Int, u: Int)] = [(3, 4, 3, 5), (5, 6, 2, 3)]
        for s in shapes {
            let layer = kind.make(inputDim: s.d, units: s.u, returnSequences: mode.returnSequences, rng: &rng)
            Self.randomizeBias(layer, &rng)
            layer.mask = mode.masked ? Self.mask(batch: s.b, time: s.t) : nil
            try GradientCheck.check(layer, input: GradientCheck.randomTensor([s.b, s.t, s.d], &rng))
        }
    }

    /// Reusing the buffers for a smaller batch / shorter sequence (and dropping the mask) gives
    /// exactly what a fresh layer computes.
    @Test(arguments: RNNKind.allCases)
    func buffersReusedAcrossBatches(_ kind: RNNKind) throws {
        var rng = SeededGenerator(seed: 41)
        for rs in [false, true] {
            let layer = kind.make(inputDim: 3, units: 4, returnSequences: rs, rng: &rng)
            Self.randomizeBias(layer, &rng)
            layer.mask = Self.mask(batch: 5, time: 7)
            let big = GradientCheck.randomTensor([5, 7, 3], &rng)
            let y0 = try layer.forward(big, training: true)
            _ = layer.backward(GradientCheck.randomTensor(y0.shape, &rng))

            var fresh = SeededGenerator(seed: 0)
            let other = kind.make(inputDim: 3, units: 4, returnSequences: rs, rng: &fresh)
            for (p, q) in zip(layer.parameters, other.parameters) { q.value = p.value }
            layer.mask = nil
            let small = GradientCheck.randomTensor([2, 4, 3], &rng)
            let y1 = try layer.forward(small, training: true), y2 = try other.forward(small, training: true)
            #expect(y1 == y2, "\(kind) forward after reuse")
            let dy = GradientCheck.randomTensor(y1.shape, &rng)
            let dx1 = layer.backward(dy), dx2 = other.backward(dy)
            #expect(dx1 == dx2, "\(kind) input gradient after reuse")
            for (p, q) in zip(layer.parameters, other.parameters) {
                #expect(p.grad == q.grad, "\(kind) grad \(p.name) after reuse")
            }
            // An all-ones mask is the same as no mask.
            layer.mask = Tensor(shape: [2, 4], repeating: 1)
            #expect(try layer.forward(small, training: false) == y2, "\(kind) all-ones mask")
        }
    }

    @Test(arguments: RNNKind.allCases)
    func wrongShapesThrow(_ kind: RNNKind) throws {
        var rng = SeededGenerator(seed: 51)
        let layer = kind.make(inputDim: 3, units: 4, returnSequences: false, rng: &rng)
        let seq = kind.make(inputDim: 3, units: 4, returnSequences: true, rng: &rng)
        #expect(try layer.outputShape(for: [7, 3]) == [4])
        #expect(try seq.outputShape(for: [7, 3]) == [7, 4])

        // A rank-1 input, e.g. after a Dense.
        do {
            _ = try layer.outputShape(for: [8])
            Issue.record("\(kind): rank-1 input accepted")
        } catch let EngineError.incompatibleLayer(name, shape, reason) {
            #expect(name == layer.name && shape == [8])
            #expect(reason.contains("\(kind.rawValue) needs a sequence (time, features)"), "\(reason)")
        }
        #expect(throws: EngineError.self) { try layer.outputShape(for: [7, 5]) }
        #expect(throws: EngineError.self) { try layer.outputShape(for: [7, 3, 1]) }

        #expect(throws: EngineError.shapeMismatch(layer: layer.name, expected: [-1, -1, 3], got: [2, 7, 5])) {
            try layer.forward(Tensor(shape: [2, 7, 5]), training: false)
        }
        #expect(throws: EngineError.self) { try layer.forward(Tensor(shape: [2, 3]), training: false) }
        #expect(throws: EngineError.self) { try layer.forward(Tensor(shape: [2, 0, 3]), training: false) }
        layer.mask = Tensor(shape: [2, 6], repeating: 1)
        #expect(throws: EngineError.self) { try layer.forward(Tensor(shape: [2, 7, 3]), training: false) }
        layer.mask = nil
        #expect(try layer.forward(Tensor(shape: [2, 7, 3]), training: false).shape == [2, 4])
    }
}
