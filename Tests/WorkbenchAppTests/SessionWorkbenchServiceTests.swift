import Engine
import Foundation
import Sessions
import Testing
import TextData
import WorkbenchUI
@testable import WorkbenchApp

/// The real service over a real session manager, as the UI calls it: learner presets, the
/// leaderboard, the console on an earlier run, refusals with reasons.
@Suite struct SessionWorkbenchServiceTests {
    /// 120 label<TAB>text lines whose cue words decide the label.
    static func writeData(to url: URL) throws {
        let good = ["great", "good", "nice", "love"], bad = ["awful", "bad", "poor", "hate"]
        let filler = ["the", "a", "it", "was", "this", "food", "room"]
        var g = SeededGenerator(seed: 5)
        let lines = (0..<120).map { i -> String in
            let pos = i % 2 == 0
            var words = (0..<3).map { _ in filler[Int(g.next() % UInt64(filler.count))] }
            words.append((pos ? good : bad)[Int(g.next() % 4)])
            words.shuffle(using: &g)
            return (pos ? "pos" : "neg") + "\t" + words.joined(separator: " ")
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    @Test func learnerPresetLeaderboardAndConsoleRun() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-app-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data.tsv")
        try Self.writeData(to: data)
        let setup = SessionSetup(data: data.path, validation: .split(0.2), tokenizer: .script(ScriptTokenizer(numWords: 60)),
                                 maxLength: 8, model: .layers([.embedding(dim: 8), .globalAveragePooling1D,
                                                               .dense(units: 1, activation: .sigmoid)], loss: nil),
                                 optimizer: .adam(learningRate: 0.01), fit: FitConfig(epochs: 2, batchSize: 16, seed: 3),
                                 autosaveEvery: 10)
        let manager = SessionManager(store: SessionStore(root: dir.appendingPathComponent("S")), engine: TrainingEngine())
        let service = try await SessionWorkbenchService.launch(manager: manager, newName: "s", setup: setup, themesDirectory: nil)

        // The picker offers the learners beside the neural presets.
        let snapshot = await service.snapshot()
        #expect(snapshot.presets.map(\.name).contains("svm") && snapshot.presets.map(\.name).contains("fasttext"))

        // Train the neural run, then choose the SVM: the model pane gets its card.
        #expect(await service.startTraining() == .done(nil))
        _ = try await manager.open("s", readOnly: true).waitUntilSettled()
        let applied = await service.applyModelEdit(.applyPreset("svm:c=0.5"))
        guard case let .applied(card) = applied else {
            Issue.record("the SVM preset was refused: \(applied)")
            return
        }
        #expect(card.layers.map(\.typeLabel) == ["TF-IDF(n-grams ≤2)", "LinearSVM(C=0.5, one-vs-rest)"])
        #expect(card.preset == "svm:c=0.5" && card.optimizer == "dual coordinate descent")
        // A layer edit on a learner is refused with what to do instead.
        guard case let .refused(reason) = await service.applyModelEdit(.deleteLayer(at: 0)) else {
            Issue.record("a layer edit on a learner should be refused")
            return
        }
        #expect(reason.contains("no layers") && reason.contains("preset"), "\(reason)")
        #expect(await service.startTraining() == .done(nil))
        #expect(try await manager.open("s", readOnly: true).waitUntilSettled() == .finished)

        // The leaderboard: both runs, ranked, the current one marked; both can be opened.
        let board = await service.leaderboard()
        #expect(Set(board.map(\.id)) == ["1", "2"])
        #expect(board.first { $0.id == "2" }?.isCurrent == true && board.first { $0.id == "2" }?.epochs == nil)
        #expect(board.first { $0.id == "1" }?.epochs == 2)
        #expect(board.allSatisfy { $0.canOpen })
        let accuracies = board.compactMap(\.validationAccuracy)
        #expect(accuracies.count == 2 && accuracies == accuracies.sorted(by: >))

        // The console: the SVM answers, then run 1 on request, then the current run again.
        let svm = try #require(await service.predict("great food"))
        #expect(svm.classNames == ["neg", "pos"] && svm.tokens.map(\.text) == ["great", "food"])
        #expect(await service.useInConsole(run: "1") == .done("console: run 1 Embedding(8) → GlobalAveragePooling1D → Dense(1, sigmoid)"))
        let neural = try #require(await service.predict("great food"))
        #expect(neural.probabilities != svm.probabilities)
        #expect(await service.useInConsole(run: nil) == .done(nil))
        #expect(await service.predict("great food")?.probabilities == svm.probabilities)
        guard case .refused = await service.useInConsole(run: "7") else {
            Issue.record("a run that does not exist should be refused")
            return
        }
        // Training a trained learner again is a fresh run of the same recipe.
        #expect(await service.startTraining() == .done(nil))
        #expect(try await manager.open("s", readOnly: true).waitUntilSettled() == .finished)
        #expect(await service.leaderboard().count == 3)

        // :zoo — learners one after the other in the background, each a run of its own.
        guard case .refused = await service.trainLearners(["svm", "lstm"]) else {
            Issue.record("a neural preset is no learner: refused before anything trains")
            return
        }
        #expect(await service.leaderboard().count == 3)
        guard case .done = await service.trainLearners(["nb", "logreg:c=10"]) else {
            Issue.record("the zoo was refused")
            return
        }
        let deadline = Date().addingTimeInterval(60)
        var models: [String] = []
        while Date() < deadline {
            models = await service.leaderboard().map(\.model)
            if models.count == 5, try await manager.open("s", readOnly: true).waitUntilSettled() == .finished { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(Set(models).isSuperset(of: ["nb", "logreg:c=10"]), "\(models)")
        await service.shutdown()
    }
}
