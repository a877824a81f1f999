import Engine
import Foundation
import Testing
@testable import Sessions

/// EarlyStopping and ReduceLROnPlateau in a session: the worker stops the run, lowers the rate
/// (recorded as a SettingsChange) and restores the best epoch's weights; a run stopped in the
/// middle of a plateau and resumed in a new process decides and ends exactly as one that ran
/// in one go.
@Suite struct CallbackResumeTests {
    /// A min_delta no epoch can beat: every epoch after the first is a non-improvement, so the
    /// decisions are known whatever the losses. RL (patience 1, cooldown 2) lowers at e1 and
    /// e3; ES (patience 3) stops at e3, restoring e0's weights.
    static let callbacks = TrainingCallbacks(
        earlyStopping: EarlyStopping(monitor: .loss, minDelta: 100, patience: 3, restoreBestWeights: true),
        reduceLROnPlateau: ReduceLROnPlateau(monitor: .valLoss, factor: 0.5, patience: 1, minDelta: 100, cooldown: 2))

    static func setup(_ data: URL) -> SessionSetup {
        var s = Synthetic.setup(data: data, epochs: 8, layers: Synthetic.pooled, autosaveEvery: 1000)
        s.fit.callbacks = callbacks
        return s
    }

    @Test func stoppedMidPlateauResumesToTheSameDecisions() async throws {
        let tmp = try TempDir()
        let data = tmp.file("data.tsv")
        try Synthetic.write(to: data, count: 120)   // 96 training examples: 6 batches of 16 an epoch
        let oneGo = SessionStore(root: tmp.file("A"))
        try await withManager(oneGo) { m in
            try await m.create("s", setup: Self.setup(data))
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
        }
        let split = SessionStore(root: tmp.file("B"))
        try await withManager(split) { m in
            try await m.create("s", setup: Self.setup(data))
            // Epoch 1 ends (the first lowering, cooldown 2), then 2 batches into epoch 3.
            for _ in 0..<14 { try await m.open("s").step() }
            try await m.open("s").stop()
            let run = try await m.info("s").record.engineRun
            #expect(run.cursor.step == 14)
            #expect(run.cursor.callbacks?.reduceLROnPlateau.cooldownCounter == 2)
            #expect(run.optimizer.learningRate == 0.005)
        }
        try await withManager(split) { m in
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
        }
        let a = oneGo.root.appendingPathComponent("s"), b = split.root.appendingPathComponent("s")
        try expectSameTraining(a, b)
        for dir in [a, b] {
            let record = try SessionStore.readRecord(dir: dir, name: "s")
            let run = record.engineRun
            #expect(run.cursor.epochsCompleted == 4 && run.stoppedEarly && run.isComplete)
            #expect(run.cursor.callbacks?.earlyStopping.stoppedEpoch == 3 && run.cursor.callbacks?.earlyStopping.bestEpoch == 0)
            #expect(run.changes.map(\.optimizer.learningRate) == [0.005, 0.0025])
            #expect(run.changes.map(\.step) == [12, 24])
            #expect(run.optimizer.learningRate == 0.0025)
            // The model ends with the best epoch's weights (Keras's restore_best_weights).
            let best = try tensors(RunFiles.earlyStoppingBestURL(in: dir, run: record.engineRunID))
            let final = try tensors(dir.appendingPathComponent(SessionStore.weightsFile))
            #expect(!best.isEmpty && best == final)
        }
    }

    /// A record written before callbacks existed decodes with none and no callback state.
    @Test func olderRecordsDecodeWithoutCallbacks() throws {
        let fit = try SessionJSON.decoder.decode(FitConfig.self, from: Data(#"{"epochs": 3, "batchSize": 16, "shuffle": true, "seed": 7}"#.utf8))
        #expect(fit.callbacks == nil)
        var withCallbacks = fit
        withCallbacks.callbacks = Self.callbacks
        #expect(try SessionJSON.decoder.decode(FitConfig.self, from: try SessionJSON.encoder.encode(withCallbacks)) == withCallbacks)
    }
}

/// `--checkpoint best` in a session: the best epoch's weights are kept in runs/ as it trains,
/// the run record says which epoch, and export uses them rather than the last epoch's.
@Suite struct BestCheckpointSessionTests {
    @Test func exportUsesTheBestEpoch() async throws {
        let tmp = try TempDir()
        let data = tmp.file("data.tsv")
        try Synthetic.write(to: data, count: 120)
        // The highest training loss: with the loss falling, an early epoch, not the last.
        var setup = Synthetic.setup(data: data, epochs: 4, layers: Synthetic.pooled, autosaveEvery: 1000)
        setup.fit.callbacks = TrainingCallbacks(bestCheckpoint: BestCheckpoint(monitor: .loss, mode: .max))
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            try await m.create("s", setup: setup)
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
            let record = try await m.info("s").record
            let run = record.engineRun
            let losses = run.cursor.history.map(\.loss)
            let best = try #require(losses.indices.max { losses[$0] < losses[$1] }) + 1
            #expect(run.bestCheckpointEpoch == best)
            #expect(best < run.cursor.history.count)
            try await m.open("s").export(to: tmp.file("exported"))
            let dir = store.root.appendingPathComponent("s")
            let exported = try tensors(tmp.file("exported").appendingPathComponent(ModelDirectory.weightsFile))
            let kept = try tensors(RunFiles.bestWeightsURL(in: dir, run: record.engineRunID))
            let last = try tensors(dir.appendingPathComponent(SessionStore.weightsFile))
            #expect(!exported.isEmpty && exported == kept && exported != last)
        }
    }
}
