import Foundation
import Testing
@testable import Engine

/// EarlyStopping and ReduceLROnPlateau decide as Keras 3's callbacks do
/// (keras/src/callbacks/early_stopping.py, reduce_lr_on_plateau.py, monitor_callback.py).
@Suite struct CallbacksTests {
    static func epoch(_ n: Int, loss: Float = 1, accuracy: Float = 0.5, valLoss: Float? = nil, valAccuracy: Float? = nil) -> EpochSummary {
        EpochSummary(epoch: n, loss: loss, accuracy: accuracy, validationLoss: valLoss, validationAccuracy: valAccuracy, seconds: 1, samplesPerSecond: 1)
    }

    /// Runs EarlyStopping over val_loss values; returns the 0-based stop epoch (nil: never) and the state.
    static func stopEpoch(_ es: EarlyStopping, valLoss: [Float]) -> (stop: Int?, bests: [Int], state: EarlyStopping.State) {
        var state = EarlyStopping.State()
        var bests: [Int] = []
        for (i, v) in valLoss.enumerated() {
            let d = es.decide(epoch: i, summary: epoch(i + 1, valLoss: v), state: &state)
            if d.newBest { bests.append(i) }
            if d.stop { return (i, bests, state) }
        }
        return (nil, bests, state)
    }

    @Test func earlyStoppingCountsEpochsWithoutImprovement() {
        // patience 2: e0 best=1.0; e1 0.8 < 1.0 best; e2 0.85 wait 1; e3 0.9 wait 2 ≥ 2 → stop at e3.
        let r = Self.stopEpoch(EarlyStopping(monitor: .valLoss, patience: 2), valLoss: [1.0, 0.8, 0.85, 0.9, 0.5])
        #expect(r.stop == 3)
        #expect(r.bests == [0, 1])
        #expect(r.state.bestEpoch == 1 && r.state.best == 0.8 && r.state.stoppedEpoch == 3)
        // patience 0: the first epoch that does not improve stops (wait 1 ≥ 0).
        #expect(Self.stopEpoch(EarlyStopping(patience: 0), valLoss: [1.0, 0.9, 0.95]).stop == 2)
        // Improving every epoch never stops.
        #expect(Self.stopEpoch(EarlyStopping(patience: 0), valLoss: [3, 2, 1]).stop == nil)
    }

    @Test func earlyStoppingMinDeltaModeStartAndBaseline() {
        // min_delta 0.05, "min": improvement is current + 0.05 < best. e1 0.97+0.05 = 1.02 ≮ 1.0 → wait 1 ≥ 1 → stop.
        #expect(Self.stopEpoch(EarlyStopping(minDelta: 0.05, patience: 1), valLoss: [1.0, 0.97, 0.9]).stop == 1)
        // A negative min_delta is taken as its absolute value (Keras's abs(min_delta)).
        #expect(Self.stopEpoch(EarlyStopping(minDelta: -0.05, patience: 1), valLoss: [1.0, 0.97, 0.9]).stop == 1)
        // mode max on val_loss: rising counts as improving. e0 1.0; e1 0.9 wait 1 ≥ 1 → stop.
        #expect(Self.stopEpoch(EarlyStopping(patience: 1, mode: .max), valLoss: [1.0, 0.9, 2.0]).stop == 1)
        // start_from_epoch 2: e0, e1 ignored; e2 best 3; e3 3 not < 3 → wait 1 ≥ 1 → stop at e3.
        #expect(Self.stopEpoch(EarlyStopping(patience: 1, startFromEpoch: 2), valLoss: [5, 4, 3, 3, 3]).stop == 3)
        // baseline 0.5: improvements above it do not reset the wait. e0 best (wait 1); e1 wait 2,
        // improves → no stop check; e2 wait 3, improves; e3 0.75 wait 4 ≥ 2 → stop.
        let b = Self.stopEpoch(EarlyStopping(patience: 2, baseline: 0.5), valLoss: [0.9, 0.8, 0.7, 0.75])
        #expect(b.stop == 3 && b.bests == [0, 1, 2])
    }

    @Test func autoModeFollowsTheQuantity() {
        // val_accuracy improves upwards: e0 .5; e1 .6 best; e2 .6 ≯ .6 wait 1; e3 .55 wait 2 ≥ 2 → stop.
        var state = EarlyStopping.State()
        let es = EarlyStopping(monitor: .valAccuracy, patience: 2)
        let stops = [0.5, 0.6, 0.6, 0.55].enumerated().map { i, v in
            es.decide(epoch: i, summary: Self.epoch(i + 1, valAccuracy: Float(v)), state: &state).stop
        }
        #expect(stops == [false, false, false, true])
        // Without the monitored value (no validation data) nothing changes.
        var s2 = EarlyStopping.State()
        #expect(!es.decide(epoch: 3, summary: Self.epoch(4), state: &s2).stop)
        #expect(s2 == EarlyStopping.State())
    }

    /// The rates ReduceLROnPlateau sets over val_loss values, starting from `lr` (one per epoch:
    /// the rate in force after that epoch).
    static func rates(_ r: ReduceLROnPlateau, lr start: Float, valLoss: [Float]) -> [Float] {
        var state = ReduceLROnPlateau.State()
        var lr = start
        return valLoss.enumerated().map { i, v in
            if let new = r.decide(summary: epoch(i + 1, valLoss: v), learningRate: lr, state: &state) { lr = new }
            return lr
        }
    }

    @Test func reduceLROnPlateauPatienceCooldownAndFloor() {
        let r = ReduceLROnPlateau(monitor: .valLoss, factor: 0.5, patience: 2, minDelta: 0, cooldown: 1, minLR: 0.002)
        let lr0: Float = 0.01
        // e0 best 1.0; e1 wait 1; e2 wait 2 → 0.005, cooldown 1; e3 cooldown → 0, wait 1;
        // e4 wait 2 → 0.0025; e5 cooldown → 0, wait 1; e6 0.5 best, wait 0; e7 wait 1;
        // e8 wait 2 → max(0.00125, 0.002) = 0.002; e9 cooldown → 0, wait 1; e10 wait 2 but
        // 0.002 ≯ float32(0.002): nothing (wait stays); e11 wait 3, still at the floor.
        let got = Self.rates(r, lr: lr0, valLoss: [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
        let a = lr0, b = Float(Double(lr0) * 0.5), c = Float(Double(b) * 0.5), floor = Float(0.002)
        #expect(got == [a, a, b, b, c, c, c, c, floor, floor, floor, floor])
    }

    @Test func reduceLROnPlateauDefaultMinDeltaIgnoresTinyGains() {
        // Keras's default min_delta 1e-4: 0.99995 + 1e-4 ≮ 1.0, so e1 and e2 wait; patience 2 → e2 lowers ×0.1.
        let r = ReduceLROnPlateau(patience: 2)
        let got = Self.rates(r, lr: 0.001, valLoss: [1.0, 0.99995, 0.99991])
        #expect(got == [0.001, 0.001, Float(Double(Float(0.001)) * 0.1)])
    }

    /// A recorded val_loss history (a small text model, 12 epochs) with
    /// callbacks=[EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
    ///            ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=1e-4)],
    /// Adam(1e-3). By Keras's rules:
    /// - e0 .6931 best (ES wait 0; RL best); e1 .6512 best; e2 .6120 best; e3 .6135: ES wait 1, RL wait 1;
    /// - e4 .6098 best (< .6120 − 1e-4 for RL too): both waits 0;
    /// - e5 .6101: ES wait 1, RL wait 1; e6 .6110: ES wait 2, RL wait 2 → lr 5e-4, cooldown 0;
    /// - e7 .6099: ES wait 3 ≥ 3 → stop at e7 (0-based), best epoch e4 (weights of epoch 5 restored);
    ///   RL at e7: .6099 ≮ .6098 − 1e-4 → wait 1.
    @Test func recordedHistoryMatchesKerasRules() {
        let valLoss: [Float] = [0.6931, 0.6512, 0.6120, 0.6135, 0.6098, 0.6101, 0.6110, 0.6099, 0.6050, 0.6, 0.59, 0.58]
        let callbacks = TrainingCallbacks(
            earlyStopping: EarlyStopping(monitor: .valLoss, patience: 3, restoreBestWeights: true),
            reduceLROnPlateau: ReduceLROnPlateau(monitor: .valLoss, factor: 0.5, patience: 2, minLR: 1e-4))
        var state = TrainingCallbacks.State()
        var lr: Float = 1e-3
        var lrs: [Float] = [], stop: Int?
        for (i, v) in valLoss.enumerated() {
            let d = callbacks.decide(epoch: i, summary: Self.epoch(i + 1, valLoss: v), learningRate: lr, state: &state)
            if let new = d.learningRate { lr = new }
            lrs.append(lr)
            if d.stop { stop = i; break }
        }
        #expect(stop == 7)
        #expect(state.earlyStopping.bestEpoch == 4)
        #expect(lrs == [1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-3, Float(Double(Float(1e-3)) * 0.5), Float(Double(Float(1e-3)) * 0.5)])
        #expect(state.reduceLROnPlateau.wait == 1)
    }

    @Test func settingsAreValidatedNamingTheField() {
        func field(_ c: TrainingCallbacks) -> String? {
            do { try c.validate(); return nil } catch let EngineError.invalidSpec(f, _) { return f } catch { return "?" }
        }
        #expect(field(TrainingCallbacks(reduceLROnPlateau: ReduceLROnPlateau(factor: 1))) == "reduce_lr_on_plateau.factor")
        #expect(field(TrainingCallbacks(reduceLROnPlateau: ReduceLROnPlateau(minLR: -1))) == "reduce_lr_on_plateau.min_lr")
        #expect(field(TrainingCallbacks(earlyStopping: EarlyStopping(patience: -1))) == "early_stopping.patience")
        #expect(field(TrainingCallbacks(earlyStopping: EarlyStopping(minDelta: .nan))) == "early_stopping.min_delta")
        #expect(field(TrainingCallbacks(earlyStopping: EarlyStopping(), reduceLROnPlateau: ReduceLROnPlateau())) == nil)
    }

    @Test func parsesTheCommandLineForm() throws {
        let es = try EarlyStopping(parsing: "monitor=val_loss,patience=3,min_delta=0,restore_best")
        #expect(es == EarlyStopping(monitor: .valLoss, minDelta: 0, patience: 3, restoreBestWeights: true))
        #expect(try EarlyStopping(parsing: "") == EarlyStopping())
        let r = try ReduceLROnPlateau(parsing: "monitor=val_loss,factor=0.5,patience=2,min_lr=1e-6")
        #expect(r == ReduceLROnPlateau(monitor: .valLoss, factor: 0.5, patience: 2, minLR: 1e-6))
        func field(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch let EngineError.invalidSpec(f, _) { return f } catch { return "?" }
        }
        #expect(field { _ = try EarlyStopping(parsing: "patience=x") } == "--early-stopping patience")
        #expect(field { _ = try EarlyStopping(parsing: "monitor=f1") } == "--early-stopping monitor")
        #expect(field { _ = try EarlyStopping(parsing: "patience=-2") } == "--early-stopping patience")
        #expect(field { _ = try EarlyStopping(parsing: "patience") } == "--early-stopping patience")
        #expect(field { _ = try EarlyStopping(parsing: "speed=3") } == "--early-stopping speed")
        #expect(field { _ = try EarlyStopping(parsing: "patience=1,patience=2") } == "--early-stopping patience")
        #expect(field { _ = try ReduceLROnPlateau(parsing: "factor=2") } == "--reduce-lr-on-plateau factor")
        #expect(field { _ = try ReduceLROnPlateau(parsing: "min_lr=nan") } == "--reduce-lr-on-plateau min_lr")
        #expect(field { _ = try ReduceLROnPlateau(parsing: "restore_best") } == "--reduce-lr-on-plateau restore_best")
    }

    @Test func bestCheckpointFollowsModelCheckpointSaveBestOnly() {
        // No min_delta: any strict gain is a new best; ties are not.
        var state = BestCheckpoint.State()
        let b = BestCheckpoint(monitor: .valLoss)
        let kept = [1.0, 0.8, 0.8, 0.9, 0.7].enumerated().map { i, v in b.decide(summary: Self.epoch(i + 1, valLoss: Float(v)), state: &state) }
        #expect(kept == [true, true, false, false, true])
        #expect(state.epoch == 5 && state.best == 0.7)
        var acc = BestCheckpoint.State()
        let a = BestCheckpoint(monitor: .accuracy)
        _ = [0.5, 0.7, 0.6].enumerated().map { i, v in a.decide(summary: Self.epoch(i + 1, accuracy: Float(v)), state: &acc) }
        #expect(acc.epoch == 2)
    }

    // MARK: - In the trainer

    static let spec = ModelSpec(inputLength: 3, vocabularySize: 8,
                                layers: [.embedding(dim: 3, maskZero: false), .globalAveragePooling1D, .dense(units: 1, activation: .sigmoid, useBias: true)])
    static let data: Dataset = {
        let x = Tensor(shape: [8, 3], scalars: (0..<24).map { Float($0 % 7 + 1) })
        let y = Tensor(shape: [8], scalars: [0, 1, 0, 1, 0, 1, 0, 1])
        return try! Dataset(x: x, y: y)
    }()
    /// A min_delta no epoch can beat makes every epoch after the first a non-improvement, so
    /// the decisions are known whatever the losses: RL (patience 1) lowers at e1, then at e3
    /// (cooldown 2: e2 counts it down to 1, e3 to 0 and, out of cooldown, waits 1 ≥ 1; with
    /// cooldown 1 Keras would lower at every epoch, as its counter reaches 0 before the check);
    /// ES (patience 4) stops at e4 with e0 best.
    static let callbacks = TrainingCallbacks(
        earlyStopping: EarlyStopping(monitor: .loss, minDelta: 100, patience: 4, restoreBestWeights: true),
        reduceLROnPlateau: ReduceLROnPlateau(monitor: .valLoss, factor: 0.5, patience: 1, minDelta: 100, cooldown: 2))

    static func trainer(model: Sequential? = nil, optimizer: Optimizer? = nil) throws -> Trainer {
        try Trainer(model: model ?? Sequential(spec: spec, seed: 1), optimizer: optimizer ?? Optimizer(.sgd(learningRate: 0.1)),
                    train: data, validation: data, config: FitConfig(epochs: 8, batchSize: 3, seed: 3, callbacks: callbacks))
    }

    struct Log: Equatable { var epoch: Int; var decision: TrainingCallbacks.Decision; var lr: Float }

    static func run(_ t: Trainer, until stop: (Trainer) -> Bool = { _ in false }) throws -> [Log] {
        var log: [Log] = []
        while !t.isFinished && !stop(t) {
            let o = try t.runBatch()
            if let d = o.callbacks { log.append(Log(epoch: t.epochsCompleted, decision: d, lr: t.optimizer.spec.learningRate)) }
        }
        return log
    }

    @Test func trainerStopsLowersAndRestoresBest() throws {
        let t = try Self.trainer()
        var weightsAfterFirstEpoch: [Tensor] = []
        var log: [Log] = []
        while !t.isFinished {
            let o = try t.runBatch()
            if let d = o.callbacks { log.append(Log(epoch: t.epochsCompleted, decision: d, lr: t.optimizer.spec.learningRate)) }
            if o.epochEnd?.epoch == 1 { weightsAfterFirstEpoch = t.model.parameters.map(\.value) }
        }
        #expect(t.earlyStopped && t.epochsCompleted == 5)
        #expect(log.map(\.decision.stop) == [false, false, false, false, true])
        #expect(log.map(\.decision.newBest) == [true, false, false, false, false])
        #expect(log.map(\.lr) == [0.1, 0.05, 0.05, 0.025, 0.025])
        #expect(t.model.parameters.map(\.value) != weightsAfterFirstEpoch)
        #expect(t.restoreBestWeights() == 1)
        #expect(t.model.parameters.map(\.value) == weightsAfterFirstEpoch)
        #expect(t.snapshot().callbacks?.earlyStopping.stoppedEpoch == 4)
    }

    @Test func trainerKeepsTheBestCheckpoint() throws {
        let t = try Trainer(model: Sequential(spec: Self.spec, seed: 1), optimizer: Optimizer(.sgd(learningRate: 0.1)), train: Self.data,
                            validation: Self.data,
                            config: FitConfig(epochs: 4, batchSize: 3, seed: 3, callbacks: TrainingCallbacks(bestCheckpoint: BestCheckpoint(monitor: .loss, mode: .max))))
        var weights: [[Tensor]] = []
        while !t.isFinished {
            if try t.runBatch().epochEnd != nil { weights.append(t.model.parameters.map(\.value)) }
        }
        let losses = t.history.map(\.loss)
        let best = losses.indices.max { losses[$0] < losses[$1] }! + 1
        #expect(t.snapshot().callbacks?.bestCheckpoint.epoch == best)
        #expect(t.useBestCheckpoint() == best)
        #expect(t.model.parameters.map(\.value) == weights[best - 1])
    }

    @Test func resumingMidPlateauDecidesTheSame() throws {
        let whole = try Self.trainer()
        let expected = try Self.run(whole)
        // Stop in the middle of epoch 3 (just after a lowering, inside the cooldown), through a
        // JSON round trip of the cursor, as a session checkpoint does.
        let first = try Self.trainer()
        var log = try Self.run(first) { $0.epochsCompleted == 2 && $0.batchInEpoch == 1 }
        let saved = try JSONDecoder().decode(TrainerState.self, from: try JSONEncoder().encode(first.snapshot()))
        #expect(saved.callbacks?.reduceLROnPlateau.cooldownCounter == 2 && saved.callbacks?.earlyStopping.wait == 1)
        let model = try Sequential(spec: Self.spec, seed: 1)
        for (p, q) in zip(model.parameters, first.model.parameters) { p.value = q.value }
        let optimizer = Optimizer(first.optimizer.spec)
        try optimizer.restore(iterations: first.optimizer.iterations, slots: first.optimizer.slots, params: model.parameters)
        let second = try Self.trainer(model: model, optimizer: optimizer)
        try second.restore(saved)
        log += try Self.run(second)
        #expect(log == expected)
        #expect(second.model.parameters.map(\.value) == whole.model.parameters.map(\.value))
    }

    @Test func oldStatesAndConfigsDecode() throws {
        let fit = try JSONDecoder().decode(FitConfig.self, from: Data(#"{"epochs":3,"batchSize":8,"shuffle":true,"seed":1}"#.utf8))
        #expect(fit.callbacks == nil)
        var state = try Self.trainer().snapshot()
        state.callbacks = nil
        let json = try JSONEncoder().encode(state)
        #expect(!String(decoding: json, as: UTF8.self).contains("callbacks"))
        #expect(try JSONDecoder().decode(TrainerState.self, from: json).callbacks == nil)
    }

    @Test func plateauNeedsAConstantRateAndValidationNeedsData() throws {
        var opt = OptimizerSpec.adam()
        opt.schedule = .exponentialDecay(initial: 0.01, decaySteps: 10, decayRate: 0.9, staircase: false)
        #expect(throws: EngineError.self) {
            try Trainer(model: Sequential(spec: Self.spec, seed: 1), optimizer: Optimizer(opt), train: Self.data, validation: Self.data,
                        config: FitConfig(callbacks: TrainingCallbacks(reduceLROnPlateau: ReduceLROnPlateau())))
        }
        #expect(throws: EngineError.self) {
            try Trainer(model: Sequential(spec: Self.spec, seed: 1), optimizer: Optimizer(.adam()), train: Self.data,
                        config: FitConfig(callbacks: TrainingCallbacks(earlyStopping: EarlyStopping(monitor: .valLoss))))
        }
    }
}
