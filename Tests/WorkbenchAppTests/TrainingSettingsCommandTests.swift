import Engine
import Foundation
import Sessions
import Testing
import WorkbenchUI
@testable import WorkbenchApp

/// `:schedule`, `:classweight`, `:earlystop`, `:plateau` and `:checkpoint` reach the plan and
/// the run through the service, and the model pane's footer shows class weights and callbacks.
@Suite struct TrainingSettingsCommandTests {
    @Test func settingsReachThePlanAndTheFooter() async throws {
        let f = try await RunsBeginWithTrainingTests.launch()
        defer { try? FileManager.default.removeItem(at: f.dir) }
        let s = f.service
        #expect(await s.changeSettings(.classWeight("pos=2")) == .done("class weights neg=1, pos=2"))
        #expect(await s.changeSettings(.earlyStopping("monitor=val_loss,patience=3,restore_best"))
                == .done("EarlyStopping(val_loss, patience 3, restore best)"))
        #expect(await s.changeSettings(.reduceLROnPlateau("factor=0.5,patience=2")) == .done("ReduceLROnPlateau(val_loss, ×0.5 after 2)"))
        #expect(await s.changeSettings(.checkpoint("best")) == .done("best val_loss checkpoint"))
        // Mistakes are refused naming the command's field; nothing changes.
        #expect(await s.changeSettings(.reduceLROnPlateau("factor=3")) == .refused(":plateau factor: must be in (0, 1) (Keras refuses a factor ≥ 1), got 3.0"))
        #expect(await s.changeSettings(.earlyStopping("patience=x")) == .refused(":earlystop patience: must be a whole number, got 'x'"))
        #expect(await s.changeSettings(.checkpoint("first")) == .refused(":checkpoint takes best or last, not 'first'"))
        guard case .refused = await s.changeSettings(.classWeight("spam=2")) else { Issue.record("an unknown label took a weight"); return }
        // A schedule cannot ride with ReduceLROnPlateau (Keras cannot lower a schedule).
        guard case .refused = await s.changeSettings(.schedule("exponential:decay_steps=10:decay_rate=0.9")) else {
            Issue.record("a schedule went with ReduceLROnPlateau"); return
        }
        let record = try await f.manager.info("s").record
        let fit = try #require(record.plan.neuralSettings?.fit)
        #expect(fit.classWeights == [1, 2])
        #expect(fit.callbacks?.earlyStopping == EarlyStopping(monitor: .valLoss, patience: 3, restoreBestWeights: true))
        #expect(fit.callbacks?.reduceLROnPlateau == ReduceLROnPlateau(factor: 0.5, patience: 2))
        #expect(fit.callbacks?.bestCheckpoint == BestCheckpoint(monitor: .valLoss))
        let footer = await s.snapshot().model?.training ?? []
        #expect(footer.map(\.name) == ["class weights", "callbacks"])
        #expect(footer.first?.value == "neg=1, pos=2")
        #expect(footer.last?.value.hasPrefix("EarlyStopping(val_loss, patience 3, restore best), ReduceLROnPlateau(") == true)
        // Off again; then a schedule goes through.
        #expect(await s.changeSettings(.reduceLROnPlateau("off")) == .done("no ReduceLROnPlateau"))
        #expect(await s.changeSettings(.schedule("exponential:decay_steps=10:decay_rate=0.9")) == .done("learning rate: 0.01·0.9^(t/10)"))
        #expect(await s.changeSettings(.schedule("constant")) == .done("learning rate 0.01, constant"))
        #expect(await s.changeSettings(.classWeight("off")) == .done("no class weights"))
        await s.shutdown()
    }
}
