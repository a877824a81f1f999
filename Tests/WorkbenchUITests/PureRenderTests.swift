import Testing
import TerminalUI
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

/// Drawing reads the state and changes nothing (`render` is not mutating): what depends on
/// the screen — scrolls, the follow window, when a big chart takes in new points — is settled
/// by `update`, so the state after an event is the state the screen shows.
@Suite struct PureRenderTests {
    @Test func theFollowWindowSlidesWithoutADrawing() {
        var p = ChartPane()
        p.apply(.runStarted(RunInfo(id: "run-1")))
        for s in 1...30 { p.apply(.batch(batch(s, loss: 1.0 / Double(s)))) }
        _ = p.handle(.zoomIn, key: .character("]"))
        #expect(p.shownXRange == 15.5...30)
        for s in 31...40 { p.apply(.batch(batch(s, loss: 1.0 / Double(s)))) }
        // Following: the window keeps its width and ends at the newest point.
        #expect(p.shownXRange == 25.5...40)
        // Frozen, it stays where it was.
        _ = p.handle(.followLive, key: .character("f"))
        for s in 41...50 { p.apply(.batch(batch(s, loss: 1.0 / Double(s)))) }
        #expect(p.shownXRange == 25.5...40)
    }

    @Test func aBigChartTakesInNewPointsOnFramesOnly() {
        var p = ChartPane()
        p.apply(.runStarted(RunInfo(id: "run-1")))
        let n = ChartPane.bigChartPoints / 2 + 10   // two points (loss, accuracy) per batch
        for s in 1...n { p.apply(.batch(batch(s, loss: 1.0 / Double(s), perEpoch: 1_000_000))) }
        p.frame(at: 10)
        #expect(!p.isBehind)
        p.apply(.batch(batch(n + 1, loss: 0.001, perEpoch: 1_000_000)))
        #expect(p.isBehind)
        #expect(p.dataExtent?.upperBound == Double(n))
        p.frame(at: 10.1)   // within the refresh interval: still the old points
        #expect(p.isBehind)
        p.frame(at: 10.2)
        #expect(!p.isBehind)
        #expect(p.dataExtent?.upperBound == Double(n + 1))
    }

    @Test func theExampleListScrollsInUpdate() async {
        var s = await loadedState(size: Size(width: 100, height: 30))
        let rows = s.dataset.rows.count
        for _ in 0..<(rows - 1) { press(&s, .character("j")) }
        #expect(s.dataset.selection == rows - 1)
        // The list shows fewer rows than there are examples: the scroll followed the selection.
        #expect(s.dataset.scroll > 0)
        let before = s
        _ = s.render()
        #expect(s.dataset.scroll == before.dataset.scroll)
        let (grid, _) = s.render()
        let last = String(s.dataset.rows[rows - 1].text.prefix(6))
        #expect((0..<30).contains { grid.text(row: $0).contains(last) })
    }

    @Test func helpScrollIsClampedInUpdate() async {
        var s = await loadedState(size: Size(width: 100, height: 30))
        press(&s, .character("?"))
        #expect(s.overlay == .help(scroll: 0))
        press(&s, .character("G"))
        // The last page: the lines there are less the rows the overlay shows, not one more.
        #expect(s.overlay == .help(scroll: s.helpLines.count - s.helpRows))
        press(&s, .character("k"))
        #expect(s.overlay == .help(scroll: s.helpLines.count - s.helpRows - 1))
        // A taller screen shows more lines: the scroll comes back with it.
        _ = s.update(.resize(Size(width: 100, height: 40)))
        #expect(s.overlay == .help(scroll: s.helpLines.count - s.helpRows))
    }
}
