import Foundation
import Testing
@testable import Sessions

/// `train --early-stopping / --reduce-lr-on-plateau` through the built binary.
@Suite struct CallbackCLITests {
    @Test func badCallbackFlagsAreUsageErrorsNamingTheField() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        for (args, message) in [
            (["--early-stopping", "patience=x"], "--early-stopping patience: must be a whole number, got 'x'"),
            (["--early-stopping", "monitor=f1"], "--early-stopping monitor: unknown quantity 'f1'"),
            (["--reduce-lr-on-plateau", "factor=1.5"], "--reduce-lr-on-plateau factor: must be in (0, 1)"),
            (["--reduce-lr-on-plateau", "min_lr=-1"], "--reduce-lr-on-plateau min_lr: must be a finite number ≥ 0"),
            (["--reduce-lr-on-plateau", "patience=1", "--lr-schedule", "exponential:decay_steps=5:decay_rate=0.9"],
             "--reduce-lr-on-plateau lowers a constant learning rate"),
        ] {
            let r = try await runWorkbench(["train", "--data", "data.tsv", "--epochs", "1", "--max-length", "8"] + args, in: tmp.url)
            #expect(r.status == 64, "\(args): \(r.err)")
            #expect(r.err.contains(message), "\(args): \(r.err)")
        }
    }

    /// min_delta=100 on the loss: no epoch after the first improves, so patience 1 stops after
    /// epoch 2 of 6 and the weights of epoch 1 come back; the plateau halves the rate after epoch 2.
    @Test func plainTrainStopsEarlyAndRestoresTheBestEpoch() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        try Data(CrashSafetyTests.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        let r = try await runWorkbench(["train", "--data", "data.tsv", "--model", "tiny.json", "--epochs", "6", "--max-length", "8",
                                        "--early-stopping", "monitor=loss,patience=1,min_delta=100,restore_best",
                                        "--reduce-lr-on-plateau", "monitor=val_loss,factor=0.5,patience=1,min_delta=100"], in: tmp.url)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("callbacks: EarlyStopping(loss, patience 1, min_delta 100.0, restore best), ReduceLROnPlateau(val_loss, ×0.5 after 1, min_delta 100.0)"), "\(r.out)")
        #expect(r.out.contains("Epoch 2: early stopping"), "\(r.out)")
        #expect(r.out.contains("Restoring model weights from the end of the best epoch: 1."), "\(r.out)")
        #expect(r.out.contains("learning rate lowered to 0.0005"), "\(r.out)")
    }
}

extension CallbackCLITests {
    /// `train --checkpoint best --save`: the saved model is the best epoch's (by val_loss).
    @Test func plainTrainSavesTheBestCheckpoint() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        try Data(CrashSafetyTests.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        let r = try await runWorkbench(["train", "--data", "data.tsv", "--model", "tiny.json", "--epochs", "3", "--max-length", "8",
                                        "--checkpoint", "best", "--save", "m"], in: tmp.url)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("best checkpoint: epoch "), "\(r.out)")
        #expect(FileManager.default.fileExists(atPath: tmp.file("m").appendingPathComponent(ModelDirectory.weightsFile).path))
        let bad = try await runWorkbench(["train", "--data", "data.tsv", "--epochs", "1", "--checkpoint", "first"], in: tmp.url)
        #expect(bad.status == 64 && bad.err.contains("--checkpoint: 'first' is not best or last"), "\(bad.err)")
    }
}
