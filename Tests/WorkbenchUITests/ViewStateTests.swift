import Testing
import TerminalUI
import Charts
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

/// The view comes back from a snapshot, and a change is saved once it has settled (by the
/// loop's clock) and on quit.
@Suite struct ViewStateTests {
    static let view = WorkbenchViewState(smoothing: 0.85, logScale: true, drawingMode: "ascii", xAxis: "relative",
                                         charts: "loss", per: "epoch", consoleText: "great fo",
                                         consoleHistory: ["awful room", "nice food"], focus: "chart")

    @Test func aSnapshotsViewIsRestored() {
        var s = WorkbenchState(size: Size(width: 100, height: 30))
        let effects = s.update(.reply(.snapshot(WorkbenchSnapshot(sessionName: "s", view: Self.view))))
        #expect(s.chart.smoothing == 0.85 && s.chart.logScale && s.chart.mode == .ascii)
        #expect(s.chart.xAxis == .relative && s.chart.metricView == .loss && s.chart.granularity == .epoch)
        #expect(s.console.text == "great fo" && s.console.editor.history == ["awful room", "nice food"])
        #expect(s.focus == .chart)
        #expect(s.viewState == Self.view)
        // The console line is classified again; nothing to save yet.
        #expect(calls(effects) == [.predict(id: 1, text: "great fo")])
        #expect(!s.viewIsUnsaved)
        #expect(s.update(.tick(100)).isEmpty)
    }

    @Test func aChangeIsSavedOnceItSettlesAndOnQuit() {
        var s = WorkbenchState(size: Size(width: 100, height: 30))
        _ = s.update(.reply(.snapshot(WorkbenchSnapshot(sessionName: "s"))))
        press(&s, .character("3"), .character("y"))   // focus the chart, log scale on
        #expect(s.viewIsUnsaved)
        #expect(s.update(.frame(10)).isEmpty)           // first seen
        #expect(s.update(.tick(11)).isEmpty)
        press(&s, .character("+"))                      // changed again: the wait starts over
        #expect(s.update(.tick(12.5)).isEmpty)
        #expect(s.update(.tick(14)).isEmpty)
        let saved = s.update(.tick(14.5))
        #expect(saved == [.saveView(s.viewState)])
        #expect(s.viewState.logScale && s.viewState.smoothing == 0.7 && s.viewState.focus == "chart")
        #expect(!s.viewIsUnsaved && s.update(.tick(30)).isEmpty)
        // Quitting saves what changed since, without waiting.
        press(&s, .character("b"))
        #expect(press(&s, .character("q")) == [.saveView(s.viewState), .quit])
    }

    @Test func theViewSurvivesQuittingAndReopeningThroughTheLoop() async throws {
        let service = FakeWorkbenchService(configuration: .init(batchInterval: nil))
        let app = WorkbenchApp(backend: FakeBackend(size: Size(width: 100, height: 30)), service: service)
        try app.start()
        #expect(await app.settle())
        // Enter keeps the line in the history and on the line: "ok" is typed after "good".
        for key in [Key.character("3"), .character("y"), .character("b"), .character("4")] + typed("good") + [.enter] + typed("ok") {
            app.handle(.key(key))
        }
        #expect(await app.settle())
        let view = app.state.viewState
        #expect(view.logScale && view.drawingMode == "block" && view.consoleText == "goodok" && view.consoleHistory == ["good"])
        app.handle(.key(.control("c")))
        app.handle(.key(.character("y")))
        await app.shutdown()

        let again = WorkbenchApp(backend: FakeBackend(size: Size(width: 100, height: 30)), service: service)
        try again.start()
        #expect(await again.settle { $0.state.isLoaded })
        #expect(again.state.viewState == view)
        #expect(again.state.focus == .console)
        await again.shutdown()
    }
}
