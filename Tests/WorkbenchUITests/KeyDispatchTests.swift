import Testing
import TerminalUI
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

@Suite struct KeyDispatchTests {
    @Test func focusMovesWithTabShiftTabAndDigits() async {
        var s = await loadedState()
        #expect(s.focus == .dataset)
        press(&s, .tab)
        #expect(s.focus == .model)
        press(&s, .tab, .tab)
        #expect(s.focus == .console)
        press(&s, .tab)
        #expect(s.focus == .dataset)
        press(&s, .backTab)
        #expect(s.focus == .console)
        // In the console digits are text; Esc leaves to where the focus came from.
        press(&s, typed("3"))
        #expect(s.focus == .console && s.console.text == "3")
        press(&s, .escape)
        #expect(s.focus == .dataset)
        press(&s, .character("3"))
        #expect(s.focus == .chart)
        press(&s, .character("4"))
        press(&s, .escape)
        #expect(s.focus == .chart)
        press(&s, .character("2"))
        #expect(s.focus == .model)
        press(&s, .character("1"))
        #expect(s.focus == .dataset)
        // The focused pane has the heavy frame.
        let (grid, _) = s.render()
        #expect(grid.text(row: 0).hasPrefix("┏━ 1 Dataset · reviews-demo.tsv"))
        #expect(grid.text(row: 0).contains("┌─ 3 Chart"))
    }

    @Test func zoomFillsTheScreenWithTheFocusedPane() async {
        var s = await loadedState()
        press(&s, .character("2"), .character("z"))
        #expect(s.zoomed)
        #expect(s.paneRects() == [.model: Rect(x: 0, y: 0, width: 100, height: 28)])
        let (grid, _) = s.render()
        #expect(grid.text(row: 0).hasPrefix("┏━ 2 Model · "))
        #expect(grid.text(row: 0).contains("z restores"))
        #expect(grid.text(row: 27).hasPrefix("┗"))
        #expect(!grid.text().contains("1 Dataset"))
        // Focus moves keep the zoom, on the newly focused pane.
        press(&s, .tab)
        #expect(s.paneRects().keys.first == .chart)
        press(&s, .character("z"))
        #expect(!s.zoomed && s.paneRects().count == 4)
    }

    @Test func helpOverlayListsEveryKey() async {
        var s = await loadedState(size: Size(width: 100, height: 40))
        press(&s, .character("?"))
        #expect(s.overlay == .help(scroll: 0))
        let (grid, cursor) = s.render()
        #expect(cursor == nil)
        let text = grid.text()
        #expect(text.contains("Help — Esc closes"))
        #expect(text.contains("?, F1      Show or hide this help"))
        #expect(text.contains("Tab        Focus the next pane"))
        // Every line of the key table is reachable by scrolling.
        var seen = Set<String>()
        for _ in 0..<40 {
            let (g, _) = s.render()
            for r in 0..<g.height { seen.insert(g.text(row: r)) }
            press(&s, .pageDown)
        }
        for line in s.keyMap.helpLines() where !line.isEmpty {
            #expect(seen.contains { $0.contains(line.trimmingTrailingSpaces()) }, "\(line)")
        }
        #expect(seen.contains { $0.contains(":smoothing <0–0.99>") })
        press(&s, .escape)
        #expect(s.overlay == nil)
        press(&s, .function(1))
        #expect(s.overlay != nil)
        press(&s, .character("?"))
        #expect(s.overlay == nil)
    }

    @Test func commandLineReachesActionsByName() async {
        var s = await loadedState()
        press(&s, .character(":"))
        #expect(s.bottom == .command && s.keyContext == .commandLine)
        var (grid, cursor) = s.render()
        #expect(grid.text(row: 29).hasPrefix(":"))
        #expect(cursor == Point(x: 1, y: 29))
        press(&s, typed("smoothing 0.8"))
        (grid, _) = s.render()
        #expect(grid.text(row: 29).hasPrefix(":smoothing 0.8"))
        press(&s, .enter)
        #expect(s.chart.smoothing == 0.8 && s.bottom == .hints)

        func run(_ line: String) -> [Effect] {
            press(&s, .character(":"))
            return answeringEdits(&s, press(&s, typed(line) + [.enter]))
        }
        #expect(calls(run("train")) == [.startTraining])
        #expect(calls(run("theme light")) == [.setTheme("light")])
        #expect(calls(run("theme")) == [.setTheme("light")])  // the next after "dark"
        #expect(calls(run("preset cnn")) == [.edit(.applyPreset("cnn"))])
        press(&s, .character("2"), .character("j"))
        #expect(calls(run("units 32")) == [.edit(.setUnits(layer: 1, units: 32))])
        #expect(calls(run("rate 0.3")).isEmpty)
        #expect(s.status.messageIsWarning && s.status.lastMessage == "LSTM(64) has no rate setting")
        #expect(calls(run("add dropout")) == [.edit(.addLayer(.dropout, at: 2))])
        _ = run("add")
        guard case let .picker(p)? = s.overlay, case .addLayer(at: 2) = p.purpose else {
            Issue.record("expected the layer picker")
            return
        }
        press(&s, .escape)
        _ = run("log on")
        #expect(s.chart.logScale)
        _ = run("xaxis wall")
        #expect(s.chart.xAxis == .wall)
        _ = run("render ascii")
        #expect(s.chart.mode == .ascii)
        _ = run("per epoch")
        #expect(s.chart.granularity == .epoch)
        _ = run("filter pos")
        #expect(s.dataset.rows.allSatisfy { $0.label == "pos" })
        _ = run("focus console")
        #expect(s.focus == .console)
        press(&s, .escape)
        // Key actions by name, also pane actions while another pane has the focus.
        _ = run("focus_chart")
        #expect(s.focus == .chart)
        _ = run("filter-label")
        #expect(s.dataset.rows.count == FakeData.dataset.examples.count)
        _ = run("zoom_in")
        _ = run("help")
        #expect(s.overlay == .help(scroll: 0))
        press(&s, .escape)
        _ = run("frobnicate")
        #expect(s.status.lastMessage == "unknown command :frobnicate (:help lists them)")
        // Tab completes, Esc cancels.
        press(&s, .character(":"))
        press(&s, typed("smoo") + [.tab])
        #expect(s.commandEditor.text == "smoothing")  // also smoothing_up, smoothing_down
        press(&s, .control("u"))
        press(&s, typed("pres") + [.tab])
        #expect(s.commandEditor.text == "preset ")
        press(&s, .escape)
        #expect(s.bottom == .hints)
    }

    @Test func trainingKeysBecomeServiceCalls() async {
        var s = await loadedState()
        #expect(calls(press(&s, .character("t"))) == [.startTraining])
        #expect(calls(press(&s, .character("p"))).isEmpty)  // not training yet
        _ = s.update(.service(.stateChanged(.training)))
        #expect(calls(press(&s, .character("p"))) == [.pauseTraining])
        _ = s.update(.service(.stateChanged(.paused)))
        #expect(calls(press(&s, .character("p"))) == [.resumeTraining])
        #expect(calls(press(&s, .character("n"))) == [.stepTraining])
        #expect(calls(press(&s, .character("x"))) == [.stopTraining])
        #expect(calls(press(&s, .character("s"))) == [.save])
        #expect(calls(press(&s, .character("o"))) == [.listSessions])
        _ = s.update(.reply(.sessions([SessionSummary(name: "demo"), SessionSummary(name: "news-titles")])))
        let (grid, _) = s.render()
        #expect(grid.text().contains("Open session"))
        #expect(grid.text().contains("news-titles"))
        #expect(calls(press(&s, .down, .enter)) == [.openSession("news-titles")])
        press(&s, .character("N"))
        #expect(s.bottom == .prompt(.newSession))
        #expect(calls(press(&s, typed("exp2") + [.enter])) == [.newSession("exp2")])
        #expect(calls(press(&s, .character("T"))) == [.setTheme("light")])
        let effects = s.update(.reply(.theme("light", .applied(FakeData.lightTheme))))
        #expect(effects == [.applyTheme(FakeData.lightTheme)])
        #expect(s.themeName == "light")
    }

    @Test func quitAsksWhileTraining() async {
        var s = await loadedState()
        #expect(press(&s, .character("q")) == [.quit])
        s = await loadedState()
        _ = s.update(.service(.stateChanged(.training)))
        #expect(press(&s, .character("q")).isEmpty)
        guard case let .confirm(.quit, message)? = s.overlay else {
            Issue.record("expected a question")
            return
        }
        #expect(message == "Training is running. Quit anyway?")
        #expect(s.render().grid.text().contains("Training is running. Quit anyway?  (y/n)"))
        press(&s, .character("n"))
        #expect(s.overlay == nil && !s.isQuitting)
        press(&s, .control("c"))
        #expect(press(&s, .character("y")) == [.quit])
        #expect(s.isQuitting)
    }

    @Test func modelEditsAndRefusals() async {
        var s = await loadedState()
        press(&s, .character("2"))
        // a → type picker → Enter on the highlighted type sends the edit at selection + 1.
        press(&s, .character("a"))
        guard case let .picker(p)? = s.overlay else {
            Issue.record("expected the layer picker")
            return
        }
        #expect(p.items.map(\.label).contains("LSTM"))
        #expect(calls(press(&s, .down, .enter)) == [.edit(.addLayer(.dense, at: 1))])
        // A refusal is shown in the status line, in the warning colour.
        _ = s.update(.reply(.edit(.addLayer(.dense, at: 1), .refused("stop training before changing the model"))))
        let (grid, _) = s.render()
        #expect(grid.text(row: 28).contains("refused: stop training before changing the model"))
        #expect(s.status.messageIsWarning)
        #expect(calls(answeringEdits(&s, press(&s, .character("J")))) == [.edit(.moveLayer(from: 0, to: 1))])
        #expect(calls(press(&s, .character("K"))).isEmpty)  // already at the top
        #expect(s.status.lastMessage == "the layer is already at the top")
        #expect(calls(answeringEdits(&s, press(&s, .character("d")))) == [.edit(.deleteLayer(at: 0))])
        press(&s, .character("P"))
        guard case let .picker(pp)? = s.overlay else {
            Issue.record("expected the preset picker")
            return
        }
        #expect(pp.items.map(\.value) == ["seed", "lstm", "gru", "cnn", "attention"])
        #expect(pp.selection == 1)  // the current preset
        #expect(calls(press(&s, .down, .down, .enter)) == [.edit(.applyPreset("cnn"))])
    }

    @Test func predictionsAreLatestWins() async {
        var s = await loadedState()
        press(&s, .character("4"))
        let effects = press(&s, typed("ab"))
        #expect(calls(effects) == [.predict(id: 1, text: "a"), .predict(id: 2, text: "ab")])
        let p2 = ConsoleSnapshot(text: "ab", classNames: ["neg", "pos"], probabilities: [0.1, 0.9])
        let p1 = ConsoleSnapshot(text: "a", classNames: ["neg", "pos"], probabilities: [0.6, 0.4])
        _ = s.update(.reply(.prediction(id: 2, text: "ab", p2)))
        _ = s.update(.reply(.prediction(id: 1, text: "a", p1)))  // late and stale: dropped
        #expect(s.console.prediction == p2)
        // Backspace to empty clears without asking.
        #expect(calls(press(&s, .backspace, .backspace)) == [.predict(id: 3, text: "a")])
        #expect(s.console.prediction == nil)
        _ = s.update(.reply(.prediction(id: 3, text: "a", p1)))
        #expect(s.console.prediction == nil)
    }

    @Test func tooSmallShowsTheNotice() async {
        var s = await loadedState(size: Size(width: 39, height: 12))
        let (grid, cursor) = s.render()
        #expect(grid.text().contains("Terminal too small"))
        #expect(grid.text().contains("need 40×12, have 39×12"))
        #expect(cursor == nil)
        #expect(press(&s, .character("t")).isEmpty)
        _ = s.update(.resize(Size(width: 40, height: 12)))
        let (g2, _) = s.render()
        #expect(!g2.text().contains("Terminal too small"))
        #expect(g2.text(row: 0).hasPrefix("┏━ 1 Dataset"))
        #expect(rowsAreWhole(g2))
        #expect(press(&s, .character("q")) == [.quit])
    }

    @Test func statusLineAndHints() async {
        var s = await loadedState()
        _ = s.update(.service(.runStarted(RunInfo(id: "run-1"))))
        _ = s.update(.service(.stateChanged(.training)))
        _ = s.update(.service(.batch(batch(13, loss: 0.4))))
        let (grid, _) = s.render()
        #expect(grid.text(row: 28).hasPrefix(" demo │ training │ epoch 2/3 · batch 3/10 │ 640/s │ ETA 1s │ run run-1 started"))
        #expect(grid.text(row: 29).hasPrefix(" f label  m wrong  z zoom  ? help  q quit  t train  p pause  n step  x stop"))
        press(&s, .character("2"))
        #expect(s.render().grid.text(row: 29).hasPrefix(" a add  d delete  e edit  K move up  J move down  P preset  z zoom"))
        press(&s, .character("3"))
        #expect(s.render().grid.text(row: 29).hasPrefix(" + smooth  y log y  X x axis  r reset  f follow  Space hide run  e batch/epoch"))
    }
}

@Suite struct MouseTests {
    @Test func clickFocusesThePaneUnderIt() async throws {
        var s = await loadedState()
        let rects = s.paneRects()
        for kind in [PaneKind.chart, .console, .model, .dataset] {
            let r = rects[kind]!
            press(&s, .mouse(x: r.x + r.width / 2, y: r.y + r.height / 2, button: .left))
            #expect(s.focus == kind, "click in \(kind)")
        }
        // Outside every pane (the status line): focus stays.
        press(&s, .mouse(x: 0, y: s.size.height - 1, button: .left))
        #expect(s.focus == .dataset)
        // A click on an example line selects that example.
        let (grid, _) = s.render()
        let second = s.dataset.rows[1].text
        let y = try #require((0..<s.size.height).first { grid.text(row: $0).contains(String(second.prefix(6))) })
        press(&s, .mouse(x: rects[.dataset]!.x + 2, y: y, button: .left))
        #expect(s.dataset.selection == 1)
        // …and a click on a layer selects it in the model pane.
        let (grid2, _) = s.render()
        let lastLayer = s.model.model!.layers.count - 1
        let name = s.model.model!.layers[lastLayer].typeLabel
        let ly = try #require((rects[.model]!.y..<rects[.model]!.maxY).first { grid2.text(row: $0).contains(name) })
        press(&s, .mouse(x: rects[.model]!.x + 3, y: ly, button: .left))
        #expect(s.focus == .model && s.model.selection == lastLayer)
    }
}

@Suite struct RememberedThemeTests {
    @Test func aSessionsThemeIsRequestedWhenItIsNotOnScreen() async {
        let fake = FakeWorkbenchService(configuration: .init(batchInterval: nil))
        var snapshot = await fake.snapshot()
        var state = WorkbenchState(size: Size(width: 100, height: 30))
        snapshot.themeName = "light"
        let effects = state.update(.reply(.snapshot(snapshot)))
        #expect(effects.contains { if case .call(.setTheme("light")) = $0 { return true }; return false })
        // The default (dark) is already on screen: nothing to ask.
        var again = WorkbenchState(size: Size(width: 100, height: 30))
        snapshot.themeName = "dark"
        let none = again.update(.reply(.snapshot(snapshot)))
        #expect(!none.contains { if case .call(.setTheme) = $0 { return true }; return false })
    }
}

@Suite struct LeaderboardTests {
    static let entries = [
        LeaderboardEntry(id: "2", model: "svm", validationAccuracy: 0.845, trainAccuracy: 0.995, trainingSeconds: 4.4),
        LeaderboardEntry(id: "1", model: "Embedding(64) → LSTM(64) → Dense(1, sigmoid)", validationAccuracy: 0.827,
                         trainAccuracy: 0.9, epochs: 3, trainingSeconds: 61, isCurrent: false),
        LeaderboardEntry(id: "3", model: "nb", epochs: nil, isCurrent: true, isInConsole: true, canOpen: false),
    ]

    /// R opens the leaderboard (loading, then the service's ranking, the console's run
    /// selected); Enter asks for that run in the console; the console says which run answers
    /// and re-classifies its line; a new run clears that.
    @Test func rankedRunsOpenInTheConsole() async {
        var s = await loadedState(size: Size(width: 120, height: 30))
        press(&s, .character("4"))
        press(&s, typed("good"))
        press(&s, .escape)
        #expect(calls(press(&s, .character("R"))) == [.leaderboard])
        #expect(s.render().grid.text().contains("loading…"))
        _ = s.update(.reply(.leaderboard(Self.entries)))
        guard case let .picker(p)? = s.overlay else {
            Issue.record("expected the leaderboard")
            return
        }
        #expect(p.purpose == .run && p.items.map(\.value) == ["2", "1", "3"])
        #expect(p.selection == 2, "the run in the console is selected")
        let text = s.render().grid.text()
        #expect(text.contains("run 2  svm") && text.contains("val 0.845 · train 0.995 · 4.4 s"), "\(text)")
        #expect(text.contains("val 0.827 · train 0.900 · 3 epochs · 61.0 s"))
        #expect(p.items[2].detail == "val – · train – · 0.0 s · current, in console, not kept")
        #expect(calls(press(&s, .up, .up, .enter)) == [.useInConsole("2")])
        #expect(s.overlay == nil)
        // The service's answer: the console shows the run and classifies the line again.
        let effects = s.update(.reply(.command(.useInConsole("2"), .done("console: run 2 svm"))))
        #expect(calls(effects).count == 1, "the console line is classified again with the run")
        #expect(s.console.runLabel == "run 2 svm")
        #expect(s.render().grid.text().contains("run 2 svm"))
        #expect(s.status.lastMessage == "console: run 2 svm")
        // A refusal is shown as a warning and changes nothing.
        _ = s.update(.reply(.command(.useInConsole("3"), .refused("run 3's weights were not kept"))))
        #expect(s.status.messageIsWarning && s.console.runLabel == "run 2 svm")
        // A new run: the console answers with it again.
        _ = s.update(.service(.runStarted(RunInfo(id: "4"))))
        #expect(s.console.runLabel == nil)
        // The command line reaches the same.
        #expect(calls(press(&s, [.character(":")] + typed("use 1") + [.enter])) == [.useInConsole("1")])
        #expect(calls(press(&s, [.character(":")] + typed("use current") + [.enter])) == [.useInConsole(nil)])
        #expect(calls(press(&s, [.character(":")] + typed("runs") + [.enter])) == [.leaderboard])
        press(&s, .escape)   // the leaderboard :runs opened
        #expect(calls(press(&s, [.character(":")] + typed("zoo") + [.enter])) == [.trainLearners(Commands.zoo)])
        #expect(calls(press(&s, [.character(":")] + typed("zoo svm nb:alpha=0.1") + [.enter])) == [.trainLearners(["svm", "nb:alpha=0.1"])])
    }

    /// The fake service ranks its runs and refuses a run that does not exist.
    @Test func fakeServiceRanksRuns() async {
        let fake = FakeWorkbenchService(configuration: .init(epochs: 1, batchesPerEpoch: 4, batchInterval: nil))
        _ = await fake.startTraining()
        await fake.advance(batches: 4)
        _ = await fake.applyModelEdit(.applyPreset("gru"))
        _ = await fake.startTraining()
        await fake.advance(batches: 4)
        let board = await fake.leaderboard()
        #expect(board.count == 2)
        #expect(board.map(\.validationAccuracy) == board.map(\.validationAccuracy).sorted { ($0 ?? -1) > ($1 ?? -1) })
        #expect(await fake.useInConsole(run: "nope") == .refused("no run nope (runs: run-1, run-2)"))
        #expect(await fake.useInConsole(run: "run-1") == .done("console: run-1"))
    }
}
