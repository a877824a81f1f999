import Engine
import Foundation
import Sessions
import Testing
import TextData
import WorkbenchUI
@testable import WorkbenchApp

/// The metrics overlay's and the console's side in the real service: "untrained" before a
/// run has weights, then the same report `workbench eval` computes, for the console's run;
/// the leaderboard's macro-F1; unknown tokens marked.
@Suite struct MetricsServiceTests {
    @Test func metricsFollowTheConsolesRun() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data.tsv")
        try SessionWorkbenchServiceTests.writeData(to: data)
        let setup = SessionSetup(data: data.path, validation: .split(0.2), tokenizer: .script(ScriptTokenizer(numWords: 60)),
                                 maxLength: 8, model: .layers([.embedding(dim: 8), .globalAveragePooling1D,
                                                               .dense(units: 1, activation: .sigmoid)], loss: nil),
                                 optimizer: .adam(learningRate: 0.01), fit: FitConfig(epochs: 2, batchSize: 16, seed: 3),
                                 autosaveEvery: 10)
        let manager = SessionManager(store: SessionStore(root: dir.appendingPathComponent("S")), engine: TrainingEngine())
        let service = try await SessionWorkbenchService.launch(manager: manager, newName: "m", setup: setup, themesDirectory: nil)

        // Before any training: no metrics, and the console says "untrained" rather than 0.50/0.50.
        guard case let .refused(reason) = await service.metrics() else {
            Issue.record("metrics of fresh weights should be refused")
            return
        }
        #expect(reason.contains("untrained"), "\(reason)")
        let fresh = try #require(await service.predict("great food zzzunknownzzz"))
        #expect(fresh.isUntrained)
        #expect(fresh.tokens.map(\.known) == [true, true, false])
        #expect(fresh.unknownTokenCount == 1)

        #expect(await service.startTraining() == .done(nil))
        #expect(try await manager.open("m", readOnly: true).waitUntilSettled() == .finished)
        #expect(await service.predict("great food")?.isUntrained == false)

        guard case let .ready(neural) = await service.metrics() else {
            Issue.record("metrics after training were refused")
            return
        }
        let handle = try await manager.open("m", readOnly: true)
        let validation = try await handle.examples().validation
        let report = try await handle.evaluate(examples: validation)
        #expect(neural.classes.map(\.name) == ["neg", "pos"])
        #expect(neural.confusion == report.confusion)
        #expect(neural.exampleCount == validation.count)
        #expect(abs(neural.macro.f1 - report.macroF1) < 1e-12)
        #expect(neural.classes.map(\.support) == report.perClass.map(\.support))
        #expect(neural.title.hasPrefix("run 1 "), "\(neural.title)")

        // A learner run; the console goes back to run 1: the metrics follow the console.
        #expect(await service.applyModelEdit(.applyPreset("nb")) != .refused(""))
        #expect(await service.startTraining() == .done(nil))
        #expect(try await manager.open("m", readOnly: true).waitUntilSettled() == .finished)
        guard case let .ready(nb) = await service.metrics() else {
            Issue.record("metrics of the learner run were refused")
            return
        }
        #expect(nb.title.hasPrefix("run 2 nb"), "\(nb.title)")
        _ = await service.useInConsole(run: "1")
        guard case let .ready(again) = await service.metrics() else {
            Issue.record("metrics of run 1 were refused")
            return
        }
        #expect(again.confusion == neural.confusion && again.title == neural.title)

        // The leaderboard carries each run's macro-F1 on the validation data.
        let board = await service.leaderboard()
        #expect(board.first { $0.id == "1" }?.validationMacroF1.map { abs($0 - report.macroF1) < 1e-12 } == true)
        #expect(board.first { $0.id == "2" }?.validationMacroF1.map { abs($0 - nb.macro.f1) < 1e-12 } == true)
        await service.shutdown()
    }
}
