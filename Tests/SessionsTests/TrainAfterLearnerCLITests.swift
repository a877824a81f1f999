import Foundation
import Learners
import Testing
@testable import Sessions

/// `train --session NAME` when the session's current run is a learner.
@Suite struct TrainAfterLearnerCLITests {
    /// Without --model a trained learner run is refused before anything is printed, naming
    /// the run and how to start a neural run; with --model PRESET or a spec file a neural run
    /// starts and trains.
    @Test func aTrainedLearnerRunIsRefusedUntilANeuralModelIsNamed() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 120)
        try Data(CrashSafetyTests.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        func wb(_ args: String...) async throws -> ChildResult { try await runWorkbench(args, in: tmp.url) }
        var r = try await wb("train", "--session", "nb", "--sessions-dir", "S", "--data", "data.tsv", "--model", "nb",
                             "--max-length", "8", "--vocab-size", "50")
        try #require(r.status == 0, "\(r.err)")

        for extra in [["--epochs", "1"], []] {
            r = try await runWorkbench(["train", "--session", "nb", "--sessions-dir", "S"] + extra, in: tmp.url)
            #expect(r.status != 0, "\(extra): \(r.out)")
            #expect(r.out.isEmpty, "\(extra): nothing printed before the refusal: \(r.out)")
            #expect(r.err.contains("run 2") && r.err.contains("naive Bayes") && r.err.contains("--model PRESET"), "\(extra): \(r.err)")
        }
        #expect(try SessionStore(root: tmp.file("S")).record("nb").runs.count == 2, "the refusals changed nothing")

        // A neural run, named: trains its epochs as run 3.
        r = try await wb("train", "--session", "nb", "--sessions-dir", "S", "--model", "tiny.json", "--epochs", "1")
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("run 3") && r.out.contains("Embedding(8)") && !r.out.contains("LSTM"), "\(r.out)")
        let record = try SessionStore(root: tmp.file("S")).record("nb")
        // Run 1 (the lstm preset the session was created with) never trained: run 3 took its place.
        #expect(record.runs.map(\.id) == [2, 3] && record.currentRun.id == 3 && record.engineRun.cursor.epochsCompleted == 1)
        // Now it continues as any neural session does.
        r = try await wb("train", "--session", "nb", "--sessions-dir", "S", "--epochs", "1")
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(try SessionStore(root: tmp.file("S")).record("nb").engineRun.cursor.epochsCompleted == 2)
    }

    /// A learner plan that never trained (picked, or its process ended mid-fit) is trained by
    /// a plain `train --session NAME`, as the learner it is.
    @Test func anUnfinishedLearnerRunIsTrained() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 120)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            try await m.create("u", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1))
            _ = try await m.open("u").useLearner(recipe: try #require(try LearnerRecipe.parse("svm")))
        }
        let r = try await runWorkbench(["train", "--session", "u", "--sessions-dir", "S"], in: tmp.url)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("linear SVM") && r.out.contains("run 2 trained") && !r.out.contains("LSTM"), "\(r.out)")
        #expect(try store.record("u").currentRun.isComplete)
    }
}
