import Engine
import Foundation
import Testing
@testable import Sessions

/// A learning-rate schedule and SGD momentum survive a stop and a new process: the session
/// records the schedule, the optimiser's step count and velocity are restored, and the run
/// ends bit for bit where the uninterrupted one does.
@Suite struct ScheduleResumeTests {
    /// Warmup over 3 steps, then a cosine over 6: a 2-epoch run (12 steps) crosses the warmup,
    /// the decay and the floor, so a resume at the wrong step or with a constant rate shows.
    static var optimizer: OptimizerSpec {
        var o = OptimizerSpec.sgd(learningRate: 0.01, momentum: 0.9, nesterov: true)
        o.schedule = .cosineDecay(initial: 0.01, decaySteps: 6, alpha: 0.1, warmupTarget: 0.5, warmupSteps: 3)
        return o
    }

    @Test func scheduledSGDStoppedMidEpochResumesExactly() async throws {
        let tmp = try TempDir()
        let data = tmp.file("data.tsv")
        try Synthetic.write(to: data, count: 120)
        let setup = Synthetic.setup(data: data, epochs: 2, layers: Synthetic.pooled, autosaveEvery: 1000, optimizer: Self.optimizer)
        let oneGo = SessionStore(root: tmp.file("A"))
        try await withManager(oneGo) { m in
            try await m.create("s", setup: setup)
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
        }
        let split = SessionStore(root: tmp.file("B"))
        try await withManager(split) { m in
            try await m.create("s", setup: setup)
            for _ in 0..<4 { try await m.open("s").step() }
            try await m.open("s").stop()
            #expect(try await m.info("s").record.engineRun.cursor.step == 4)
        }
        try await withManager(split) { m in
            let info = try await m.open("s").info
            #expect(info.step == 4)
            #expect(info.record.engineRun.optimizer == Self.optimizer)
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
        }
        try expectSameTraining(oneGo.root.appendingPathComponent("s"), split.root.appendingPathComponent("s"))
        // The schedule took effect: the same run at the schedule's first rate, held constant, ends elsewhere.
        var constant = Self.optimizer
        constant.learningRate = Self.optimizer.learningRate
        let flat = SessionStore(root: tmp.file("C"))
        try await withManager(flat) { m in
            try await m.create("s", setup: Synthetic.setup(data: data, epochs: 2, layers: Synthetic.pooled, autosaveEvery: 1000, optimizer: constant))
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
        }
        let weightsA = try tensors(oneGo.root.appendingPathComponent("s").appendingPathComponent(SessionStore.weightsFile))
        let weightsC = try tensors(flat.root.appendingPathComponent("s").appendingPathComponent(SessionStore.weightsFile))
        #expect(!weightsA.isEmpty && weightsA != weightsC)
        // The velocity is part of the saved state.
        let state = try tensors(split.root.appendingPathComponent("s").appendingPathComponent(SessionStore.optimizerFile))
        #expect(state.keys.contains { $0.hasPrefix("momentum/") })
    }

    /// session.json written before schedules existed (no learningRateSchedule key) still loads,
    /// as a constant rate; a schedule round-trips through the session's JSON.
    @Test func optimizerSpecDecodesOldFilesAndRoundTripsSchedules() throws {
        let old = #"{"kind": "sgd", "learningRate": 0.05, "momentum": 0.9, "nesterov": true}"#
        let spec = try SessionJSON.decoder.decode(OptimizerSpec.self, from: Data(old.utf8))
        #expect(spec.schedule == .constant(0.05))
        #expect(spec.momentum == 0.9 && spec.nesterov)
        for schedule: LearningRateSchedule in [
            .exponentialDecay(initial: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true),
            .piecewiseConstant(boundaries: [3, 7], values: [0.1, 0.01, 0.001]),
            .cosineDecay(initial: 0.1, decaySteps: 100, alpha: 0, warmupTarget: nil, warmupSteps: 0),
            Self.optimizer.schedule,
        ] {
            var s = OptimizerSpec.adam()
            s.schedule = schedule
            let back = try SessionJSON.decoder.decode(OptimizerSpec.self, from: try SessionJSON.encoder.encode(s))
            #expect(back == s)
        }
        // A schedule hand-edited out of range is refused, naming the field.
        var bad = OptimizerSpec.adam()
        bad.schedule = .piecewiseConstant(boundaries: [5, 3], values: [0.1, 0.01, 0.001])
        #expect(throws: EngineError.invalidSpec(field: "optimizer.learningRate.boundaries", reason: "must increase strictly")) { try bad.validate() }
    }
}
