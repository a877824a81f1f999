import Foundation
import Testing
@testable import Engine

/// Throughput and the epoch's seconds count time spent training batches only: a pause, or
/// the wait between single steps, is not training (the workbench showed 300 samples/s and a
/// growing ETA after a pause while the real rate was ~1,150/s).
@Suite struct TrainerThroughputTests {
    /// A clock the test moves by hand: each reading inside a batch advances it by `perRead`.
    final class ManualClock: @unchecked Sendable {
        var now = 100.0
        var perRead = 0.0
        func read() -> Double { now += perRead; return now }
    }

    static func trainer() throws -> Trainer {
        let spec = ModelSpec(inputLength: 3, vocabularySize: 8,
                             layers: [.embedding(dim: 3, maskZero: false), .globalAveragePooling1D, .dense(units: 1, activation: .sigmoid, useBias: true)])
        let x = Tensor(shape: [8, 3], scalars: (0..<24).map { Float($0 % 7 + 1) })
        let y = Tensor(shape: [8], scalars: [0, 1, 0, 1, 0, 1, 0, 1])
        return try Trainer(model: try Sequential(spec: spec, seed: 1), optimizer: Optimizer(.adam()), train: try Dataset(x: x, y: y),
                           config: FitConfig(epochs: 2, batchSize: 2, seed: 3))
    }

    @Test func pausesBetweenBatchesAreNotTrainingTime() throws {
        let t = try Self.trainer()
        let clock = ManualClock()
        t.clock = clock.read
        clock.perRead = 0.5   // two readings per batch: one second of training each
        let first = try t.runBatch().progress
        #expect(first.epochElapsed == 0.5 && first.samplesPerSecond == 4)
        clock.perRead = 0
        clock.now += 600      // paused for ten minutes
        clock.perRead = 0.5
        let second = try t.runBatch().progress
        #expect(second.epochElapsed == 1.0, "the pause is left out: \(second.epochElapsed)")
        #expect(second.samplesPerSecond == 4)
        // A snapshot carries the training seconds over to a resumed trainer.
        let s = t.snapshot()
        #expect(s.epochElapsed == 1.0)
        let resumed = try Self.trainer()
        try resumed.restore(s)
        resumed.clock = clock.read
        clock.now += 3_600
        let third = try resumed.runBatch().progress
        #expect(third.epochElapsed == 1.5 && third.samplesPerSecond == 4)
    }
}
