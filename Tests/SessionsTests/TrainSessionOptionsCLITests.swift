import Engine
import Foundation
import Testing
@testable import Sessions

/// `train --session NAME` honours the training options the plain `train` honours, or refuses
/// them naming the option; and both build the classifier through one pipeline.
@Suite struct TrainSessionOptionsCLITests {
    static let small = ["--epochs", "1", "--batch-size", "8", "--max-length", "8", "--vocab-size", "50"]

    /// A new session records `--keras-adam` in its optimiser, as the plain path uses it.
    @Test func kerasAdamIsRecordedInANewSession() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        try Data(CrashSafetyTests.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        let r = try await runWorkbench(["train", "--session", "k", "--sessions-dir", "S", "--data", "data.tsv", "--model", "tiny.json",
                                        "--keras-adam"] + Self.small, in: tmp.url)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        let record = try SessionStore.readRecord(dir: tmp.file("S/k"), name: "k")
        #expect(record.engineRun.optimizer.kerasSparseEmbeddingMoments)
    }

    /// `--model gru` on an LSTM session starts a GRU run and trains it; the LSTM run is kept.
    @Test func modelOnAnExistingSessionTrainsANewRun() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        func wb(_ args: [String]) async throws -> ChildResult { try await runWorkbench(args, in: tmp.url) }
        var r = try await wb(["train", "--session", "m", "--sessions-dir", "S", "--data", "data.tsv", "--model", "seed"] + Self.small)
        try #require(r.status == 0, "\(r.out)\(r.err)")
        r = try await wb(["train", "--session", "m", "--sessions-dir", "S", "--model", "gru", "--epochs", "1"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("run 2 trains gru"), "\(r.out)")
        let record = try SessionStore(root: tmp.file("S")).record("m")
        #expect(record.runs.count == 2)
        #expect(record.runs[0].neural?.model.layers.contains(.lstm(units: 10)) == true)
        #expect(record.engineRun.model.layers == ModelPreset.gru.layers(classes: 2))
        #expect(record.engineRun.cursor.epochsCompleted == 1)
        // The same model again is no change: it continues the GRU run.
        r = try await wb(["train", "--session", "m", "--sessions-dir", "S", "--model", "gru", "--epochs", "1"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        let again = try SessionStore(root: tmp.file("S")).record("m")
        #expect(again.runs.count == 2 && again.engineRun.cursor.epochsCompleted == 2)
    }

    /// Continuing, `--optimizer`, `--learning-rate`, `--lr-schedule`, `--momentum`,
    /// `--nesterov`, `--class-weight` and `--batch-size` are recorded in the run they apply to.
    @Test func trainingOptionsApplyWhenContinuing() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        try Data(CrashSafetyTests.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        func wb(_ args: [String]) async throws -> ChildResult { try await runWorkbench(args, in: tmp.url) }
        var r = try await wb(["train", "--session", "o", "--sessions-dir", "S", "--data", "data.tsv", "--model", "tiny.json"] + Self.small)
        try #require(r.status == 0, "\(r.out)\(r.err)")
        r = try await wb(["train", "--session", "o", "--sessions-dir", "S", "--epochs", "1", "--optimizer", "sgd", "--learning-rate", "0.1",
                          "--momentum", "0.9", "--nesterov", "--lr-schedule", "exponential:decay_steps=10:decay_rate=0.5",
                          "--class-weight", "pos=2", "--batch-size", "4"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("changed for run 1: --batch-size, --learning-rate, --optimizer, --lr-schedule, --momentum, --nesterov, --class-weight"), "\(r.out)")
        var run = try SessionStore(root: tmp.file("S")).record("o").engineRun
        #expect(run.optimizer.kind == .sgd && run.optimizer.momentum == 0.9 && run.optimizer.nesterov)
        #expect(run.optimizer.schedule == .exponentialDecay(initial: 0.1, decaySteps: 10, decayRate: 0.5, staircase: false))
        #expect(run.fit.classWeights == [1, 2] && run.fit.batchSize == 4)
        #expect(run.cursor.epochsCompleted == 2)

        // Over the run's settings: --momentum alone keeps sgd and the schedule.
        r = try await wb(["train", "--session", "o", "--sessions-dir", "S", "--epochs", "1", "--momentum", "0.5", "--no-nesterov"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        run = try SessionStore(root: tmp.file("S")).record("o").engineRun
        #expect(run.optimizer.kind == .sgd && run.optimizer.momentum == 0.5 && !run.optimizer.nesterov)
        #expect(run.optimizer.schedule == .exponentialDecay(initial: 0.1, decaySteps: 10, decayRate: 0.5, staircase: false))
        #expect(run.fit.classWeights == [1, 2])

        // Back to adam, in its Keras variant.
        r = try await wb(["train", "--session", "o", "--sessions-dir", "S", "--epochs", "1", "--optimizer", "adam", "--keras-adam"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        run = try SessionStore(root: tmp.file("S")).record("o").engineRun
        #expect(run.optimizer.kind == .adam && run.optimizer.kerasSparseEmbeddingMoments && run.optimizer.momentum == 0)
    }

    /// What cannot apply to a session that exists is refused, naming the option, before
    /// anything changes or trains.
    @Test func optionsThatCannotApplyAreRefusedByName() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        try Data(CrashSafetyTests.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        let store = SessionStore(root: tmp.file("S"))
        var r = try await runWorkbench(["train", "--session", "f", "--sessions-dir", "S", "--data", "data.tsv", "--model", "tiny.json"] + Self.small,
                                       in: tmp.url)
        try #require(r.status == 0, "\(r.out)\(r.err)")
        let before = try store.record("f")
        for (args, needle) in [
            (["--max-length", "16"], "--max-length 16: session 'f' was created with --max-length 8"),
            (["--tokenizer", "keras"], "--tokenizer keras: session 'f' was created with --tokenizer script"),
            (["--seed", "7"], "--seed 7: session 'f' was created with --seed 42"),
            (["--split", "0.3"], "--split 0.3: session 'f' was created with --split 0.1"),
            (["--validation", "data.tsv"], "--validation"),
            (["--learning-rate", "0.1", "--vocab-size", "60"], "--vocab-size 60"),
            (["--model", "nb", "--learning-rate", "0.1"], "--learning-rate: applies to neural runs"),
        ] {
            r = try await runWorkbench(["train", "--session", "f", "--sessions-dir", "S", "--epochs", "1"] + args, in: tmp.url)
            #expect(r.status == 1, "\(args): \(r.out)\(r.err)")
            #expect(r.err.contains(needle), "\(args): \(r.err)")
            #expect(!r.out.contains("epoch"), "\(args): nothing trains: \(r.out)")
        }
        // Optimiser mistakes are usage errors (exit 64), checked over the run's settings.
        r = try await runWorkbench(["train", "--session", "f", "--sessions-dir", "S", "--momentum", "0.9"], in: tmp.url)
        #expect(r.status == 64 && r.err.contains("--momentum applies to sgd and rmsprop, not adam"), "\(r.err)")
        // Given again as created, the fixed options are fine.
        r = try await runWorkbench(["train", "--session", "f", "--sessions-dir", "S", "--data", "data.tsv", "--model", "tiny.json"] + Self.small,
                                   in: tmp.url)
        #expect(r.status == 0 && !r.out.contains("changed for run"), "\(r.out)\(r.err)")
        let after = try store.record("f")
        #expect(after.runs.count == 1 && after.engineRun.optimizer == before.engineRun.optimizer)
        #expect(after.engineRun.fit.batchSize == before.engineRun.fit.batchSize)
        #expect(after.engineRun.cursor.epochsCompleted == 2)
    }

    /// A run stopped mid-epoch keeps its batch size until the epoch ends: `--batch-size` is
    /// refused then, naming the option and the batch.
    @Test func batchSizeMidEpochIsRefused() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 80)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            try await m.create("b", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 2, layers: Synthetic.pooled, batchSize: 8))
            try await m.open("b").step()
            #expect(try await m.open("b", readOnly: true).waitUntilSettled() == .paused)
            try await m.open("b").stop()
        }
        let r = try await runWorkbench(["train", "--session", "b", "--sessions-dir", "S", "--batch-size", "4"], in: tmp.url)
        #expect(r.status == 1 && r.err.contains("--batch-size: run 1 is at batch 1 of epoch 1"), "\(r.out)\(r.err)")
        #expect(try store.record("b").engineRun.fit.batchSize == 8)
    }

    /// `train` and `train --session` build the classifier through one pipeline: the same
    /// options and seed give the same tokenizer, labels, model spec and (trained from the same
    /// initial weights with the same optimiser) the same weights.
    @Test func plainAndSessionTrainingBuildTheSameClassifier() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        try Data(CrashSafetyTests.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        let options = ["--data", "data.tsv", "--model", "tiny.json", "--seed", "5", "--keras-adam", "--class-weight", "pos=2"] + Self.small
        var r = try await runWorkbench(["train", "--save", "plain"] + options, in: tmp.url)
        try #require(r.status == 0, "\(r.out)\(r.err)")
        r = try await runWorkbench(["train", "--session", "s", "--sessions-dir", "S"] + options, in: tmp.url)
        try #require(r.status == 0, "\(r.out)\(r.err)")
        r = try await runWorkbench(["sessions", "export", "s", "exported", "--sessions-dir", "S"], in: tmp.url)
        try #require(r.status == 0, "\(r.out)\(r.err)")
        let plain = try ModelDirectory.load(from: tmp.file("plain"))
        let session = try ModelDirectory.load(from: tmp.file("exported"))
        #expect(plain.config.model == session.config.model)
        #expect(plain.config.labels == session.config.labels)
        #expect(plain.config.tokenizer.vocabulary == session.config.tokenizer.vocabulary)
        #expect(plain.model.parameters.map(\.value) == session.model.parameters.map(\.value))
    }
}
