import Engine
import Foundation
import Testing
@testable import Sessions

/// Start, pause, resume, step, stop, cancel, queueing, NaN, model and settings changes.
@Suite struct EngineControlTests {
    static func fixture(_ count: Int = 80) throws -> TempDir {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: count)
        return tmp
    }

    @Test func stepStopAndCancel() async throws {
        let tmp = try Self.fixture()
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            let log = EventLog(m.events())
            // 64 training examples in batches of 8: 8 batches per epoch, so no epoch ends here.
            try await m.create("s", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 5, batchSize: 8, autosaveEvery: 1000))
            try await m.open("s").step()
            try await m.open("s").step()
            var info = try await m.info("s")
            #expect(info.status == .paused && info.step == 2)
            #expect(info.record.engineRun.cursor.step == 0, "no checkpoint yet")
            #expect(log.events.filter { if case .batch(session: "s", _, _) = $0 { return true }; return false }.count == 2)

            // Stop keeps the weights so far: a checkpoint at step 2.
            try await m.open("s").stop()
            info = try await m.info("s")
            #expect(info.status == .idle && info.record.engineRun.cursor.step == 2)
            let atStop = try await m.open("s", readOnly: true).predict(texts: ["great", "awful"]).map(\.probabilities)
            let weightsAtStop = try tensors(tmp.file("S/s/weights.safetensors"))

            // Three more steps, then cancel: back to the checkpoint, history included.
            for _ in 0..<3 { try await m.open("s").step() }
            #expect(try await m.info("s").step == 5)
            #expect(try await m.open("s", readOnly: true).predict(texts: ["great", "awful"]).map(\.probabilities) != atStop)
            try await m.open("s").cancel()
            info = try await m.info("s")
            #expect(info.status == .idle && info.step == 2)
            #expect(try await m.open("s", readOnly: true).predict(texts: ["great", "awful"]).map(\.probabilities) == atStop)
            #expect(try tensors(tmp.file("S/s/weights.safetensors")) == weightsAtStop)
            #expect(try await m.open("s", readOnly: true).history().map(\.step) == [1, 2])
            // And training carries on from there.
            try await m.open("s").step()
            #expect(try await m.open("s", readOnly: true).history().map(\.step) == [1, 2, 3])
        }
    }

    @Test func pauseTakesEffectAtABatchBoundaryAndResumeCarriesOn() async throws {
        let tmp = try Self.fixture()
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            let log = EventLog(m.events())
            try await m.create("long", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 100_000, layers: Synthetic.pooled, autosaveEvery: 100_000))
            try await m.open("long").train()
            #expect(try await m.info("long").status == .training)
            #expect(await log.wait { if case .batch(session: "long", _, _) = $0 { return true }; return false })
            try await m.open("long").pause()
            let paused = try await m.info("long")
            #expect(paused.status == .paused)
            // The worker goes round its loop (answering this) without training.
            _ = try await m.open("long", readOnly: true).predict(texts: ["great"])
            #expect(try await m.info("long").step == paused.step)
            try await m.open("long").resume()
            #expect(try await m.info("long").status == .training)
            #expect(await log.wait { if case let .batch(session: "long", _, p) = $0 { return p.step > paused.step + 3 }; return false })
            try await m.open("long").stop()
            let stopped = try await m.info("long")
            #expect(stopped.status == .idle)
            #expect(stopped.record.engineRun.cursor.step == stopped.step && stopped.step > paused.step)
            #expect(log.events.contains { if case .checkpoint(session: "long", _) = $0 { return true }; return false })
        }
    }

    @Test func oneJobAtATimeOthersQueue() async throws {
        let tmp = try Self.fixture()
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            let log = EventLog(m.events())
            for name in ["a", "b"] {
                try await m.create(name, setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 100_000, layers: Synthetic.pooled, autosaveEvery: 100_000))
            }
            try await m.open("a").train()
            try await m.open("b").train()
            #expect(try await m.info("a").status == .training)
            #expect(try await m.info("b").status == .queued)
            try await m.open("a").pause()
            #expect(try await m.info("b").status == .training)
            #expect(await log.wait { if case .batch(session: "b", _, _) = $0 { return true }; return false })
            // Resuming a queues behind b.
            try await m.open("a").resume()
            #expect(try await m.info("a").status == .queued)
            try await m.open("b").stop()
            #expect(try await m.info("a").status == .training)
            try await m.open("a").stop()
            #expect(try await m.info("a").status == .idle)
            #expect(try await m.info("b").status == .idle)
        }
    }

    @Test func nonFiniteLossPausesWithAWarning() async throws {
        let tmp = try Self.fixture()
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            let log = EventLog(m.events())
            try await m.create("nan", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 50, layers: Synthetic.pooled,
                                                           optimizer: .sgd(learningRate: 1e35)))
            try await m.open("nan").train()
            #expect(try await m.open("nan", readOnly: true).waitUntilSettled() == .paused)
            #expect(await log.wait { if case let .warning(session: "nan", message) = $0 { return message.contains("NaN") && message.contains("paused") }; return false })
            // The weights written stay loadable; lowering the learning rate is allowed while paused.
            try await m.open("nan").updateTraining(optimizer: .sgd(learningRate: 0.01))
            #expect(try await m.info("nan").record.engineRun.optimizer.learningRate == 0.01)
            try await m.open("nan").stop()
        }
    }

    /// Changing the model changes the plan only; the run begins when training begins (so
    /// edits never pile up untrained runs), and the first run's record stays as it was.
    @Test func changingTheModelChangesThePlanAndTrainingBeginsTheRun() async throws {
        let tmp = try Self.fixture()
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            let log = EventLog(m.events())
            try await m.create("s", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1))
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
            let firstRun = try await m.info("s").record.runs[0]

            let gru: [LayerSpec] = [.embedding(dim: 6), .gru(units: 5), .dense(units: 1, activation: .sigmoid)]
            for _ in 0..<5 { try await m.open("s").changeModel(layers: Synthetic.pooled); try await m.open("s").changeModel(layers: gru) }
            var info = try await m.info("s")
            #expect(info.record.runs == [firstRun], "edits begin no run")
            #expect(info.record.plan.neuralSettings?.model.layers[1] == .gru(units: 5))
            #expect(info.status == .finished && info.epochsCompleted == 1, "the trained run stays current")
            #expect(await log.wait { if case .planChanged(session: "s", _) = $0 { return true }; return false })

            // Training begins run 2 with the plan's model.
            try await m.open("s").step()
            #expect(await log.wait { if case let .runStarted(session: "s", run) = $0 { return run.id == 2 }; return false })
            // The model cannot change while a job is paused (or trains).
            await #expect(throws: SessionError.self) { try await m.open("s").changeModel(layers: Synthetic.pooled) }
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
            info = try await m.info("s")
            #expect(info.record.runs.map(\.id) == [1, 2])
            #expect(info.record.runs[0] == firstRun)
            #expect(info.record.engineRun.model.layers[1] == .gru(units: 5))
            #expect(info.record.runs.map { $0.scores.epochs } == [1, 1])
            let history = try await m.open("s", readOnly: true).history()
            #expect(Set(history.map(\.run)) == [1, 2])
            #expect(history.filter { $0.run == 2 && $0.kind == .step }.first?.step == 1)

            // A head that does not fit the labels is refused, and nothing changes.
            await #expect(throws: SessionError.self) {
                try await m.open("s").changeModel(layers: [.embedding(dim: 4), .globalMaxPooling1D, .dense(units: 3, activation: .softmax)])
            }
            #expect(try await m.info("s").record.runs.count == 2)
            #expect(try await m.info("s").record.plan.neuralSettings?.model.layers[1] == .gru(units: 5))
        }
    }

    @Test func batchSizeChangesOnlyAtAnEpochBoundary() async throws {
        let tmp = try Self.fixture()
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            try await m.create("s", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 3))
            try await m.open("s").step()
            var fit = try await m.info("s").record.engineRun.fit
            fit.batchSize = 5
            do {
                try await m.open("s").updateTraining(fit: fit)
                Issue.record("changed the batch size mid-epoch")
            } catch {
                #expect("\(error)".contains("batch"), "\(error)")
            }
            try await m.open("s").updateTraining(optimizer: .adam(learningRate: 0.002), autosaveEvery: 7)
            let rec = try await m.info("s").record
            #expect(rec.engineRun.optimizer.learningRate == 0.002 && rec.autosaveEvery == 7)
            #expect(rec.engineRun.fit.batchSize == 16)
            await #expect(throws: SessionError.self) { try await m.open("s").updateTraining(autosaveEvery: 0) }
        }
    }
}
