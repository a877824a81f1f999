import Engine
import Foundation
import Testing
@testable import Sessions

/// Exact resume: a run interrupted and continued by a new manager reaches bit-for-bit the
/// weights, optimiser state and history of the run done in one go.
@Suite struct ExactResumeTests {
    @Test func twoEpochsEqualOneEpochSavedThenOneMoreInANewManager() async throws {
        let tmp = try TempDir()
        let data = tmp.file("data.tsv")
        try Synthetic.write(to: data, count: 120)

        let oneGo = SessionStore(root: tmp.file("A"))
        try await withManager(oneGo) { m in
            try await m.create("s", setup: Synthetic.setup(data: data, epochs: 2))
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
        }

        let split = SessionStore(root: tmp.file("B"))
        try await withManager(split) { m in
            try await m.create("s", setup: Synthetic.setup(data: data, epochs: 1))
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
        }
        try await withManager(split) { m in
            let info = try await m.open("s").info
            #expect(info.epochsCompleted == 1 && info.batchInEpoch == 0)
            #expect(info.status == .finished)
            try await m.open("s").train(additionalEpochs: 1)
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
            #expect(try await m.info("s").epochsCompleted == 2)
        }
        try expectSameTraining(oneGo.root.appendingPathComponent("s"), split.root.appendingPathComponent("s"))
        let history = try split.history("s").records
        #expect(history.filter { $0.kind == .epoch }.map(\.epoch) == [1, 2])
        #expect(history.filter { $0.kind == .step }.map(\.step) == Array(1...history.filter { $0.kind == .step }.count))
    }

    /// Stopped in the middle of an epoch (mid-permutation, running sums, dropout state), the
    /// process ends, a new manager carries on.
    @Test func stoppedMidEpochResumesExactly() async throws {
        let tmp = try TempDir()
        let data = tmp.file("data.tsv")
        try Synthetic.write(to: data, count: 120)
        let oneGo = SessionStore(root: tmp.file("A"))
        try await withManager(oneGo) { m in
            try await m.create("s", setup: Synthetic.setup(data: data, epochs: 2, autosaveEvery: 1000))
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
        }
        let split = SessionStore(root: tmp.file("B"))
        try await withManager(split) { m in
            try await m.create("s", setup: Synthetic.setup(data: data, epochs: 2, autosaveEvery: 1000))
            for _ in 0..<3 { try await m.open("s").step() }
            #expect(try await m.info("s").status == .paused)
            try await m.open("s").stop()
            let info = try await m.info("s")
            #expect(info.status == .idle)
            #expect(info.record.engineRun.cursor.step == 3 && info.record.engineRun.cursor.batchInEpoch == 3)
        }
        try await withManager(split) { m in
            let info = try await m.open("s").info
            #expect(info.step == 3 && info.batchInEpoch == 3 && info.epochsCompleted == 0)
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
        }
        try expectSameTraining(oneGo.root.appendingPathComponent("s"), split.root.appendingPathComponent("s"))
    }

    /// The engine-level snapshot: a trainer restored from a JSON round trip of its state
    /// carries on exactly like the original.
    @Test func trainerStateRoundTripsThroughJSON() throws {
        func make() throws -> Trainer {
            let spec = ModelSpec(inputLength: 5, vocabularySize: 20, layers: [.embedding(dim: 4), .dropout(rate: 0.3), .gru(units: 3), .dense(units: 1, activation: .sigmoid)])
            var g = SeededGenerator(seed: 3)
            let x = Tensor(shape: [30, 5], scalars: (0..<150).map { _ in Float(g.next() % 20) })
            let y = Tensor(shape: [30], scalars: (0..<30).map { Float($0 % 2) })
            return try Trainer(model: try Sequential(spec: spec, seed: 1), optimizer: Optimizer(.adam(learningRate: 0.01)),
                               train: try Dataset(x: x, y: y), config: FitConfig(epochs: 3, batchSize: 7))
        }
        let a = try make()
        for _ in 0..<6 { try a.runBatch() }   // into the second epoch (5 batches per epoch)
        let json = try SessionJSON.encoder.encode(a.snapshot())
        let state = try SessionJSON.decoder.decode(TrainerState.self, from: json)
        #expect(state.batchInEpoch == 1 && state.epochsCompleted == 1)
        let b = try make()
        for (p, q) in zip(b.model.parameters, a.model.parameters) { p.value = q.value }
        try b.optimizer.restore(iterations: a.optimizer.iterations, slots: a.optimizer.slots, params: b.model.parameters)
        try b.restore(state)
        try a.fit()
        try b.fit()
        #expect(a.model.parameters.map(\.value) == b.model.parameters.map(\.value))
        #expect(a.history.map(withoutTiming) == b.history.map(withoutTiming))
        // A state for other data is refused, naming the field.
        let other = try Trainer(model: try Sequential(spec: a.model.spec, seed: 1), optimizer: Optimizer(.adam()),
                                train: try Dataset(x: Tensor(shape: [4, 5]), y: Tensor(shape: [4])), config: FitConfig())
        #expect(throws: EngineError.self) { try other.restore(state) }
    }
}
