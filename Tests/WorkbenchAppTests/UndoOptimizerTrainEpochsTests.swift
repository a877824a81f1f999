import Engine
import Foundation
import Learners
import Sessions
import Testing
import WorkbenchUI
@testable import WorkbenchApp

/// Issue 16's settings and undo through the real service: `u` / Ctrl-R walk the model's
/// history (preset, learner and layer edits alike), `:optimizer` changes the plan's optimiser
/// keeping its rate, and `:train N` trains exactly N epochs.
@Suite struct UndoOptimizerTrainEpochsTests {
    typealias F = RunsBeginWithTrainingTests

    @Test func undoAndRedoWalkTheModelHistory() async throws {
        let f = try await F.launch()
        defer { try? FileManager.default.removeItem(at: f.dir) }
        let s = f.service
        #expect(await s.applyModelEdit(.undo) == .refused("nothing to undo"))
        let original = await s.snapshot().model
        guard case let .applied(wider) = await s.applyModelEdit(.setUnits(layer: 0, units: 16)) else { Issue.record("edit refused"); return }
        guard case let .applied(learner) = await s.applyModelEdit(.applyPreset("nb")) else { Issue.record("preset refused"); return }
        // Back to the layers, then to the model the session began with.
        #expect(await s.applyModelEdit(.undo) == .applied(wider))
        #expect(try await f.manager.info("s").record.plan.neuralSettings?.model.layers.first == .embedding(dim: 16))
        #expect(await s.applyModelEdit(.undo) == .applied(try #require(original)))
        #expect(await s.applyModelEdit(.undo) == .refused("nothing to undo"))
        // Redo goes forward again, to the learner.
        #expect(await s.applyModelEdit(.redo) == .applied(wider))
        #expect(await s.applyModelEdit(.redo) == .applied(learner))
        guard case .learner = try await f.manager.info("s").record.plan else { Issue.record("redo did not bring the learner back"); return }
        #expect(await s.applyModelEdit(.redo) == .refused("nothing to redo"))
        // A new edit forgets what was undone.
        _ = await s.applyModelEdit(.undo)
        guard case .applied = await s.applyModelEdit(.setUnits(layer: 0, units: 24)) else { Issue.record("edit refused"); return }
        #expect(await s.applyModelEdit(.redo) == .refused("nothing to redo"))
        // A refused edit leaves no step to undo.
        guard case .refused = await s.applyModelEdit(.deleteLayer(at: 0)) else { Issue.record("the Embedding was deleted"); return }
        #expect(await s.applyModelEdit(.undo) == .applied(wider))
        await s.shutdown()
    }

    @Test func theHistoryIsBounded() async throws {
        let f = try await F.launch()
        defer { try? FileManager.default.removeItem(at: f.dir) }
        let s = f.service
        for i in 0..<(SessionWorkbenchService.undoLimit + 5) {
            guard case .applied = await s.applyModelEdit(.setUnits(layer: 0, units: 9 + i % 2)) else { Issue.record("edit \(i) refused"); return }
        }
        #expect(await s.modelUndo.count == SessionWorkbenchService.undoLimit)
        await s.shutdown()
    }

    @Test func optimizerChangesKeepTheRateAndNameTheirField() async throws {
        let f = try await F.launch()
        defer { try? FileManager.default.removeItem(at: f.dir) }
        let s = f.service
        guard case let .done(said) = await s.changeSettings(.optimizer("sgd:momentum=0.9:nesterov")) else {
            Issue.record("sgd refused"); return
        }
        #expect(said?.hasPrefix("optimizer SGD(") == true, "\(said ?? "")")
        var opt = try #require(try await f.manager.info("s").record.plan.neuralSettings?.optimizer)
        #expect(opt.kind == .sgd && opt.momentum == 0.9 && opt.nesterov && opt.learningRate == 0.01)
        // Mistakes name the field and change nothing.
        #expect(await s.changeSettings(.optimizer("lion")) == .refused(":optimizer: unknown optimizer 'lion' (sgd, adam, adamw, rmsprop)"))
        #expect(await s.changeSettings(.optimizer("adam:momentum=0.9")) == .refused(":optimizer momentum: applies to sgd and rmsprop, not adam"))
        #expect(await s.changeSettings(.optimizer("sgd:momentum=x")) == .refused(":optimizer momentum: needs a number, e.g. momentum=0.9"))
        #expect(await s.changeSettings(.optimizer("sgd:spin=1")).isRefused)
        opt = try #require(try await f.manager.info("s").record.plan.neuralSettings?.optimizer)
        #expect(opt.kind == .sgd && opt.momentum == 0.9)
        guard case .done = await s.changeSettings(.optimizer("adamw:weight_decay=0.01")) else { Issue.record("adamw refused"); return }
        opt = try #require(try await f.manager.info("s").record.plan.neuralSettings?.optimizer)
        #expect(opt.kind == .adamw && opt.weightDecay == 0.01 && opt.learningRate == 0.01 && opt.momentum == 0)
        await s.shutdown()
    }

    @Test func trainNTrainsExactlyNEpochs() async throws {
        let f = try await F.launch()
        defer { try? FileManager.default.removeItem(at: f.dir) }
        let s = f.service
        #expect(await s.train(epochs: 2) == .done(nil))
        #expect(try await f.manager.open("s", readOnly: true).waitUntilSettled() == .finished)
        var record = try await f.manager.info("s").record
        #expect(record.engineRun.fit.epochs == 2 && record.engineRun.cursor.epochsCompleted == 2)
        // Again: that many more of the same run.
        #expect(await s.train(epochs: 1) == .done(nil))
        #expect(try await f.manager.open("s", readOnly: true).waitUntilSettled() == .finished)
        record = try await f.manager.info("s").record
        #expect(record.runs.count == 1 && record.engineRun.cursor.epochsCompleted == 3)
        _ = await s.applyModelEdit(.applyPreset("nb"))
        #expect(await s.train(epochs: 2).isRefused)
        await s.shutdown()
    }

    @Test func theSessionsListDeletesAndExports() async throws {
        let f = try await F.launch()
        defer { try? FileManager.default.removeItem(at: f.dir) }
        let s = f.service
        #expect(await s.startTraining() == .done(nil))
        #expect(try await f.manager.open("s", readOnly: true).waitUntilSettled() == .finished)
        guard case .loaded = await s.newSession(named: "t") else { Issue.record("no new session"); return }
        #expect(await s.deleteSession(named: "t") == .refused("t is open: open another session before deleting it"))
        let out = f.dir.appendingPathComponent("s-model")
        #expect(await s.exportSession(named: "s", to: out.path) == .done("exported s's model to \(out.path)"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("classifier.json").path))
        #expect(await s.deleteSession(named: "s") == .done("deleted session s"))
        #expect(await s.listSessions().map(\.name) == ["t"])
        guard case .refused = await s.exportSession(named: "s", to: out.path + "2") else { Issue.record("a deleted session exported"); return }
        #expect(!FileManager.default.fileExists(atPath: out.path + "2"))
        await s.shutdown()
    }
}

extension CommandResult {
    var isRefused: Bool { if case .refused = self { return true } else { return false } }
}
