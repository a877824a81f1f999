import Testing
import TerminalUI
import Charts
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

/// The console's legend, unknown tokens and "untrained"; the chart's raw-and-smoothed
/// legend, its cursor readout and a legend with many runs.
@Suite struct ConsoleLegendAndChartCursorTests {
    // MARK: Console

    @Test func unknownTokensAreMarkedAndCounted() {
        var pane = ConsolePane()
        let p = ConsoleSnapshot(
            text: "the staff was 服务 friendly", classNames: ["pos", "neg"], probabilities: [0.27, 0.73],
            tokens: [TokenAttribution("the", score: 0, known: false), TokenAttribution("staff", score: 0.4),
                     TokenAttribution("was", score: 0.3), TokenAttribution("服务", score: -0.1),
                     TokenAttribution("friendly", score: 0, known: false)])
        for k in typed(p.text) { _ = pane.handle(nil, key: k) }
        pane.show(p)
        let (grid, _) = render(&pane, width: 64, height: 8)
        expectScreen(grid, """
            › the staff was 服务 friendly

            neg  ██████████████████████████████████████▊·············· 0.73
            pos  ██████████████▎······································ 0.27


            the staff was 服务 friendly
            2 of 5 tokens unknown to this model · towards neg away weak unk…
            """)
        let styles = styleRows(grid)
        // Unknown tokens are dim (and underlined), known ones coloured by their push.
        #expect(styles[6].hasPrefix("ddd.PPPPP.PPP.NNNN.dddddddd"), "\(styles[6])")
        #expect(grid.styles(row: 6)[0].attributes.contains(.underline))
        #expect(!grid.styles(row: 6)[4].attributes.contains(.underline))
        #expect(styles[7].hasPrefix("wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwdddPPPPPPPPPPP.NNNN.dddd.dddd"), "\(styles[7])")
    }

    @Test func untrainedShowsNoProbabilities() {
        var pane = ConsolePane()
        let p = ConsoleSnapshot(text: "good food", classNames: ["pos", "neg"], probabilities: [0.5, 0.5],
                                tokens: [TokenAttribution("good", score: 0), TokenAttribution("food", score: 0)], isUntrained: true)
        for k in typed(p.text) { _ = pane.handle(nil, key: k) }
        pane.show(p)
        let (grid, _) = render(&pane, width: 70, height: 7)
        expectScreen(grid, """
            › good food

            untrained: no run has weights yet, so no probabilities (t trains)




            """)
        let text = (0..<7).map { grid.text(row: $0) }.joined()
        #expect(!text.contains("0.50"))
    }

    // MARK: Chart

    /// Two runs of 10 batches: run 1's loss falls by 0.05 a batch from 1, run 2's by 0.04.
    static let twoRuns: ChartSnapshot = {
        func p(_ step: Int, _ v: Double) -> MetricPoint {
            MetricPoint(step: step, epoch: 1, relativeTime: Double(step), wallTime: 1_700_000_000 + Double(step), value: v)
        }
        func run(_ id: String, _ slope: Double) -> RunHistory {
            RunHistory(id: id, name: "run \(id)", batchLoss: (1...10).map { p($0, 1 - slope * Double($0)) },
                       batchAccuracy: (1...10).map { p($0, 0.5 + slope * Double($0)) },
                       epochLoss: [p(10, 1 - slope * 10)], epochAccuracy: [p(10, 0.5 + slope * 10)],
                       validationLoss: [p(10, 0.7)], validationAccuracy: [p(10, 0.8)])
        }
        return ChartSnapshot(runs: [run("1", 0.05), run("2", 0.04)])
    }()

    @Test func cursorReadsEveryVisibleRun() {
        var pane = ChartPane(charts: Self.twoRuns)
        pane.mode = .ascii
        #expect(pane.handle(.left, key: .left).consumed)
        #expect(pane.cursorX == 10)
        _ = pane.handle(.left, key: .left)
        _ = pane.handle(.left, key: .left)
        #expect(pane.cursorX == 8)
        let readings = pane.cursorReadings()
        #expect(readings.map(\.run) == ["run 1", "run 2"])
        #expect(readings[0].trainLoss.map { abs($0 - 0.6) < 1e-9 } == true)
        #expect(readings[1].trainAccuracy.map { abs($0 - 0.82) < 1e-9 } == true)
        // Validation is logged at step 10 only: nothing at or before step 8.
        #expect(readings[0].validationLoss == nil)

        let (grid, _) = render(&pane, width: 64, height: 18)
        let top = (0..<3).map { grid.text(row: $0) }
        #expect(top[0].hasPrefix("at step 8 · ←→ move · Esc clears"), "\(top)")
        #expect(top[1].hasPrefix("■ run 1  loss 0.6000 val – · acc 0.9000 val –"), "\(top)")
        #expect(top[2].hasPrefix("■ run 2  loss 0.6800 val – · acc 0.8200 val –"), "\(top)")
        // A line marks the step on the plot.
        #expect((0..<18).contains { grid.text(row: $0).contains("│") })

        // A hidden run (the selected one, run 1) is not read; Esc takes the cursor away.
        _ = pane.handle(.toggleRun, key: .character(" "))
        #expect(pane.cursorReadings().map(\.run) == ["run 2"])
        _ = pane.handle(.escape, key: .escape)
        #expect(pane.cursorX == nil)
        #expect(!pane.handle(.escape, key: .escape).consumed)
    }

    @Test func clickPutsTheCursorOnTheNearestStep() {
        var s = WorkbenchState(size: Size(width: 100, height: 30))
        _ = s.update(.reply(.snapshot(WorkbenchSnapshot(sessionName: "c", charts: Self.twoRuns))))
        _ = s.render()
        guard let rect = s.paneRects()[.chart], let (r, render) = s.chart.lastRenders.first, let plot = render.plotArea else {
            Issue.record("no chart drawn")
            return
        }
        _ = rect
        // The plot's last column is the newest step.
        _ = s.update(.key(.mouse(x: r.x + plot.x + plot.width - 1, y: r.y + plot.y + 1, button: .left)))
        #expect(s.focus == .chart)
        #expect(s.chart.cursorX == 10)
    }

    @Test func legendShowsRawAndSmoothed() {
        let s = Series(name: "val", slot: 1, points: [(x: 1, y: 0.85), (x: 2, y: 0.9)])
        var o = ChartOptions(title: "", mode: .ascii, smoothing: 0.6)
        let smoothed = Chart.render([s], options: o, width: 50, height: 10)
        let last = (0..<10).map { String(smoothed.row($0).map(\.char)) }.joined(separator: "\n")
        #expect(last.contains("- val 0.9 ~0.8813"), "\(last)")
        o.smoothing = 0
        let raw = Chart.render([s], options: o, width: 50, height: 10)
        let text = (0..<10).map { String(raw.row($0).map(\.char)) }.joined(separator: "\n")
        #expect(text.contains("- val 0.9") && !text.contains("~"), "\(text)")
    }

    @Test func legendWithManyRunsIsSummarised() {
        let series = (0..<12).map { i in Series(name: "run \(i + 1) train", slot: i, points: [(x: 1, y: Double(i)), (x: 2, y: Double(i) + 1)]) }
        let r = Chart.render(series, options: ChartOptions(title: "", mode: .ascii, smoothing: 0), width: 60, height: 12)
        let text = (0..<12).map { String(r.row($0).map(\.char)) }
        let legend = text.suffix(3).joined(separator: "\n")
        #expect(legend.contains("more"), "\(text.joined(separator: "\n"))")
        // Every run is either listed or counted.
        let listed = (1...12).filter { legend.contains("run \($0) train") }.count
        let more = legend.split(separator: "+").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
        #expect(listed + more == 12, "\(legend)")
    }
}
