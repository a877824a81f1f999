import Foundation
import Testing
@testable import Engine

/// A mismatch that is not a number out of tolerance (an epoch count, a parameter count).
private func mismatch(_ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
    reportMismatch(message, sourceLocation: sourceLocation)
}

/// A short `model.fit` with EarlyStopping(restore_best_weights=True) and ReduceLROnPlateau
/// (Tests/Fixtures/keras/early_stopping.json) through the Trainer: each epoch's loss,
/// val_loss, learning rate after the callbacks and weights, the epoch training stopped at,
/// and the weights restored. Everything but the tolerances is read from the fixture, so the
/// check holds on another folder of the same schema (KERAS_FIXTURES_DIR).
func checkEarlyStoppingCase(_ raw: [String: Any]) throws {
    let c = J(raw)
    let name = try c["name"].string()
    let (model, order) = try buildModel(c)
    let train = try Dataset(x: try c["inputs"]["x"].tensor(), y: try c["inputs"]["y"].tensor())
    let validation = try Dataset(x: try c["inputs"]["validation_x"].tensor(), y: try c["inputs"]["validation_y"].tensor())
    func number(_ j: J, _ fallback: Double) throws -> Double { j.exists ? try j.double() : fallback }
    let es = c["early_stopping"], rp = c["reduce_lr_on_plateau"]
    guard try es["monitor"].string() == "val_loss", try rp["monitor"].string() == "val_loss", es["restore_best_weights"].bool() else {
        throw Fixtures.Missing(description: "\(name): expected both callbacks on val_loss, restoring the best weights")
    }
    let callbacks = TrainingCallbacks(
        earlyStopping: EarlyStopping(monitor: .valLoss, minDelta: try number(es["min_delta"], 0), patience: Int(try number(es["patience"], 0)),
                                     restoreBestWeights: true),
        reduceLROnPlateau: ReduceLROnPlateau(monitor: .valLoss, factor: try number(rp["factor"], 0.1), patience: Int(try number(rp["patience"], 10)),
                                             minDelta: try number(rp["min_delta"], 1e-4), cooldown: Int(try number(rp["cooldown"], 0)),
                                             minLR: try number(rp["min_lr"], 0)))
    let fit = c["fit"]
    let trainer = try Trainer(model: model, optimizer: Optimizer(try optimizerSpec(fromKeras: c["optimizer"])), train: train,
                              validation: validation,
                              config: FitConfig(epochs: try fit["epochs"].int(), batchSize: try fit["batch_size"].int(), shuffle: fit["shuffle"].bool(),
                                                callbacks: callbacks))
    let r = c["results"]["float32"]
    let epochs = r["epochs"].array
    var epoch = 0
    while !trainer.isFinished {
        guard let summary = try trainer.runBatch().epochEnd else { continue }
        epoch += 1
        guard epoch <= epochs.count else { break }
        let want = epochs[epoch - 1]
        expectClose([summary.loss], [Float(try want["loss"].double())], .training, "\(name) epoch \(epoch) loss")
        expectClose([summary.validationLoss ?? .nan], [Float(try want["val_loss"].double())], .training, "\(name) epoch \(epoch) val_loss")
        expectClose([trainer.optimizer.spec.learningRate], [Float(try want["learning_rate_after"].double())], .forward,
                    "\(name) learning rate after epoch \(epoch)")
        for (p, path) in zip(model.parameters, order) {
            expectClose(p.value, try r["weights_after_epoch"]["\(epoch)"][path].tensor(), .training, "\(name) \(path) after epoch \(epoch)")
        }
    }
    let trained = try r["epochs_trained"].int()
    if epoch != trained { mismatch("\(name): trained \(epoch) epochs, Keras \(trained)") }
    let stopped = trainer.callbackState.earlyStopping.stoppedEpoch.map { $0 + 1 }
    let kerasStopped = try r["stopped_epoch"].int(), kerasBest = try r["best_epoch"].int()
    if stopped != kerasStopped { mismatch("\(name): stopped at epoch \(stopped.map(String.init) ?? "none"), Keras at \(kerasStopped)") }
    let best = trainer.restoreBestWeights()
    if best != kerasBest { mismatch("\(name): restored epoch \(best.map(String.init) ?? "none"), Keras \(kerasBest)") }
    for (p, path) in zip(model.parameters, order) {
        expectClose(p.value, try r["restored_weights"][path].tensor(), .training, "\(name) restored \(path)")
    }
}

/// A frozen Embedding (Tests/Fixtures/keras/frozen_embedding.json): the counts Keras's summary
/// prints, and train_on_batch steps in which the Embedding stays as it was.
func checkFrozenEmbeddingCase(_ raw: [String: Any]) throws {
    let c = J(raw)
    let name = try c["name"].string()
    let (model, order) = try buildModel(c)
    let params = c["params"]
    let total = try params["total"].int(), trainable = try params["trainable"].int(), frozen = try params["non_trainable"].int()
    if model.parameterCount != total || model.trainableParameterCount != trainable || model.parameterCount - model.trainableParameterCount != frozen {
        mismatch("\(name): \(model.parameterCount) params (\(model.trainableParameterCount) trainable), Keras \(total) (\(trainable))")
    }
    let summary = model.summary()
    let line = summary.split(separator: "\n").first { $0.hasPrefix(" Non-trainable params: ") } ?? ""
    let printed = line.dropFirst(" Non-trainable params: ".count).prefix { $0 != " " }.filter { $0 != "," }
    if Int(printed) != frozen {
        mismatch("\(name): the summary does not count the non-trainable params: \(summary)")
    }
    let x = try c["inputs"]["x"].tensor(), y = try c["inputs"]["y"].tensor()
    let opt = Optimizer(try optimizerSpec(fromKeras: c["optimizer"]))
    let t = c["results"]["float32"]["training"]
    for (i, want) in t["loss_before_step"].array.enumerated() {
        let (loss, _) = try model.trainStep(x: x, y: y, optimizer: opt)
        expectClose([loss], [Float(try want.double())], .training, "\(name) loss before step \(i + 1)")
        for (p, path) in zip(model.parameters, order) {
            expectClose(p.value, try t["weights_after_step"]["\(i + 1)"][path].tensor(), .training, "\(name) \(path) after step \(i + 1)")
        }
    }
}

extension KerasParity {
    @Test func earlyStoppingAndPlateauFit() throws {
        let cases = try Fixtures.cases("early_stopping.json")
        #expect(!cases.isEmpty)
        for c in cases {
            do { try checkEarlyStoppingCase(c) } catch { Issue.record("\(J(c)["name"].stringOrNil ?? "?"): \(error)") }
        }
    }

    @Test func frozenEmbedding() throws {
        let cases = try Fixtures.cases("frozen_embedding.json")
        #expect(!cases.isEmpty)
        for c in cases {
            do { try checkFrozenEmbeddingCase(c) } catch { Issue.record("\(J(c)["name"].stringOrNil ?? "?"): \(error)") }
        }
    }
}

@Suite struct EarlyStoppingParitySelfTests {
    /// A wrong loss, rate, stop epoch or restored weight in the fixture is caught; the
    /// fixture as it is catches nothing.
    @Test func mismatchesAreCaught() throws {
        let self_ = ParitySelfTests()
        for c in try Fixtures.cases("early_stopping.json") {
            let order = try J(c)["weight_order"].array.map { try $0.string() }
            #expect(try !self_.caught { try checkEarlyStoppingCase(c) })
            #expect(try self_.caught {
                try checkEarlyStoppingCase(ParitySelfTests.perturb(c, ["results", "float32", "restored_weights", order[0]]) as! [String: Any])
            })
            var later = c
            var results = try #require(c["results"] as? [String: Any]), f32 = try #require(results["float32"] as? [String: Any])
            f32["stopped_epoch"] = (f32["stopped_epoch"] as? Int ?? 0) + 1
            f32["best_epoch"] = (f32["best_epoch"] as? Int ?? 0) + 1
            results["float32"] = f32
            later["results"] = results
            #expect(try self_.caught { try checkEarlyStoppingCase(later) })
        }
        for c in try Fixtures.cases("frozen_embedding.json") {
            #expect(try !self_.caught { try checkFrozenEmbeddingCase(c) })
            var thawed = c
            var layers = try #require((c["model"] as? [String: Any])?["layers"] as? [[String: Any]])
            var config = try #require(layers[0]["config"] as? [String: Any])
            config["trainable"] = true
            layers[0]["config"] = config
            var model = try #require(c["model"] as? [String: Any])
            model["layers"] = layers
            thawed["model"] = model
            #expect(try self_.caught { try checkFrozenEmbeddingCase(thawed) })
        }
    }
}
