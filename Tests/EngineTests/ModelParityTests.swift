import Testing
@testable import Engine

/// Maps a Keras layer config (as in the fixtures' `model.layers`) to a LayerSpec. Any class or
/// option the engine does not support fails the test, naming it.
func layerSpec(fromKeras layer: J) throws -> LayerSpec {
    let cls = try layer["class_name"].string()
    let cfg = layer["config"]
    func int(_ k: String) throws -> Int {
        if let a = cfg[k].value as? [Any], a.count == 1 { return try J(a[0], cfg[k].path).int() }
        return try cfg[k].int()
    }
    func act() throws -> Activation { try Activation.named(cfg["activation"].stringOrNil ?? "linear", layer: cls) }
    func requireDefault(_ k: String, _ expected: Bool) throws {
        if cfg[k].exists && cfg[k].bool() != expected {
            throw Fixtures.Missing(description: "\(cls): option \(k)=\(cfg[k].bool()) is not supported")
        }
    }
    switch cls {
    case "Embedding":
        return .embedding(dim: try int("output_dim"), maskZero: cfg["mask_zero"].bool(),
                          trainable: cfg["trainable"].exists ? cfg["trainable"].bool() : true)
    case "Dense": return .dense(units: try int("units"), activation: try act(), useBias: cfg["use_bias"].exists ? cfg["use_bias"].bool() : true)
    case "LSTM", "GRU", "SimpleRNN":
        try requireDefault("go_backwards", false); try requireDefault("stateful", false); try requireDefault("return_state", false)
        if cls == "GRU" { try requireDefault("reset_after", true) }
        if cfg["activation"].exists, try cfg["activation"].string() != "tanh" {
            throw Fixtures.Missing(description: "\(cls): activation \(try cfg["activation"].string()) is not supported")
        }
        let units = try int("units"), seq = cfg["return_sequences"].bool()
        return cls == "LSTM" ? .lstm(units: units, returnSequences: seq)
            : cls == "GRU" ? .gru(units: units, returnSequences: seq) : .simpleRNN(units: units, returnSequences: seq)
    case "Conv1D":
        return .conv1D(filters: try int("filters"), kernelSize: try int("kernel_size"),
                       strides: cfg["strides"].exists ? try int("strides") : 1,
                       padding: cfg["padding"].stringOrNil ?? "valid",
                       dilation: cfg["dilation_rate"].exists ? try int("dilation_rate") : 1, activation: try act())
    case "GlobalMaxPooling1D": return .globalMaxPooling1D
    case "GlobalAveragePooling1D": return .globalAveragePooling1D
    case "LayerNormalization": return .layerNormalization(epsilon: Float(try cfg["epsilon"].double()))
    case "Dropout": return .dropout(rate: Float(try cfg["rate"].double()))
    case "MultiHeadAttention": return .multiHeadAttention(heads: try int("num_heads"), keyDim: try int("key_dim"))
    default: return try sequenceLayerSpec(fromKeras: layer)   // the layers of SequenceLayerTests.swift
    }
}

func optimizerSpec(fromKeras o: J) throws -> OptimizerSpec {
    let cls = try o["class_name"].string()
    let lr = Float(try o["learning_rate"].double())
    switch cls {
    case "Adam", "AdamW":
        var s = OptimizerSpec(kind: cls == "Adam" ? .adam : .adamw, learningRate: lr)
        if o["beta_1"].exists { s.beta1 = Float(try o["beta_1"].double()) }
        if o["beta_2"].exists { s.beta2 = Float(try o["beta_2"].double()) }
        if o["epsilon"].exists { s.epsilon = Float(try o["epsilon"].double()) }
        if o["weight_decay"].exists { s.weightDecay = Float(try o["weight_decay"].double()) }
        if o["amsgrad"].bool() { throw Fixtures.Missing(description: "amsgrad is not supported") }
        return s
    case "SGD":
        var s = OptimizerSpec(kind: .sgd, learningRate: lr)
        if o["momentum"].exists { s.momentum = Float(try o["momentum"].double()) }
        s.nesterov = o["nesterov"].bool()
        return s
    case "RMSprop":
        var s = OptimizerSpec(kind: .rmsprop, learningRate: lr)
        if o["rho"].exists { s.rho = Float(try o["rho"].double()) }
        if o["momentum"].exists { s.momentum = Float(try o["momentum"].double()) }
        if o["epsilon"].exists { s.epsilon = Float(try o["epsilon"].double()) }
        s.centered = o["centered"].bool()
        return s
    default: throw Fixtures.Missing(description: "optimizer \(cls) is not supported")
    }
}

/// Builds a model from a fixture case and loads its initial weights in `weight_order`.
func buildModel(_ c: J) throws -> (Sequential, [String]) {
    let x = try c["inputs"]["x"].tensor()
    let layers = try c["model"]["layers"].array.map(layerSpec(fromKeras:))
    let vocab = try c["data"]["vocab_size_V"].int()
    let loss = LossKind(rawValue: try c["model"]["loss"].string())
    #expect(loss != nil, "unknown loss \(c["model"]["loss"].stringOrNil ?? "?")")
    let spec = ModelSpec(inputLength: x.shape[1], vocabularySize: vocab, layers: layers, loss: loss)
    let model = try Sequential(spec: spec, seed: 0)
    let order = try c["weight_order"].array.map { try $0.string() }
    let params = model.parameters
    try #require(order.count == params.count, "\(order.count) Keras weights, model has \(params.count)")
    for (p, path) in zip(params, order) {
        let w = try c["initial_weights"][path].tensor()
        try #require(w.shape == p.value.shape, "\(path): shape \(w.shape), model expects \(p.value.shape)")
        p.value = w
    }
    return (model, order)
}

func checkModelCase(_ raw: [String: Any]) throws {
    let c = J(raw)
    let name = try c["name"].string()
    let r = c["results"]["float32"]
    let x = try c["inputs"]["x"].tensor()
    let y = try c["inputs"]["y"].tensor()
    let (model, order) = try buildModel(c)
    let kerasNames = try c["model"]["layers"].array.map { try $0["config"]["name"].string() }

    // Forward, loss, gradients, per-layer activations and activation gradients.
    var outputs: [Int: Tensor] = [:], outGrads: [Int: Tensor] = [:]
    model.observer = { i, kind, t in if kind == .output { outputs[i] = t } else { outGrads[i] = t } }
    let (loss, _) = try model.computeGradients(x: x, y: y)
    model.observer = nil
    expectClose([loss], try r["loss"].numbers(), .forward, "\(name) loss")
    for (i, kn) in kerasNames.enumerated() {
        expectClose(outputs[i] ?? .empty, try r["activations"][kn].tensor(), .forward, "\(name) activation \(kn)")
        if r["grad_activations"][kn].exists {
            expectClose(outGrads[i] ?? .empty, try r["grad_activations"][kn].tensor(), .gradient, "\(name) grad_activation \(kn)")
        }
    }
    for k in r["grad_activations"].keys where !kerasNames.contains(k) { Issue.record("\(name): unchecked grad_activations[\(k)]") }
    expectClose(outputs[kerasNames.count - 1] ?? .empty, try r["output"].tensor(), .forward, "\(name) output")
    if let head = model.layers.last as? DenseLayer, head.activation != .linear {
        expectClose(head.logits, try r["output_logits"].tensor(), .forward, "\(name) output_logits")
    }
    for (p, path) in zip(model.parameters, order) {
        expectClose(p.grad, try r["grads"][path].tensor(), .gradient, "\(name) grad \(path)")
    }

    // Three optimiser steps, held to textbook (dense-gradient) Adam / SGD.
    try checkTraining(c, record: "training_dense_gradients", kerasSparse: false)
}

/// Three optimiser steps from the initial weights against a `training*` record: losses before
/// each step, all weights after each step, the output after three.
func checkTraining(_ c: J, record: String, kerasSparse: Bool) throws {
    let name = try c["name"].string()
    let x = try c["inputs"]["x"].tensor()
    let y = try c["inputs"]["y"].tensor()
    let t = c["results"]["float32"][record]
    let (fresh, order) = try buildModel(c)
    var spec = try optimizerSpec(fromKeras: c["optimizer"])
    spec.kerasSparseEmbeddingMoments = kerasSparse
    let opt = Optimizer(spec)
    let lossesBefore = try t["loss_before_step"].array.map { Float(try $0.double()) }
    #expect(lossesBefore.count == 3)
    for step in 1...lossesBefore.count {
        let (l, _) = try fresh.trainStep(x: x, y: y, optimizer: opt)
        expectClose([l], [lossesBefore[step - 1]], .training, "\(name) \(record) loss before step \(step)")
        for (p, path) in zip(fresh.parameters, order) {
            expectClose(p.value, try t["weights_after_step"]["\(step)"][path].tensor(), .training, "\(name) \(record) \(path) after step \(step)")
        }
    }
    expectClose(try fresh.forward(x, training: false), try t["output_after_3_steps"].tensor(), .training, "\(name) \(record) output after 3 steps")
}

extension KerasParity {
    /// Real Keras `model.fit` steps (the `training` records, with the sparse Embedding
    /// second-moment quirk) are reproduced when the optimiser is asked to.
    @Test func realKerasTrainingSteps() throws {
        for file in ["model_seed.json", "models.json"] {
            for raw in try Fixtures.cases(file) {
                let c = J(raw)
                do { try checkTraining(c, record: "training", kerasSparse: true) }
                catch { Issue.record("\(c["name"].stringOrNil ?? "?"): \(error)") }
            }
        }
    }

    @Test func seedModel() throws {
        let cases = try Fixtures.cases("model_seed.json")
        #expect(!cases.isEmpty)
        for c in cases {
            // Each case on its own, so one failure does not hide the others.
            do { try checkModelCase(c) } catch { Issue.record("\(J(c)["name"].stringOrNil ?? "?"): \(error)") }
        }
    }

    @Test func models() throws {
        let cases = try Fixtures.cases("models.json")
        #expect(!cases.isEmpty)
        for c in cases {
            // Each case on its own, so one failure does not hide the others.
            do { try checkModelCase(c) } catch { Issue.record("\(J(c)["name"].stringOrNil ?? "?"): \(error)") }
        }
    }
}
