import Foundation
import Testing
@testable import Sessions

/// `train --lr-schedule / --momentum / --nesterov` through the built binary.
@Suite struct ScheduleCLITests {
    @Test func badScheduleFlagsAreUsageErrorsNamingTheField() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        func wb(_ args: [String]) async throws -> ChildResult {
            try await runWorkbench(["train", "--data", "data.tsv", "--epochs", "1", "--max-length", "8"] + args, in: tmp.url)
        }
        for (args, message) in [
            (["--lr-schedule", "exponential:decay_steps=0:decay_rate=0.9"], "--lr-schedule decay_steps: must be in 1…"),
            (["--lr-schedule", "cosine:decay_steps=10:warmup_steps=5"], "--lr-schedule warmup_target: is required with warmup_steps"),
            (["--lr-schedule", "step:x=1"], "--lr-schedule: unknown schedule 'step'"),
            (["--optimizer", "sgd", "--nesterov"], "--nesterov needs --optimizer sgd with --momentum > 0"),
            (["--optimizer", "adam", "--momentum", "0.9"], "--momentum applies to sgd and rmsprop, not adam"),
            (["--optimizer", "sgd", "--momentum", "1.5"], "--momentum must be in [0, 1), got 1.5"),
        ] {
            let r = try await wb(args)
            #expect(r.status == 64, "\(args): \(r.err)")
            #expect(r.err.contains(message), "\(args): \(r.err)")
        }
    }

    @Test func sessionRecordsTheScheduleAndMomentum() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        try Data(CrashSafetyTests.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        let r = try await runWorkbench(["train", "--data", "data.tsv", "--model", "tiny.json", "--epochs", "1", "--max-length", "8",
                                        "--optimizer", "sgd", "--learning-rate", "0.1", "--momentum", "0.9", "--nesterov",
                                        "--lr-schedule", "piecewise:boundaries=2:values=0.1,0.01", "--session", "s",
                                        "--sessions-dir", "S"], in: tmp.url)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("SGD(lr=0.1, momentum=0.9, nesterov, schedule: piecewise"), "\(r.out)")
        let record = try SessionStore.readRecord(dir: tmp.file("S/s"), name: "s")
        #expect(record.engineRun.optimizer.schedule == .piecewiseConstant(boundaries: [2], values: [0.1, 0.01]))
        #expect(record.engineRun.optimizer.momentum == 0.9 && record.engineRun.optimizer.nesterov)
    }
}
