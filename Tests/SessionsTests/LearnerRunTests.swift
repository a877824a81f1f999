import Engine
import Foundation
import Learners
import Testing
import TextData
@testable import Sessions

/// Learner runs in sessions: trained, saved, reopened, used by the console; earlier runs
/// kept and opened again; the leaderboard ranks them all.
@Suite struct LearnerRunTests {
    @Test func aLearnerRunTrainsSavesAndAnswersPredictions() async throws {
        let tmp = try TempDir()
        let data = tmp.file("data.tsv")
        try Synthetic.write(to: data, count: 160)
        let store = SessionStore(root: tmp.file("S"))
        let recipe = try #require(try LearnerRecipe.parse("svm:c=0.5"))
        let expected: [[Float]] = try await withManager(store) { m in
            try await m.create("s", setup: Synthetic.setup(data: data, epochs: 1))
            let events = EventLog(m.events())
            // Picked as the model (the plan), then trained: run 2.
            try await m.open("s").useLearner(recipe: recipe)
            #expect(try await m.info("s").record.runs.count == 1, "picking begins no run")
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
            let info = try await m.info("s")
            #expect(info.status == .finished)
            let current = info.record.currentRun
            guard case let .learner(l) = current.kind else { Issue.record("run \(current.id) is not a learner run"); return [] }
            #expect(l.recipe == recipe && current.isComplete)
            #expect(info.record.schemaVersion == SessionRecord.currentSchemaVersion)
            #expect(info.record.plan == .learner(recipe))
            let summary = try #require(l.result)
            let va = try #require(summary.validationAccuracy)
            #expect(va > 0.8, "the words decide the label: an SVM should get them")
            #expect(summary.loss.isFinite && summary.loss > 0)
            #expect(await events.wait { if case let .runStarted("s", run) = $0 { run.id == 2 && run.plan == .learner(recipe) } else { false } })
            #expect(await events.wait { if case let .learnerTrained("s", 2, result) = $0 { result == summary } else { false } })

            // The file in runs/ is the model that answers.
            let file = RunFiles.learnerURL(in: store.root.appendingPathComponent("s"), run: 2)
            let learner = try LearnerIO.load(from: file)
            let texts = ["great food really", "awful room the", "it was"]
            let p = try await m.open("s", readOnly: true).predict(texts: texts)
            #expect(p.map(\.probabilities) == texts.map { learner.predictProbabilities($0) })
            #expect(p.map(\.label) == ["pos", "neg", p[2].label])
            // Evaluation and the console's explanation use it too.
            let report = try await m.open("s", readOnly: true).validationReport()
            #expect(report.map { Float($0.accuracy) } == va)
            let a = try #require(try await m.open("s", readOnly: true).explain(text: "great food"))
            #expect(a.tokens.map(\.text) == ["great", "food"])
            #expect(a.tokens[0].score > a.tokens[1].score, "the cue word moves the decision most: \(a.tokens)")
            // Training it again is refused with the reason; stepping too.
            await #expect(throws: SessionError.self) { try await m.open("s").train(additionalEpochs: 1) }
            await #expect(throws: SessionError.self) { try await m.open("s").step() }
            return p.map(\.probabilities)
        }
        // A new manager: the record, the history and the predictions come back.
        try await withManager(store) { m in
            let info = try await m.open("s").info
            #expect(info.status == .finished)
            #expect(info.record.currentRun.plan == .learner(recipe))
            let p = try await m.open("s", readOnly: true).predict(texts: ["great food really", "awful room the", "it was"])
            #expect(p.map(\.probabilities) == expected)
            let history = try await m.open("s", readOnly: true).history()
            #expect(history.filter { $0.run == 2 && $0.kind == .epoch }.count == 1)
            // Export writes a model folder that `--model-dir` reads.
            try await m.open("s", readOnly: true).export(to: tmp.file("exported"))
            let exported = try LearnerIO.load(from: tmp.file("exported").appendingPathComponent(ModelDirectory.learnerFile))
            #expect(exported.predictProbabilities("great food really") == expected[0])
        }
    }

    @Test func earlierRunsAreKeptRankedAndOpenedInTheConsole() async throws {
        let tmp = try TempDir()
        let data = tmp.file("data.tsv")
        try Synthetic.write(to: data, count: 160)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            try await m.create("s", setup: Synthetic.setup(data: data, epochs: 2, layers: Synthetic.pooled))
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
            let neural = try await m.open("s", readOnly: true).predict(texts: ["great food"])[0].probabilities
            try await m.open("s").trainLearner(recipe: try #require(try LearnerRecipe.parse("nb")))
            try await m.open("s").trainLearner(recipe: try #require(try LearnerRecipe.parse("fasttext:epochs=3")))
            try await m.open("s").changeModel(layers: Synthetic.pooled)   // the plan: no run

            let board = try await m.open("s", readOnly: true).leaderboard()
            #expect(board.map(\.run).sorted() == [1, 2, 3], "an edit adds no row")
            let ranked = board.compactMap(\.validationAccuracy)
            #expect(ranked == ranked.sorted(by: >), "ranked by validation accuracy: \(board)")
            #expect(board.first { $0.run == 1 }?.canOpen == true, "run 1's weights are the engine's")
            #expect(board.first { $0.run == 3 }?.isCurrent == true, "the newest trained run is current")
            #expect(board.filter { $0.epochs == nil }.map(\.run).sorted() == [2, 3])

            // The console opens run 1: its answers are run 1's, bit for bit.
            try await m.open("s", readOnly: true).useInConsole(run: 1)
            #expect(try await m.open("s", readOnly: true).consoleRun == 1)
            let p = try #require(try await m.open("s", readOnly: true).classify(text: "great food"))
            #expect(p.probabilities == neural)
            #expect(try await m.open("s", readOnly: true).explain(text: "great food")?.probabilities == neural)
            // Run 2 (naive Bayes) in the console.
            try await m.open("s", readOnly: true).useInConsole(run: 2)
            let nb = try LearnerIO.load(from: RunFiles.learnerURL(in: store.root.appendingPathComponent("s"), run: 2))
            #expect(try await m.open("s", readOnly: true).classify(text: "awful room")?.probabilities == nb.predictProbabilities("awful room"))
            // A run that does not exist is refused, naming the runs there are.
            await #expect(throws: SessionError.self) { try await m.open("s", readOnly: true).useInConsole(run: 9) }
            // Back to the current run.
            try await m.open("s", readOnly: true).useInConsole(run: nil)
            #expect(try await m.open("s", readOnly: true).consoleRun == nil)
            // Run 1 by number, outside the console: predictions and an export of its own.
            #expect(try await m.open("s", readOnly: true).predict(texts: ["great food"], run: 1)[0].probabilities == neural)
            try await m.open("s", readOnly: true).export(to: tmp.file("run1"), run: 1)
            #expect(try ModelDirectory.load(from: tmp.file("run1")).probabilities(["great food"])[0] == neural)
            // A run that never began is refused.
            await #expect(throws: SessionError.self) { try await m.open("s", readOnly: true).predict(texts: ["x"], run: 4) }
        }
    }

    @Test func theSameSeedGivesTheSameModelFile() async throws {
        let tmp = try TempDir()
        let data = tmp.file("data.tsv")
        try Synthetic.write(to: data, count: 120)
        var files: [Data] = []
        for root in ["A", "B"] {
            let store = SessionStore(root: tmp.file(root))
            try await withManager(store) { m in
                try await m.create("s", setup: Synthetic.setup(data: data, epochs: 1))
                try await m.open("s").trainLearner(recipe: try #require(try LearnerRecipe.parse("forest:trees=5")))
            }
            files.append(try Data(contentsOf: RunFiles.learnerURL(in: store.root.appendingPathComponent("s"), run: 2)))
        }
        #expect(files[0] == files[1])
    }

    @Test func aLearnerThatCannotTrainFailsWithTheReason() async throws {
        let tmp = try TempDir()
        let data = tmp.file("data.tsv")
        // Every text empty of tokens after the tokenizer: the TF-IDF vocabulary is empty.
        let lines = (0..<20).map { i in (i % 2 == 0 ? "pos" : "neg") + "\t" + "!!! ???" }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: data)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            try await m.create("s", setup: Synthetic.setup(data: data, epochs: 1))
            await #expect(throws: SessionError.self) {
                try await m.open("s").trainLearner(recipe: try #require(try LearnerRecipe.parse("logreg")))
            }
            let info = try await m.info("s")
            guard case let .failed(reason) = info.status else { Issue.record("status \(info.status)"); return }
            #expect(reason.contains("vocabulary") || reason.contains("feature"), "\(reason)")
            // The session still works: a neural model can be chosen and trained.
            try await m.open("s").changeModel(layers: Synthetic.pooled)
        }
    }

    @Test func recipesParseAndNameTheirMistakes() throws {
        let r = try #require(try LearnerRecipe.parse("fasttext:epochs=25:ngrams=2"))
        #expect(r.kind == .fasttext && r.settings.fastText.epochs == 25 && r.settings.fastText.wordNgrams == 2)
        #expect(r.spec == "fasttext:epochs=25:ngrams=2")
        #expect(try LearnerRecipe.parse("lstm") == nil, "a neural preset is not a learner")
        #expect(throws: LearnerError.self) { try LearnerRecipe.parse("svm:gamma=2") }
        #expect(throws: LearnerError.self) { try LearnerRecipe.parse("svm:c=abc") }
        #expect(throws: LearnerError.self) { try LearnerRecipe.parse("svm:c") }
        do {
            _ = try LearnerRecipe.parse("forest:depth=x")
        } catch {
            #expect("\(error)".contains("forest:depth=x") && "\(error)".contains("not an integer"))
        }
        // The record round-trips a learner run.
        let json = try SessionJSON.encoder.encode(r)
        #expect(try SessionJSON.decoder.decode(LearnerRecipe.self, from: json) == r)
    }
}
