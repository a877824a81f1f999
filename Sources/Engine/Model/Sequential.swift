import Basics

/// A stack of layers built from a `ModelSpec`: shape inference, forward, loss and backward,
/// one optimiser step per batch.
///
/// Not thread-safe: one task owns a model at a time (the training engine hands it over).
public final class Sequential {
    public let spec: ModelSpec
    public let layers: [Layer]
    /// Output shape of each layer, batch dimension excluded.
    public let outputShapes: [[Int]]

    /// Per-sample losses of the last batch (unweighted; readable by tests), and
    /// dL/d(output or logits): reused buffers.
    private(set) var perSample: [Float] = []
    private var lossGrad = Tensor.empty

    /// Sees every layer's output and the gradient reaching it (dL/d output), for inspection
    /// and parity tests. Nil in normal use.
    public var observer: ((_ layer: Int, _ kind: ObservedTensor, _ value: Tensor) -> Void)? = nil

    public enum ObservedTensor: Sendable { case output, outputGradient }

    /// Builds the layers with fresh weights drawn from `seed` (Keras's default initialisers).
    public init(spec: ModelSpec, seed: UInt64) throws {
        // Every size is checked against `Limits` before anything is allocated from it: the
        // fields, then each layer's parameters and working buffers before it is built.
        try spec.validate()
        BLAS.configureOnce
        var rng = SeededGenerator(seed: seed)
        var shape = [spec.inputLength]
        var layers: [Layer] = []
        var shapes: [[Int]] = []
        var counts: [String: Int] = [:]
        var total = 0
        var largest = spec.inputLength
        for (i, layerSpec) in spec.layers.enumerated() {
            let base = layerSpec.typeName
            let n = counts[base, default: 0]
            counts[base] = n + 1
            let name = n == 0 ? base : "\(base)_\(n)"
            let planned = LayerFactory.parameterCount(layerSpec, inputShape: shape, vocabularySize: spec.vocabularySize)
            guard let planned, let sum = Checked.sum([total, planned]), sum <= Limits.maxParameters else {
                let count = planned.map { Digits.grouped($0) } ?? "more than can be counted"
                throw EngineError.invalidSpec(
                    field: "layers[\(i)]",
                    reason: "\(layerSpec.label) on an input of shape \(shape.shapeDescription) needs \(count) parameters, which takes the model past the limit of \(Digits.grouped(Limits.maxParameters))")
            }
            let work = LayerFactory.workingElements(layerSpec, inputShape: shape)
            guard let work, work <= Limits.maxActivationsPerExample else {
                throw EngineError.invalidSpec(
                    field: "layers[\(i)]",
                    reason: "\(layerSpec.label) on an input of shape \(shape.shapeDescription) needs \(work.map { Digits.grouped($0) } ?? "more than can be counted") numbers per example, over the limit of \(Digits.grouped(Limits.maxActivationsPerExample)) (a shorter max_length or a smaller layer fits)")
            }
            let layer = try LayerFactory.make(layerSpec, name: name, inputShape: shape,
                                              vocabularySize: spec.vocabularySize, rng: &rng)
            shape = try layer.outputShape(for: shape)
            guard let out = Checked.product(shape), out <= Limits.maxActivationsPerExample else {
                throw EngineError.invalidSpec(
                    field: "layers[\(i)]",
                    reason: "\(layerSpec.label) outputs \(shape.shapeDescription) per example, over the limit of \(Digits.grouped(Limits.maxActivationsPerExample)) numbers")
            }
            total = sum
            largest = Swift.max(largest, work, out)
            layers.append(layer)
            shapes.append(shape)
        }
        switch spec.loss {
        case .binaryCrossentropy:
            // One output: a binary classifier; K outputs: K labels, each its own yes / no.
            guard shape.count == 1, shape[0] >= 1 else {
                throw EngineError.incompatibleLayer(layer: layers.last!.name, inputShape: shape,
                    reason: "binary cross-entropy needs one output per example (Dense(1, sigmoid)) or one per label (Dense(K, sigmoid)), the model outputs \(shape.shapeDescription)")
            }
            // Several outputs are several labels' probabilities: only a sigmoid head gives them.
            if shape[0] > 1, (layers.last as? DenseLayer)?.activation != .sigmoid {
                throw EngineError.incompatibleLayer(layer: layers.last!.name, inputShape: shape,
                    reason: "binary cross-entropy over \(shape[0]) outputs (multi-label) needs a Dense(\(shape[0]), sigmoid) head: one probability per label")
            }
        case .sparseCategoricalCrossentropy:
            guard shape.count == 1, shape[0] >= 2 else {
                throw EngineError.incompatibleLayer(layer: layers.last!.name, inputShape: shape,
                    reason: "sparse categorical cross-entropy needs one score per class (Dense(K, softmax), K ≥ 2), the model outputs \(shape.shapeDescription)")
            }
        }
        self.spec = spec
        self.layers = layers
        self.outputShapes = shapes
        self.activationsPerExample = largest
        self.parameters = layers.flatMap(\.parameters)
    }

    /// The numbers of the largest buffer a layer keeps for one example (an upper bound, within
    /// `Limits.maxActivationsPerExample`): a batch of B needs about B times as many.
    public let activationsPerExample: Int

    /// Every trainable weight, layer by layer in Keras's order (fixed once built).
    public let parameters: [Parameter]
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }
    /// The weights the optimiser steps (a frozen Embedding's are not).
    public var trainableParameterCount: Int { layers.reduce(0) { $0 + $1.trainableParameterCount } }
    public var outputShape: [Int] { outputShapes.last ?? [] }
    public var classCount: Int { spec.loss == .binaryCrossentropy && !isMultiLabel ? 2 : outputShape[0] }
    /// Binary cross-entropy over more than one output: one sigmoid per label, any number of
    /// which may apply to an example.
    public var isMultiLabel: Bool { spec.loss == .binaryCrossentropy && outputShape.first.map { $0 > 1 } == true }

    /// The head whose logits the loss reads, when the last layer is a sigmoid / softmax Dense.
    private var logitsHead: DenseLayer? {
        guard let d = layers.last as? DenseLayer else { return nil }
        switch (spec.loss, d.activation) {
        case (.binaryCrossentropy, .sigmoid), (.sparseCategoricalCrossentropy, .softmax): return d
        default: return nil
        }
    }

    /// Forward pass over a batch of token ids [batch, inputLength]; returns the model's output
    /// (probabilities for a sigmoid / softmax head).
    public func forward(_ x: Tensor, training: Bool) throws -> Tensor {
        guard x.rank == 2, x.shape[1] == spec.inputLength else {
            throw EngineError.shapeMismatch(layer: layers.first?.name ?? "input", expected: [-1, spec.inputLength], got: x.shape)
        }
        var a = x
        var mask: Tensor? = nil
        for (i, layer) in layers.enumerated() {
            if let consumer = layer as? MaskConsumer { consumer.mask = mask }
            a = try layer.forward(a, training: training)
            mask = LayerFactory.propagatedMask(after: layer, incoming: mask, outputRank: a.rank)
            observer?(i, .output, a)
        }
        return a
    }

    /// The exact fast path for predictions (see `InferencePlan`), made on first use; nil when
    /// the model's layers are not of the kind it speeds up.
    public var inferencePlan: InferencePlan? {
        if case let .made(plan) = planState { return plan }
        let plan = InferencePlan(model: self)
        planState = .made(plan)
        return plan
    }
    private enum PlanState { case notMade, made(InferencePlan?) }
    private var planState = PlanState.notMade

    /// The model's output in inference (no dropout), through the inference plan when there is
    /// one: what every prediction uses. An observer sees every layer, so it gets the full forward.
    public func inferenceForward(_ x: Tensor) throws -> Tensor {
        if observer == nil, let plan = inferencePlan { return try plan.forward(x) }
        return try forward(x, training: false)
    }

    /// Loss of the last forward against `y` (binary: [batch] or [batch, 1] of 0/1; sparse:
    /// [batch] of class indices), each row's loss scaled by its `sampleWeights` entry (see
    /// `Losses`). Leaves dL/d(output or logits) in `lossGrad`.
    private func loss(output: Tensor, targets y: Tensor, sampleWeights: [Float]? = nil) throws -> Float {
        let n = output.shape[0]
        if isMultiLabel {
            // Multi-label targets are [batch, labels] of 0/1, read flat against the outputs.
            guard y.count == output.count else {
                throw EngineError.shapeMismatch(layer: "loss", expected: output.shape, got: y.shape)
            }
        } else if y.count != n {
            throw EngineError.shapeMismatch(layer: "loss", expected: [n], got: y.shape)
        }
        if let sampleWeights, sampleWeights.count != n {
            throw EngineError.shapeMismatch(layer: "sample weights", expected: [n], got: [sampleWeights.count])
        }
        switch spec.loss {
        case .binaryCrossentropy:
            // Targets are read flat, so [batch] and [batch, 1] both work.
            if let head = logitsHead {
                return Losses.binaryCrossentropy(logits: head.logits, targets: y, perSample: &perSample, grad: &lossGrad, sampleWeights: sampleWeights)
            }
            return Losses.binaryCrossentropy(probabilities: output, targets: y, perSample: &perSample, grad: &lossGrad, sampleWeights: sampleWeights)
        case .sparseCategoricalCrossentropy:
            let k = output.shape[1]
            let bad = y.withUnsafeBufferPointer { yp in yp.firstIndex { !($0 >= 0 && $0 < Float(k) && $0 == $0.rounded()) } }
            if let bad {
                throw EngineError.invalidSpec(field: "labels[\(bad)]", reason: "class index \(y[flat: bad]) is outside 0..<\(k)")
            }
            if let head = logitsHead {
                return Losses.sparseCategoricalCrossentropy(logits: head.logits, labels: y, perSample: &perSample, grad: &lossGrad, sampleWeights: sampleWeights)
            }
            return Losses.sparseCategoricalCrossentropy(probabilities: output, labels: y, perSample: &perSample, grad: &lossGrad, sampleWeights: sampleWeights)
        }
    }

    /// Backward from the loss gradient left by `loss(output:targets:)`.
    private func backward() {
        var g: Tensor
        if let head = logitsHead {
            g = head.backward(logitsGradient: lossGrad)
        } else {
            g = layers.last!.backward(lossGrad)
        }
        for i in stride(from: layers.count - 2, through: 0, by: -1) {
            observer?(i, .outputGradient, g)
            g = layers[i].backward(g)
        }
    }

    /// Forward, loss and backward for one batch: every parameter's `grad` is set.
    /// Returns the batch's mean loss (weighted by `sampleWeights` when given) and how many
    /// examples it got right (unweighted, as Keras's accuracy).
    @discardableResult
    public func computeGradients(x: Tensor, y: Tensor, sampleWeights: [Float]? = nil, training: Bool = true) throws -> (loss: Float, correct: Int) {
        try checkFinite(x, "input batch")
        let out = try forward(x, training: training)
        let l = try loss(output: out, targets: y, sampleWeights: sampleWeights)
        guard l.isFinite else {
            throw EngineError.nonFinite(where: "the loss (layer '\(try firstNonFiniteLayer(x) ?? layers.last!.name)' produced it)", shape: out.shape)
        }
        backward()
        return (l, Self.correctCount(out, y, loss: spec.loss))
    }

    /// One optimiser step on one batch.
    @discardableResult
    public func trainStep(x: Tensor, y: Tensor, sampleWeights: [Float]? = nil, optimizer: Optimizer) throws -> (loss: Float, correct: Int) {
        optimizer.prepare(parameters)
        let r = try computeGradients(x: x, y: y, sampleWeights: sampleWeights, training: true)
        optimizer.step(parameters)
        return r
    }

    /// Loss and correct count of a batch without touching the weights.
    public func evaluateBatch(x: Tensor, y: Tensor) throws -> (loss: Float, correct: Int) {
        let out = try forward(x, training: false)
        return (try loss(output: out, targets: y), Self.correctCount(out, y, loss: spec.loss))
    }

    /// Binary: p > 0.5 against y; sparse: argmax against the label; multi-label (binary with
    /// K > 1 outputs): every label's p > 0.5 against its target (subset accuracy).
    static func correctCount(_ out: Tensor, _ y: Tensor, loss: LossKind) -> Int {
        let n = out.shape[0], k = out.count / max(n, 1)
        var correct = 0
        out.withUnsafeBufferPointer { o in y.withUnsafeBufferPointer { t in
            for r in 0..<n {
                switch loss {
                case .binaryCrossentropy where k > 1:
                    if (0..<k).allSatisfy({ (o[r * k + $0] > 0.5) == (t[r * k + $0] > 0.5) }) { correct += 1 }
                case .binaryCrossentropy: if (o[r] > 0.5) == (t[r] > 0.5) { correct += 1 }
                case .sparseCategoricalCrossentropy:
                    var best = 0
                    for c in 1..<k where o[r * k + c] > o[r * k + best] { best = c }
                    if best == Int(t[r]) { correct += 1 }
                }
            }
        } }
        return correct
    }

    private func checkFinite(_ t: Tensor, _ what: String) throws {
        let ok = t.withUnsafeBufferPointer { p in p.allSatisfy { $0.isFinite } }
        if !ok { throw EngineError.nonFinite(where: "\(what) reaching layer '\(layers.first!.name)'", shape: t.shape) }
    }

    /// Re-runs the forward pass checking each output, to name the layer a NaN came from.
    private func firstNonFiniteLayer(_ x: Tensor) throws -> String? {
        var a = x
        var mask: Tensor? = nil
        for layer in layers {
            if let consumer = layer as? MaskConsumer { consumer.mask = mask }
            a = try layer.forward(a, training: false)
            mask = LayerFactory.propagatedMask(after: layer, incoming: mask, outputRank: a.rank)
            if !a.withUnsafeBufferPointer({ $0.allSatisfy { $0.isFinite } }) { return layer.name }
        }
        return nil
    }
}
