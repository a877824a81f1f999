import Foundation
import Testing
@testable import Engine
import TestSupport

/// Multi-label models (Dense(K, sigmoid), binary cross-entropy on [N, K] multi-hot targets)
/// against Keras (Tests/Fixtures/keras/multi_label.json): the loss and gradients at the
/// initial weights, three train_on_batch steps, and a whole fit through the Trainer.
func checkMultiLabelCase(_ raw: [String: Any]) throws {
    let c = J(raw)
    let name = try c["name"].string()
    let x = try c["inputs"]["x"].tensor()
    let y = try c["inputs"]["y"].tensor()
    let r = c["results"]["float32"]
    try #require(y.rank == 2 && y.shape[1] > 1, "\(name): multi-label targets are [N, K], got \(y.shape)")

    let (model, order) = try buildModel(c)
    #expect(model.isMultiLabel)
    let (loss, _) = try model.computeGradients(x: x, y: y)
    expectClose([loss], try r["loss_at_initial_weights"].numbers(), .forward, "\(name) loss")
    let per = model.perSample
    expectClose(per, try r["per_sample_loss_at_initial_weights"].numbers(), .forward, "\(name) per-sample loss")
    for (p, path) in zip(model.parameters, order) {
        expectClose(p.grad, try r["grads_at_initial_weights"][path].tensor(), .gradient, "\(name) grad \(path)")
    }

    let t = r["training"]
    let (stepped, _) = try buildModel(c)
    let opt = Optimizer(try optimizerSpec(fromKeras: c["optimizer"]))
    let losses = try t["loss_before_step"].array.map { Float(try $0.double()) }
    #expect(losses.count == 3)
    for step in 1...losses.count {
        let (l, _) = try stepped.trainStep(x: x, y: y, optimizer: opt)
        expectClose([l], [losses[step - 1]], .training, "\(name) loss before step \(step)")
        for (p, path) in zip(stepped.parameters, order) {
            expectClose(p.value, try t["weights_after_step"]["\(step)"][path].tensor(), .training, "\(name) \(path) after step \(step)")
        }
    }

    let f = r["fit"]
    let (fresh, _) = try buildModel(c)
    let trainer = try Trainer(model: fresh, optimizer: Optimizer(try optimizerSpec(fromKeras: c["optimizer"])),
                              train: try Dataset(x: x, y: y),
                              config: FitConfig(epochs: try f["epochs"].int(), batchSize: try f["batch_size"].int(), shuffle: false))
    let batchLosses = try f["batch_logs_loss"].array.map { Float(try $0.double()) }
    var batch = 0, epochLosses: [Float] = []
    while !trainer.isFinished {
        let outcome = try trainer.runBatch()
        batch += 1
        guard batch <= batchLosses.count else { break }
        expectClose([outcome.progress.loss], [batchLosses[batch - 1]], .training, "\(name) fit loss after batch \(batch)")
        for (p, path) in zip(fresh.parameters, order) {
            expectClose(p.value, try f["weights_after_batch"]["\(batch)"][path].tensor(), .training, "\(name) fit \(path) after batch \(batch)")
        }
        if let e = outcome.epochEnd { epochLosses.append(e.loss) }
    }
    #expect(batch == batchLosses.count, "\(name): \(batch) batches, Keras ran \(batchLosses.count)")
    expectClose(epochLosses, try f["epoch_logs_loss"].array.map { Float(try $0.double()) }, .training, "\(name) fit epoch losses")
    expectClose(try fresh.predict(x), try f["probabilities_after_fit"].tensor(), .training, "\(name) probabilities after fit")
}

/// Keras's binary_crossentropy on bare probabilities, with its clipping to [ε, 1 − ε].
func checkClippedProbabilitiesCase(_ raw: [String: Any]) throws {
    let c = J(raw)
    let name = try c["name"].string()
    let p = try c["inputs"]["probabilities"].tensor(), y = try c["inputs"]["y"].tensor()
    let r = c["results"]["float32"]
    var perSample: [Float] = [], grad = Tensor.empty
    let loss = Losses.binaryCrossentropy(probabilities: p, targets: y, perSample: &perSample, grad: &grad)
    expectClose([loss], try r["loss"].numbers(), .forward, "\(name) loss")
    expectClose(perSample, try r["per_sample_loss"].numbers(), .forward, "\(name) per-sample loss")
    expectClose(grad, try r["grad_probabilities"].tensor(), .gradient, "\(name) dLoss/dp")
}

extension KerasParity {
    @Test func multiLabel() throws {
        let doc = try Fixtures.load("multi_label.json")
        let cases = try Fixtures.cases("multi_label.json")
        #expect(cases.count >= 1)
        for c in cases {
            do { try checkMultiLabelCase(c) } catch { Issue.record("\(J(c)["name"].stringOrNil ?? "?"): \(error)") }
        }
        let probabilityCases = try #require(doc["probability_cases"] as? [[String: Any]])
        #expect(!probabilityCases.isEmpty)
        for c in probabilityCases {
            do { try checkClippedProbabilitiesCase(c) } catch { Issue.record("\(J(c)["name"].stringOrNil ?? "?"): \(error)") }
        }
    }
}

@Suite struct MultiLabelEngineTests {
    static let spec = ModelSpec(inputLength: 4, vocabularySize: 10,
                                layers: [.embedding(dim: 3, maskZero: false), .globalAveragePooling1D,
                                         .dense(units: 5, activation: .tanh, useBias: true),
                                         .dense(units: 4, activation: .sigmoid, useBias: true)],
                                loss: .binaryCrossentropy)
    static let x = Tensor(shape: [3, 4], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3])
    static let y = Tensor(shape: [3, 4], scalars: [1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0])

    /// A wrong recorded number in the fixture is caught.
    @Test func parityMismatchesAreCaught() throws {
        let self_ = ParitySelfTests()
        for c in try Fixtures.cases("multi_label.json") {
            #expect(try self_.caught {
                try checkMultiLabelCase(ParitySelfTests.perturb(c, ["results", "float32", "loss_at_initial_weights"]) as! [String: Any])
            })
            let order = try J(c)["weight_order"].array.map { try $0.string() }
            #expect(try self_.caught {
                try checkMultiLabelCase(ParitySelfTests.perturb(c, ["results", "float32", "grads_at_initial_weights", order.last!]) as! [String: Any])
            })
            #expect(try !self_.caught { try checkMultiLabelCase(c) })
        }
    }

    /// The analytic gradients of the multi-label loss match central differences of it.
    @Test func gradientsMatchFiniteDifferences() throws {
        let model = try Sequential(spec: Self.spec, seed: 11)
        #expect(model.isMultiLabel && model.classCount == 4)
        _ = try model.computeGradients(x: Self.x, y: Self.y, training: false)
        let analytic = model.parameters.map(\.grad)
        let eps: Float = 1e-2
        func loss() throws -> Double { Double(try model.evaluateBatch(x: Self.x, y: Self.y).loss) }
        for (pi, p) in model.parameters.enumerated() {
            for i in 0..<p.value.count {
                let orig = p.value[flat: i]
                p.value[flat: i] = orig + eps
                let lp = try loss()
                p.value[flat: i] = orig - eps
                let lm = try loss()
                p.value[flat: i] = orig
                let numeric = (lp - lm) / (2 * Double(eps)), a = Double(analytic[pi][flat: i])
                #expect(abs(a - numeric) <= 2e-3 + 2e-2 * max(abs(a), abs(numeric)), "\(p.name)[\(i)]: backward \(a), finite difference \(numeric)")
            }
        }
    }

    /// Training accuracy of a multi-label model counts an example right only when every label is.
    @Test func accuracyIsSubsetAccuracy() {
        let out = Tensor(shape: [3, 2], scalars: [0.9, 0.1, 0.6, 0.7, 0.2, 0.4])
        let y = Tensor(shape: [3, 2], scalars: [1, 0, 1, 0, 0, 0])
        #expect(Sequential.correctCount(out, y, loss: .binaryCrossentropy) == 2)
    }

    /// Multi-hot targets of the wrong width, and class weights, are refused with an error.
    @Test func badTargetsAndClassWeightsAreRefused() throws {
        let model = try Sequential(spec: Self.spec, seed: 1)
        #expect(throws: EngineError.self) { try model.computeGradients(x: Self.x, y: Tensor(shape: [3], scalars: [1, 0, 1])) }
        #expect(throws: EngineError.self) { try model.computeGradients(x: Self.x, y: Tensor(shape: [3, 3], scalars: [Float](repeating: 0, count: 9))) }
        #expect(throws: EngineError.self) {
            try Trainer(model: model, optimizer: Optimizer(.adam()), train: try Dataset(x: Self.x, y: Self.y),
                        config: FitConfig(classWeights: [1, 2]))
        }
    }

    /// Batches gather whole rows of targets, so training in batches of 2 sees the right labels.
    @Test func batchesGatherTargetRows() throws {
        let data = try Dataset(x: Self.x, y: Self.y)
        #expect(data.targetsPerExample == 4)
        var xb = Tensor.empty, yb = Tensor.empty
        data.gather([2, 0], into: &xb, &yb)
        #expect(yb.shape == [2, 4])
        #expect(yb.scalars == [1, 1, 0, 0, 1, 0, 1, 0])
    }
}

/// The multi-label metrics against scikit-learn's on the same predictions
/// (Tests/Fixtures/sklearn/multilabel_metrics.json, from
/// Tests/Fixtures/sklearn-generator/generate_multilabel_metrics.py).
@Suite struct MultiLabelMetricsTests {
    static func cases() throws -> [J] {
        let url = TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/sklearn/multilabel_metrics.json")
        let data = try #require(FileManager.default.contents(atPath: url.path), "\(url.path) is missing")
        return J(try JSONSerialization.jsonObject(with: data))["cases"].array
    }

    static func check(_ m: MultiLabelMetrics, _ want: J, _ what: String) throws {
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 }
        #expect(m.threshold == Float(try want["threshold"].double()), "\(what) threshold")
        #expect(close(m.microF1, try want["micro_f1"].double()), "\(what) micro-F1 \(m.microF1)")
        #expect(close(m.macroF1, try want["macro_f1"].double()), "\(what) macro-F1 \(m.macroF1)")
        #expect(close(m.subsetAccuracy, try want["subset_accuracy"].double()), "\(what) subset accuracy \(m.subsetAccuracy)")
        #expect(close(m.hammingLoss, try want["hamming_loss"].double()), "\(what) Hamming loss \(m.hammingLoss)")
        let perLabel = try want["per_label_f1"].array.map { try $0.double() }
        #expect(m.perLabelF1.count == perLabel.count && zip(m.perLabelF1, perLabel).allSatisfy { close($0, $1) }, "\(what) per-label F1")
    }

    @Test func matchScikitLearn() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 3)
        for c in cases {
            let name = try c["name"].string(), k = try c["labels"].int()
            let truth = try c["truth"].array.flatMap { try $0.array.map { Float(try $0.double()) } }
            let p = try c["probabilities"].array.flatMap { try $0.array.map { Float(try $0.double()) } }
            for a in c["at_thresholds"].array {
                let t = Float(try a["threshold"].double())
                try Self.check(try MultiLabelMetrics(truth: truth, probabilities: p, labels: k, threshold: t), a, "\(name) at \(t)")
            }
            try Self.check(try MultiLabelMetrics.tuned(truth: truth, probabilities: p, labels: k), c["tuned"], "\(name) tuned")
        }
    }

    @Test func mismatchedSizesAreRefused() {
        #expect(throws: EngineError.self) { try MultiLabelMetrics(truth: [1, 0, 1], probabilities: [0.5, 0.5], labels: 1) }
        #expect(throws: EngineError.self) { try MultiLabelMetrics(truth: [1, 0, 1], probabilities: [0.5, 0.5, 0.1], labels: 2) }
        #expect(throws: EngineError.self) { try MultiLabelMetrics(truth: [], probabilities: [], labels: 0) }
    }

    @Test func predictedLabelsAreAboveTheThreshold() {
        #expect(MultiLabelMetrics.predicted([0.5, 0.51, 0.2, 0.9], threshold: 0.5) == [1, 3])
    }
}
