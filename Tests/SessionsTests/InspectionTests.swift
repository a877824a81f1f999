import Dispatch
import Engine
import Foundation
import Testing
import TextData
@testable import Sessions

/// The console's and data pane's questions to an open session: token attributions (latest
/// request wins), the examples, probabilities for labelled examples.
@Suite struct InspectionTests {
    @Test func explainLatestWinsExamplesAndProbabilities() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        let engine = TrainingEngine()
        try await withManager(SessionStore(root: tmp.file("S")), engine: engine) { m in
            try await m.create("s", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1))
            let id = try await m.info("s").record.id

            let e = try #require(try await m.open("s", readOnly: true).explain(text: "the room was great"))
            #expect(e.tokens.map(\.text) == ["the", "room", "was", "great"])
            let direct = try await m.open("s", readOnly: true).predict(texts: ["the room was great"])[0]
            for (a, b) in zip(e.probabilities, direct.probabilities) { #expect(abs(a - b) < 1e-6) }

            // The console never waits for the worker: with it held busy (as by a training
            // batch), explanations and classifications answer from the console's copy.
            let entered = Flag(), release = DispatchSemaphore(value: 0)
            let blocker = Task { try await engine.withClassifier(id: id) { _ in entered.set(); release.wait() } }
            while !entered.isSet { try await Task.sleep(for: .milliseconds(1)) }
            let busy = try await m.open("s", readOnly: true).explain(text: "the room was great")
            #expect(busy?.probabilities == e.probabilities)
            #expect(try await m.open("s", readOnly: true).classify(text: "the room was great")?.probabilities == direct.probabilities)
            release.signal()
            try await blocker.value

            // Latest wins: a request that a newer one overtook before it ran returns nil.
            let generations = try await m.open("s", readOnly: true).explainGenerations
            let stale = generations.next(for: id)
            _ = generations.next(for: id)
            #expect(!generations.isLatest(stale, for: id))
            #expect(try await m.open("s", readOnly: true).explain(text: "awful")?.tokens.map(\.text) == ["awful"])

            let (train, validation) = try await m.open("s", readOnly: true).examples()
            #expect(train.count + validation.count == 60)
            #expect(validation.count == 12)
            let probs = try await m.open("s", readOnly: true).probabilities(examples: validation)
            #expect(probs.count == 12 && probs.allSatisfy { $0.count == 2 && abs($0.reduce(0, +) - 1) < 1e-5 })
        }
    }
}
