import Testing
import TerminalUI
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

/// `:rename-run` and `:delete-run`: what they ask of the service, the confirmation before a
/// delete, and the charts after the service's answer.
@Suite struct RunCommandsTests {
    static func state() -> WorkbenchState {
        var s = WorkbenchState(size: Size(width: 100, height: 30))
        _ = s.update(.reply(.snapshot(WorkbenchSnapshot(sessionName: "c", charts: ConsoleLegendAndChartCursorTests.twoRuns))))
        return s
    }

    static func command(_ s: inout WorkbenchState, _ line: String) -> [ServiceCall] {
        calls(s.update(.key(.character(":"))) + press(&s, typed(line)) + s.update(.key(.enter)))
    }

    @Test func renameAsksTheServiceAndRenamesTheRunOnSuccess() {
        var s = Self.state()
        #expect(Self.command(&s, "rename-run 1 big batch") == [.renameRun("1", name: "big batch")])
        #expect(Self.command(&s, "rename-run run 2 small") == [.renameRun("2", name: "small")])
        #expect(Self.command(&s, "rename-run baseline").isEmpty)
        #expect(s.status.messageIsWarning && s.status.lastMessage.contains("needs a run number"))
        _ = s.update(.reply(.command(.renameRun("1", name: "big batch"), .done("run 1 is now \"big batch\""))))
        #expect(s.chart.charts.runs.map(\.name) == ["run 1 big batch", "run 2"])
        // A refusal changes nothing.
        _ = s.update(.reply(.command(.renameRun("2", name: "x"), .refused("no"))))
        #expect(s.chart.charts.runs.map(\.name) == ["run 1 big batch", "run 2"])
    }

    @Test func deleteAsksFirstThenTheServiceThenTheChartsDropTheRun() {
        var s = Self.state()
        #expect(Self.command(&s, "delete-run 7").isEmpty)
        #expect(s.status.lastMessage == "there is no run 7")
        #expect(Self.command(&s, "delete-run 1").isEmpty)
        guard case let .confirm(.deleteRun(id), message)? = s.overlay else {
            Issue.record("no confirmation")
            return
        }
        #expect(id == "1" && message.contains("cannot be undone"))
        // No: nothing is asked.
        #expect(calls(press(&s, .character("n"))).isEmpty && s.overlay == nil)
        _ = Self.command(&s, "delete-run 1")
        #expect(calls(press(&s, .character("y"))) == [.deleteRun("1")])
        #expect(s.chart.charts.runs.count == 2)
        _ = s.update(.reply(.command(.deleteRun("1"), .done("run 1 deleted, with its files"))))
        #expect(s.chart.charts.runs.map(\.id) == ["2"])
        #expect(s.status.lastMessage == "run 1 deleted, with its files")
    }
}
