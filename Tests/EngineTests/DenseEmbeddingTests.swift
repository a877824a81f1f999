import Testing
@testable import Engine

/// Parity with Keras: every case of dense.json and embedding.json.
@Suite struct KerasParity {}

/// Loads the named Keras weights into a layer's parameters, in the layer's order.
func loadWeights(_ layer: Layer, _ c: J) throws {
    for p in layer.parameters {
        let w = try c["weights"][p.name].tensor()
        guard w.shape == p.value.shape else {
            throw Fixtures.Missing(description: "\(c["name"].stringOrNil ?? "?"): weight \(p.name) has shape \(w.shape), layer expects \(p.value.shape)")
        }
        p.value = w
    }
    let order = try c["weight_order"].array.map { try $0.string() }
    #expect(order == layer.parameters.map(\.name), "weight order \(order) vs \(layer.parameters.map(\.name))")
}

/// Forward, loss = Σ y·dL/dy, parameter and input gradients, checked against results.float32.
func checkLayerCase(_ layer: Layer, _ c: J, input: Tensor, floatInput: Bool = true) throws {
    let name = try c["name"].string()
    let r = c["results"]["float32"]
    let y = try layer.forward(input, training: false)
    expectClose(y, try r["output"].tensor(), .forward, "\(name) output")
    let dy = try c["dloss_doutput"].tensor()
    var loss: Double = 0
    for (a, b) in zip(y.scalars, dy.scalars) { loss += Double(a) * Double(b) }
    expectClose([Float(loss)], try r["loss"].numbers(), .forward, "\(name) loss")
    let dx = layer.backward(dy)
    for p in layer.parameters {
        expectClose(p.grad, try r["grads"][p.name].tensor(), .gradient, "\(name) grad \(p.name)")
    }
    if floatInput {
        expectClose(dx, try r["grad_input"].tensor(), .gradient, "\(name) grad_input")
    } else {
        #expect(!r["grad_input"].exists, "\(name): integer input has no gradient")
    }
}

extension KerasParity {
    @Test func dense() throws {
        let cases = try Fixtures.cases("dense.json")
        #expect(!cases.isEmpty)
        for raw in cases {
            let c = J(raw)
            let cfg = c["layer"]["config"]
            #expect(try c["layer"]["class_name"].string() == "Dense")
            var rng = SeededGenerator(seed: 1)
            let x = try c["inputs"]["x"].tensor()
            let layer = DenseLayer(name: "dense", inputDim: x.shape.last!, units: try cfg["units"].int(),
                                   activation: try Activation.named(try cfg["activation"].string(), layer: "dense"),
                                   useBias: cfg["use_bias"].bool(), rng: &rng)
            try loadWeights(layer, c)
            try checkLayerCase(layer, c, input: x)
        }
    }

    @Test func embedding() throws {
        let cases = try Fixtures.cases("embedding.json")
        #expect(!cases.isEmpty)
        for raw in cases {
            let c = J(raw)
            let caseName = try c["name"].string()
            let cfg = c["layer"]["config"]
            #expect(try c["layer"]["class_name"].string() == "Embedding")
            var rng = SeededGenerator(seed: 1)
            let layer = EmbeddingLayer(name: "embedding", vocabularySize: try cfg["input_dim"].int(),
                                       dim: try cfg["output_dim"].int(), maskZero: cfg["mask_zero"].bool(), rng: &rng)
            try loadWeights(layer, c)
            try checkLayerCase(layer, c, input: try c["inputs"]["x"].tensor(), floatInput: false)
            let extras = c["results"]["float32"]["extras"]
            if extras["mask"].exists {
                let want = try extras["mask"].tensor()
                #expect(layer.outputMask?.scalars == want.scalars, "\(caseName) mask")
            } else {
                #expect(layer.outputMask == nil)
            }
        }
    }
}

@Suite struct GradientChecks {
    @Test(arguments: [Activation.linear, .relu, .sigmoid, .tanh, .softmax])
    func dense(_ activation: Activation) throws {
        var rng = SeededGenerator(seed: 11)
        let layer = DenseLayer(name: "dense", inputDim: 5, units: 4, activation: activation, rng: &rng)
        try GradientCheck.check(layer, input: GradientCheck.randomTensor([3, 2, 5], &rng))
    }

    @Test func embedding() throws {
        var rng = SeededGenerator(seed: 12)
        let layer = EmbeddingLayer(name: "embedding", vocabularySize: 9, dim: 4, rng: &rng)
        let ids = Tensor(shape: [2, 5], scalars: [1, 2, 3, 2, 0, 8, 8, 8, 4, 5])
        try GradientCheck.check(layer, input: ids, checkInput: false)
    }
}
