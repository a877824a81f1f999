import Foundation
import Testing
@testable import Engine

/// Keras's `class_weight` (Tests/Fixtures/keras/class_weight.json): the loss of each
/// train_on_batch step and the weights after it, and a whole `fit` (batches of 4 and 2,
/// two epochs, no shuffling) through the Trainer, for a sigmoid and a softmax head.
func checkClassWeightCase(_ raw: [String: Any]) throws {
    let c = J(raw)
    let name = try c["name"].string()
    let x = try c["inputs"]["x"].tensor()
    let y = try c["inputs"]["y"].tensor()
    let classWeights = try c["class_weights_by_index"].array.map { Float(try $0.double()) }
    let r = c["results"]["float32"]

    // The sample weights Keras derived from class_weight.
    var sampleWeights: [Float] = []
    Trainer.sampleWeights(targets: y, classWeights: classWeights, into: &sampleWeights)
    expectClose(sampleWeights, try c["sample_weights"].numbers(), .forward, "\(name) sample weights")

    // train_on_batch(x, y, class_weight=...) x3.
    let t = r["training"]
    let (model, order) = try buildModel(c)
    let opt = Optimizer(try optimizerSpec(fromKeras: c["optimizer"]))
    let losses = try t["loss_before_step"].array.map { Float(try $0.double()) }
    #expect(losses.count == 3)
    for step in 1...losses.count {
        let (l, _) = try model.trainStep(x: x, y: y, sampleWeights: sampleWeights, optimizer: opt)
        expectClose([l], [losses[step - 1]], .training, "\(name) loss before step \(step)")
        for (p, path) in zip(model.parameters, order) {
            expectClose(p.value, try t["weights_after_step"]["\(step)"][path].tensor(), .training, "\(name) \(path) after step \(step)")
        }
    }

    // fit(batch_size=4, epochs=2, shuffle=False, class_weight=...) through the Trainer.
    let f = r["fit"]
    let (fresh, _) = try buildModel(c)
    let trainer = try Trainer(model: fresh, optimizer: Optimizer(try optimizerSpec(fromKeras: c["optimizer"])),
                              train: try Dataset(x: x, y: y),
                              config: FitConfig(epochs: try f["epochs"].int(), batchSize: try f["batch_size"].int(),
                                                shuffle: false, classWeights: classWeights))
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
}

extension KerasParity {
    @Test func classWeights() throws {
        let cases = try Fixtures.cases("class_weight.json")
        #expect(cases.count == 2)
        for c in cases {
            do { try checkClassWeightCase(c) } catch { Issue.record("\(J(c)["name"].stringOrNil ?? "?"): \(error)") }
        }
    }
}

@Suite struct ClassWeightTests {
    /// A wrong class weight, a wrong recorded loss or weight: each is caught.
    @Test func mismatchesAreCaught() throws {
        let self_ = ParitySelfTests()
        for c in try Fixtures.cases("class_weight.json") {
            var wrongWeight = c
            var byIndex = try #require(c["class_weights_by_index"] as? [Any])
            byIndex[1] = 1.5
            wrongWeight["class_weights_by_index"] = byIndex
            #expect(try self_.caught { try checkClassWeightCase(wrongWeight) })
            #expect(try self_.caught {
                try checkClassWeightCase(ParitySelfTests.perturb(c, ["results", "float32", "training", "loss_before_step"]) as! [String: Any])
            })
            let order = try J(c)["weight_order"].array.map { try $0.string() }
            #expect(try self_.caught {
                try checkClassWeightCase(ParitySelfTests.perturb(c, ["results", "float32", "fit", "weights_after_batch", "4", order[0]]) as! [String: Any])
            })
            // The unchanged case catches nothing.
            #expect(try !self_.caught { try checkClassWeightCase(c) })
        }
    }

    /// Weights of 1 change nothing, bit for bit; a weight of w on every row scales loss and
    /// gradients by w.
    @Test func unitWeightsChangeNothingAndScaleIsLinear() throws {
        let spec = ModelSpec(inputLength: 3, vocabularySize: 8,
                             layers: [.embedding(dim: 3, maskZero: false), .globalAveragePooling1D, .dense(units: 3, activation: .softmax, useBias: true)])
        let x = Tensor(shape: [4, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 3, 3])
        let y = Tensor(shape: [4], scalars: [0, 2, 1, 2])
        let a = try Sequential(spec: spec, seed: 5), b = try Sequential(spec: spec, seed: 5), c = try Sequential(spec: spec, seed: 5)
        let (la, _) = try a.computeGradients(x: x, y: y)
        let (lb, _) = try b.computeGradients(x: x, y: y, sampleWeights: [1, 1, 1, 1])
        let (lc, _) = try c.computeGradients(x: x, y: y, sampleWeights: [2, 2, 2, 2])
        #expect(la == lb)
        #expect(abs(lc - 2 * la) <= 1e-6 * abs(la))
        for (pa, (pb, pc)) in zip(a.parameters, zip(b.parameters, c.parameters)) {
            #expect(pa.grad.scalars == pb.grad.scalars)
            expectClose(pc.grad.scalars, pa.grad.scalars.map { 2 * $0 }, .gradient, "doubled gradient")
        }
        #expect(throws: EngineError.self) { try a.computeGradients(x: x, y: y, sampleWeights: [1, 1]) }
    }

    @Test func invalidClassWeightsAreRefused() throws {
        for bad: [Float] in [[1, 0], [1, -2], [1, .nan], [.infinity, 1], [1]] {
            #expect(throws: EngineError.self) { try FitConfig(classWeights: bad).validate() }
        }
        let spec = ModelSpec(inputLength: 3, vocabularySize: 8,
                             layers: [.embedding(dim: 3, maskZero: false), .globalAveragePooling1D, .dense(units: 3, activation: .softmax, useBias: true)])
        let data = try Dataset(x: Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), y: Tensor(shape: [2], scalars: [0, 2]))
        #expect(throws: EngineError.self) {
            try Trainer(model: try Sequential(spec: spec, seed: 1), optimizer: Optimizer(.adam()), train: data,
                        config: FitConfig(classWeights: [1, 2]))
        }
    }

    /// A config saved before class weights existed decodes, with none.
    @Test func oldFitConfigDecodes() throws {
        let old = #"{"epochs": 3, "batchSize": 32, "shuffle": true, "seed": 42}"#
        let fit = try JSONDecoder().decode(FitConfig.self, from: Data(old.utf8))
        #expect(fit == FitConfig())
    }
}
