import Engine
import Foundation
import Sessions
import Testing
import TextData
import WorkbenchUI
@testable import WorkbenchApp

/// The workbench behaviour that came from modelling every edit as a run: edits piled up
/// untrained runs on the leaderboard and in the chart's legend, `:zoo` replaced the model
/// being edited and left the status line at "epoch 1/1 · batch 0/N".
@Suite struct RunsBeginWithTrainingTests {
    struct Fixture {
        let dir: URL
        let manager: SessionManager
        let service: SessionWorkbenchService
        let setup: SessionSetup
    }

    static func launch() async throws -> Fixture {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-runs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let data = dir.appendingPathComponent("data.tsv")
        try SessionWorkbenchServiceTests.writeData(to: data)
        let setup = SessionSetup(data: data.path, validation: .split(0.2), tokenizer: .script(ScriptTokenizer(numWords: 60)),
                                 maxLength: 8, model: .layers([.embedding(dim: 8), .globalAveragePooling1D,
                                                               .dense(units: 1, activation: .sigmoid)], loss: nil),
                                 optimizer: .adam(learningRate: 0.01), fit: FitConfig(epochs: 1, batchSize: 16, seed: 3),
                                 autosaveEvery: 10)
        let manager = SessionManager(store: SessionStore(root: dir.appendingPathComponent("S")), engine: TrainingEngine())
        let service = try await SessionWorkbenchService.launch(manager: manager, newName: "s", setup: setup, themesDirectory: nil)
        return Fixture(dir: dir, manager: manager, service: service, setup: setup)
    }

    /// Polls `condition` until it holds or ten seconds pass.
    /// Polls `condition` until it holds or 60 s pass: long, as `WorkbenchApp.settle`'s, because
    /// a full parallel test run on two cores can keep the zoo's training waiting for a thread.
    static func settle(_ condition: () async -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if await condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return await condition()
    }

    @Test func editsBeginNoRunAndTheChartAndLeaderboardAgreeAfterARestart() async throws {
        let f = try await Self.launch()
        defer { try? FileManager.default.removeItem(at: f.dir) }
        #expect(await f.service.startTraining() == .done(nil))
        #expect(try await f.manager.open("s", readOnly: true).waitUntilSettled() == .finished)
        // Nine edits, as in the tmux session that found it.
        for i in 0..<9 {
            let edit: ModelEdit = i % 2 == 0 ? .setUnits(layer: 0, units: 8 + i) : .addLayer(.dropout, at: 1)
            guard case .applied = await f.service.applyModelEdit(edit) else { Issue.record("edit \(i) refused"); return }
        }
        #expect(await f.service.leaderboard().map(\.id) == ["1"], "nine edits add no leaderboard row")
        #expect(await f.service.snapshot().charts.runs.map(\.id) == ["1"])
        // Two moves sent at once (J pressed twice quickly) begin no run either.
        async let a = f.service.applyModelEdit(.moveLayer(from: 1, to: 2))
        async let b = f.service.applyModelEdit(.moveLayer(from: 1, to: 2))
        _ = await (a, b)
        #expect(await f.service.leaderboard().count == 1)
        // Training begins run 2 with the edited model.
        #expect(await f.service.startTraining() == .done(nil))
        #expect(try await f.manager.open("s", readOnly: true).waitUntilSettled() == .finished)
        #expect(await f.service.leaderboard().map(\.id).sorted() == ["1", "2"])
        await f.service.shutdown()

        // After a restart the chart and the leaderboard list the same runs.
        let manager = SessionManager(store: SessionStore(root: f.dir.appendingPathComponent("S")), engine: TrainingEngine())
        let service = try await SessionWorkbenchService.launch(manager: manager, newName: "s", setup: f.setup, themesDirectory: nil)
        let charted = await service.snapshot().charts.runs.map(\.id)
        #expect(charted == ["1", "2"])
        #expect(await service.leaderboard().map(\.id).sorted() == charted)
        await service.shutdown()
    }

    @Test func theZooLeavesTheModelBeingShapedAndTheStatusLineAlone() async throws {
        let f = try await Self.launch()
        defer { try? FileManager.default.removeItem(at: f.dir) }
        #expect(await f.service.startTraining() == .done(nil))
        #expect(try await f.manager.open("s", readOnly: true).waitUntilSettled() == .finished)
        guard case let .applied(edited) = await f.service.applyModelEdit(.setUnits(layer: 0, units: 12)) else {
            Issue.record("the edit was refused")
            return
        }
        var status = StatusSnapshot()
        let events = f.service.events
        let watcher = Task {
            var status = StatusSnapshot()
            var sawLearnerEpoch = false
            for await e in events {
                status.apply(e)
                if case let .epochEnded(m) = e, m.run != "1" { sawLearnerEpoch = true }
                if case .learnerTrained(let m) = e, m.run == "3" { break }
            }
            return (status, sawLearnerEpoch)
        }
        guard case .done = await f.service.trainLearners(["svm", "nb"]) else { Issue.record("the zoo was refused"); return }
        #expect(try await Self.settle { await f.service.leaderboard().count == 3 })
        let (after, sawLearnerEpoch) = await watcher.value
        status = after
        #expect(!sawLearnerEpoch, "a learner has no epochs to report")
        #expect(status.epochs == 0 && status.batchesPerEpoch == 0, "no 'epoch 1/1 · batch 0/N' after the zoo: \(status)")
        #expect(status.lastMessage.hasPrefix("run 3 trained"), "\(status.lastMessage)")
        // The model pane still shows the edited model, and training trains it.
        #expect(await f.service.snapshot().model == edited)
        #expect(await f.service.startTraining() == .done(nil))
        #expect(try await f.manager.open("s", readOnly: true).waitUntilSettled() == .finished)
        let record = try await f.manager.info("s").record
        #expect(record.currentRun.id == 4 && record.engineRun.model.layers[0] == .embedding(dim: 12))
        await f.service.shutdown()
    }

    /// The workbench could not change a learning rate (only tests called `updateTraining`):
    /// settings now go through the service to the plan and the run, which records the step.
    @Test func settingsChangesReachThePlanAndAreRecordedInTheRun() async throws {
        let f = try await Self.launch()
        defer { try? FileManager.default.removeItem(at: f.dir) }
        #expect(await f.service.startTraining() == .done(nil))
        #expect(try await f.manager.open("s", readOnly: true).waitUntilSettled() == .finished)
        let step = try await f.manager.info("s").step
        #expect(await f.service.changeSettings(.learningRate(0.005)) == .done("learning rate 0.005"))
        #expect(await f.service.changeSettings(.epochs(3)) == .done("3 epochs planned"))
        var record = try await f.manager.info("s").record
        #expect(record.engineRun.optimizer.learningRate == 0.005 && record.engineRun.fit.epochs == 3)
        #expect(record.plan.neuralSettings?.optimizer.learningRate == 0.005)
        #expect(record.engineRun.changes.map(\.step) == [step, step], "each change says the step it applies from")
        #expect(record.runs.count == 1, "a settings change begins no run")
        // Training carries the same run on to its new epochs.
        #expect(await f.service.startTraining() == .done(nil))
        #expect(try await f.manager.open("s", readOnly: true).waitUntilSettled() == .finished)
        record = try await f.manager.info("s").record
        #expect(record.runs.count == 1 && record.engineRun.cursor.epochsCompleted == 3)
        // A learner plan has no learning rate.
        _ = await f.service.applyModelEdit(.applyPreset("nb"))
        guard case .refused = await f.service.changeSettings(.learningRate(0.1)) else { Issue.record("a learner took a learning rate"); return }
        await f.service.shutdown()
    }
}
