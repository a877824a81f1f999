import Basics
import Testing
import TerminalUI
import Charts
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

@Suite struct DatasetPaneTests {
    static let chinese = DatasetSnapshot(
        fileName: "zh-reviews.tsv",
        labelCounts: [LabelCount(label: "neg", count: 3), LabelCount(label: "pos", count: 2)],
        lengthHistogram: [HistogramBin(lowerBound: 1, upperBound: 10, count: 2), HistogramBin(lowerBound: 11, upperBound: 20, count: 3)],
        vocabularySize: 5000,
        examples: [
            DatasetExample(label: "pos", text: "这家酒店的服务非常好，房间干净，早餐丰富，前台热情，交通方便，下次还会再来，强烈推荐给大家"),
            DatasetExample(label: "neg", text: "质量很差，用了两天就坏了"),
            DatasetExample(label: "neg", text: "太差了，等了一个小时才上菜"),
            DatasetExample(label: "pos", text: "物流很快，包装完好"),
            DatasetExample(label: "neg", text: "客服态度恶劣，质量也不行"),
        ])

    @Test func chineseListAtTwoSizes() {
        for (w, h) in [(44, 14), (80, 24)] {
            var pane = DatasetPane(dataset: Self.chinese)
            let (grid, _) = render(&pane, width: w, height: h)
            let text = grid.text()
            #expect(grid.text(row: 0).hasPrefix("zh-reviews.tsv  5 examples · vocab 5,000"), "\(w)×\(h)")
            #expect(text.contains("neg "), "\(w)×\(h)")
            #expect(text.contains("examples · 5 shown"), "\(w)×\(h)")
            #expect(rowsAreWhole(grid), "\(w)×\(h)")
            // The long example is cut with "…" at the pane's width, the short ones are whole.
            let long = (0..<h).map(grid.text(row:)).first { $0.hasPrefix("pos 这家酒店") }
            #expect(long != nil, "\(w)×\(h)")
            #expect(long?.trimmingTrailingSpaces().hasSuffix("…") == true, "\(w)×\(h)")
            #expect((0..<h).map(grid.text(row:)).contains { $0.hasPrefix("neg 质量很差，用了两天就坏了") })
            // The selected (first) example is highlighted across the row.
            let row = (0..<h).first { grid.text(row: $0).hasPrefix("pos 这家酒店") } ?? 0
            #expect(grid.styles(row: row).allSatisfy { $0.role == .selection })
        }
        // Label bars on the larger size.
        var pane = DatasetPane(dataset: Self.chinese)
        let (grid, _) = render(&pane, width: 80, height: 24)
        let neg = grid.text(row: 1)
        #expect(neg.hasPrefix("neg  █"))
        #expect(neg.contains("3  60%"))
        #expect(grid.text(row: 3).hasPrefix("tokens "))
    }

    @Test func searchFilterAndMisclassified() {
        var pane = DatasetPane(dataset: Self.chinese)
        _ = pane.handle(.search, key: .character("/"))
        #expect(pane.keyContext == .commandLine)
        for k in typed("质量") { _ = pane.handle(nil, key: k) }
        #expect(pane.selection == 1)
        #expect(pane.matchCount == 2)
        let (grid, cursor) = render(&pane, width: 60, height: 16)
        #expect(grid.text(row: 15).hasPrefix("/质量"))
        #expect(cursor == Point(x: 5, y: 15))
        #expect(grid.text().contains("/质量: 2 matches"))
        _ = pane.handle(nil, key: .enter)
        #expect(pane.keyContext == .dataset)
        _ = pane.handle(.searchNext, key: .control("n"))
        #expect(pane.selection == 4)
        _ = pane.handle(.searchNext, key: .control("n"))
        #expect(pane.selection == 1)  // wraps
        _ = pane.handle(.searchPrevious, key: .control("p"))
        #expect(pane.selection == 4)

        // Label filter cycles neg → pos → all.
        _ = pane.handle(.filterLabel, key: .character("f"))
        #expect(pane.rows.map(\.label) == ["neg", "neg", "neg"])
        _ = pane.handle(.filterLabel, key: .character("f"))
        #expect(pane.rows.map(\.label) == ["pos", "pos"])
        _ = pane.handle(.filterLabel, key: .character("f"))
        #expect(pane.rows.count == 5)

        // Misclassified: refused before an evaluation, then the wrong ones with probabilities.
        let r = pane.handle(.filterMisclassified, key: .character("m"))
        #expect(r.requests.contains { if case .message(_, true) = $0 { return true } else { return false } })
        pane.setMisclassified(MisclassifiedExamples(split: "validation", evaluated: 5, examples: [
            DatasetExample(label: "pos", text: "物流很快，包装完好", predictedLabel: "neg", probability: 0.91),
        ]))
        _ = pane.handle(.filterMisclassified, key: .character("m"))
        let (g2, _) = render(&pane, width: 60, height: 16)
        #expect(g2.text().contains("pos→neg 0.91 物流很快，包装完好"))
        #expect(g2.text().contains("misclassified · 1 shown"))
    }
}

@Suite struct ChartPaneTests {
    func pane(points: Int = 30) -> ChartPane {
        var p = ChartPane()
        p.apply(.runStarted(RunInfo(id: "run-1")))
        for s in 1...points {
            p.apply(.batch(batch(s, loss: 1.0 / Double(s), accuracy: min(1, 0.5 + Double(s) / 60))))
            if s % 10 == 0 {
                p.apply(.epochEnded(EpochMetrics(run: "run-1", epoch: s / 10, epochs: 3, step: s, trainLoss: 1.0 / Double(s),
                                                 trainAccuracy: 0.6, validationLoss: 1.2 / Double(s), validationAccuracy: 0.55,
                                                 relativeTime: Double(s) * 0.05, wallTime: 1_700_000_000 + Double(s) * 0.05)))
            }
        }
        return p
    }

    /// A learner run (one epoch summary, no batches) is drawn as level lines across the
    /// neural runs' steps; alone, it is its one point.
    @Test func oneShotRunsAreLevelLines() {
        var p = pane()
        let point = MetricPoint(step: 0, epoch: 1, relativeTime: 0, wallTime: 1_700_000_000, value: 0.9)
        var charts = p.charts
        charts.runs.append(RunHistory(id: "2", name: "run 2 svm", epochLoss: [point], epochAccuracy: [point],
                                      validationLoss: [point], validationAccuracy: [point]))
        p.setCharts(charts)
        let accuracy = p.series(.accuracy)
        let svm = accuracy.filter { $0.name.hasPrefix("run 2 svm") }
        #expect(svm.map(\.name) == ["run 2 svm train", "run 2 svm val"])
        for s in svm {
            #expect(s.points.map(\.x) == [1, 30], "across the other run's steps: \(s.points)")
            #expect(s.points.allSatisfy { $0.y == 0.9 })
        }
        // Per epoch, too: across epochs 1…3.
        _ = p.handle(.chartGranularity, key: .character("e"))
        #expect(p.series(.accuracy).first { $0.name == "run 2 svm val" }?.points.map(\.x) == [1, 3])
        // Its loss is not drawn (not what it minimised; a tree's would flatten the rest).
        #expect(!p.series(.loss).contains { $0.name.hasPrefix("run 2 svm") })
        // Alone, the learner is a point.
        var alone = ChartPane()
        alone.setCharts(ChartSnapshot(runs: [charts.runs[1]]))
        #expect(alone.series(.accuracy).map(\.points.count) == [1, 1])
        #expect(alone.series(.loss).isEmpty)
        let (grid, _) = render(&p, width: 90, height: 30)
        #expect(grid.text().contains("run 2 svm val"))
    }

    @Test func knownSeriesAtTwoSizes() {
        var p = pane()
        let (big, _) = render(&p, width: 90, height: 30)
        let text = big.text()
        #expect(big.text(row: 0).hasPrefix("smooth 0.60 · x step · batch · braille · follow"))
        #expect(text.contains("loss"))
        #expect(text.contains("accuracy"))
        #expect(text.contains("━ train"))
        #expect(text.contains("━ val"))
        #expect(text.contains("runs"))
        #expect(text.contains("■ run-1"))
        // Braille dots in the train colour, faint raw line under the smoothed one.
        let roles = (0..<big.height).flatMap { big.styles(row: $0) }
        #expect(roles.contains(Style(.trainSeries)))
        #expect(roles.contains(Style(.trainSeries, .dim)))
        #expect(roles.contains(Style(.validationSeries)))
        #expect(text.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) })
        // The x axis reaches the last step.
        #expect(p.shownXRange == 1...30)

        var small = pane()
        let (g, _) = render(&small, width: 40, height: 10)
        #expect(rowsAreWhole(g))
        #expect(g.text().contains("loss"))
        #expect(g.text(row: 0).hasPrefix("smooth 0.60"))
    }

    @Test func keysReachEveryOption() {
        var p = pane()
        _ = render(&p, width: 90, height: 30)
        _ = p.handle(.smoothingUp, key: .character("+"))
        #expect(p.smoothing == 0.7)
        for _ in 0..<5 { _ = p.handle(.smoothingUp, key: .character("+")) }
        #expect(p.smoothing == 0.99)
        for _ in 0..<12 { _ = p.handle(.smoothingDown, key: .character("-")) }
        #expect(p.smoothing == 0)
        _ = p.handle(.logScale, key: .character("y"))
        #expect(p.logScale)
        _ = p.handle(.xAxisMode, key: .character("X"))
        #expect(p.xAxis == .relative)
        _ = p.handle(.xAxisMode, key: .character("X"))
        #expect(p.xAxis == .wall)
        _ = p.handle(.xAxisMode, key: .character("X"))
        #expect(p.xAxis == .step)
        _ = p.handle(.renderMode, key: .character("b"))
        #expect(p.mode == .block)
        _ = p.handle(.renderMode, key: .character("b"))
        _ = p.handle(.renderMode, key: .character("b"))
        #expect(p.mode == .ascii)
        let (ascii, _) = render(&p, width: 90, height: 30)
        #expect(ascii.text().contains("*"))
        #expect(ascii.text(row: 0).contains("log y"))
        _ = p.handle(.chartMetric, key: .character("v"))
        #expect(p.metricView == .loss)
        _ = p.handle(.chartGranularity, key: .character("e"))
        #expect(p.granularity == .epoch)
        _ = render(&p, width: 90, height: 30)
        #expect(p.shownXRange == 1...3)  // epochs on the step axis
        _ = p.handle(.chartGranularity, key: .character("e"))

        // Zoom follows the newest points; pan left freezes; reset fits again.
        _ = render(&p, width: 90, height: 30)
        _ = p.handle(.zoomIn, key: .character("]"))
        #expect(p.view == 15.5...30)
        _ = p.handle(.panLeft, key: .character("<"))
        #expect(!p.follow)
        #expect(p.view?.upperBound ?? 0 < 30)
        _ = p.handle(.resetZoom, key: .character("r"))
        #expect(p.view == nil && p.follow)
        _ = p.handle(.followLive, key: .character("f"))
        #expect(!p.follow && p.view == 1...30)
        // Frozen: new points do not move the view.
        p.apply(.batch(batch(31, loss: 0.01)))
        _ = render(&p, width: 90, height: 30)
        #expect(p.shownXRange == 1...30)
    }

    @Test func runsOverlaidHiddenAndSoloed() {
        var p = pane(points: 20)
        p.apply(.runStarted(RunInfo(id: "run-2")))
        for s in 1...10 { p.apply(.batch(batch(s, loss: 2.0 / Double(s), run: "run-2"))) }
        #expect(p.selectedRun == 1)
        let (g, _) = render(&p, width: 90, height: 30)
        let roles = Set((0..<g.height).flatMap { g.styles(row: $0) }.map(\.role))
        #expect(roles.contains(ThemeRole.series(0)) && roles.contains(ThemeRole.series(1)))
        #expect(g.text().contains("run-1 train"))
        _ = p.handle(.toggleRun, key: .character(" "))
        #expect(p.hidden == ["run-2"])
        let (g2, _) = render(&p, width: 90, height: 30)
        #expect(g2.text().contains("□ run-2"))
        _ = p.handle(.up, key: .character("k"))
        _ = p.handle(.enter, key: .enter)
        #expect(p.solo == "run-1")
        #expect(p.series(.loss).map(\.name) == ["train", "val"])
        _ = p.handle(.enter, key: .enter)
        #expect(p.solo == nil && p.hidden.isEmpty)
    }
}

@Suite struct ModelPaneTests {
    static let model = ModelSnapshot(
        layers: [
            LayerSnapshot(name: "embedding", typeLabel: "Embedding(64)", kind: .embedding, outputShape: "(None, 100, 64)",
                          parameterCount: 320_000, settings: [LayerSetting(kind: .units, label: "dim", value: "64")]),
            LayerSnapshot(name: "lstm", typeLabel: "LSTM(64)", kind: .lstm, outputShape: "(None, 64)",
                          parameterCount: 33_024, settings: [LayerSetting(kind: .units, value: "64")]),
            LayerSnapshot(name: "dense", typeLabel: "Dense(1, sigmoid)", kind: .dense, outputShape: "(None, 1)", parameterCount: 65),
        ],
        inputShape: "(None, 100)", optimizer: "Adam", optimizerSettings: [NamedValue("lr", "0.001")],
        loss: "binary_crossentropy")

    @Test func graphAtTwoSizes() {
        var pane = ModelPane(model: Self.model)
        let (big, _) = render(&pane, width: 60, height: 20)
        let rows = (0..<20).map(big.text(row:))
        #expect(rows[0].hasPrefix("Input (None, 100)"))
        #expect(rows[1].hasPrefix("┏━ embedding ━"))
        #expect(rows[2].hasPrefix("┃ Embedding(64)      (None, 100, 64)  320,000 ┃"))
        #expect(rows[4].hasPrefix("                       ↓"))
        #expect(rows[6].hasPrefix("│ LSTM(64)           (None, 64)        33,024 │"))
        #expect(rows.contains { $0.hasPrefix("Total params 353,089") })
        #expect(rows.contains { $0.hasPrefix("Optimizer Adam  lr 0.001") })
        #expect(rows.contains { $0.hasPrefix("Loss binary_crossentropy") })

        let (small, _) = render(&pane, width: 40, height: 7)
        let srows = (0..<7).map(small.text(row:))
        #expect(srows[0].hasPrefix("Input (None, 100)"))
        #expect(srows[1].hasPrefix("▸ Embedding(64)                  320,000"))
        #expect(srows[2].hasPrefix("  ↓"))
        #expect(srows[3].hasPrefix("  LSTM(64)                        33,024"))
        #expect(srows[6] == "353,089 params · Adam · binary_crossent…")
        #expect(small.styles(row: 1).allSatisfy { $0.role == .selection })
        #expect(rowsAreWhole(small))
    }

    @Test func editsGoToTheServiceAndTheAnswerIsDrawn() async {
        let fake = FakeWorkbenchService(configuration: .init(batchInterval: nil))
        let snapshot = await fake.snapshot()
        var pane = ModelPane(model: snapshot.model)
        _ = pane.handle(.down, key: .character("j"))
        _ = pane.handle(.editLayer, key: .character("e"))
        #expect(pane.keyContext == .commandLine)
        let (g, cursor) = render(&pane, width: 60, height: 20)
        #expect(g.text(row: 19).hasPrefix("units: 64"))
        #expect(cursor == Point(x: 9, y: 19))
        for k in [Key.backspace, .backspace] + typed("32") { _ = pane.handle(nil, key: k) }
        let r = pane.handle(nil, key: .enter)
        guard case let .call(.edit(edit))? = r.requests.first else {
            Issue.record("expected an edit request, got \(r.requests)")
            return
        }
        #expect(edit == .setUnits(layer: 1, units: 32))
        guard case let .applied(m) = await fake.applyModelEdit(edit) else {
            Issue.record("the fake refused")
            return
        }
        pane.applied(edit, model: m)
        let (after, _) = render(&pane, width: 60, height: 20)
        let text = after.text()
        #expect(text.contains("LSTM(32)"))
        #expect(text.contains("12,416"))  // 4 × (32 × (64 + 32) + 32)
        #expect(pane.selection == 1)
        #expect(text.contains("Total params \(Digits.grouped(m.totalParameters))"))

        // A refused edit: deleting the embedding.
        _ = pane.handle(.top, key: .character("g"))
        let del = pane.handle(.deleteLayer, key: .character("d"))
        guard case let .call(.edit(delEdit))? = del.requests.first else {
            Issue.record("expected a delete request")
            return
        }
        guard case let .refused(reason) = await fake.applyModelEdit(delEdit) else {
            Issue.record("deleting the embedding should be refused")
            return
        }
        #expect(reason.contains("first layer must be an Embedding"))
        pane.refused(delEdit)
        // A bad value never reaches the service.
        _ = pane.handle(.down, key: .character("j"))
        _ = pane.handle(.editLayer, key: .character("e"))
        for k in [Key.backspace, .backspace] + typed("x") { _ = pane.handle(nil, key: k) }
        let bad = pane.handle(nil, key: .enter)
        #expect(bad.requests == [.message("units must be a whole number above 0, not \"x\"", warning: true)])
    }

    @Test func fakeModelShapeRules() {
        let m = FakeModel(preset: "cnn", vocabulary: 1000, sequenceLength: 50, classes: 4)
        guard case let .success(s) = m.build() else {
            Issue.record("cnn should build")
            return
        }
        #expect(s.layers.map(\.outputShape) == ["(None, 50, 64)", "(None, 46, 64)", "(None, 64)", "(None, 4)"])
        #expect(s.layers.map(\.parameterCount) == [64_000, 5 * 64 * 64 + 64, 0, 64 * 4 + 4])
        // An LSTM after the pooling has no sequence to read.
        guard case let .failure(e) = m.applying(.addLayer(.lstm, at: 3)) else {
            Issue.record("LSTM after pooling should be refused")
            return
        }
        #expect(e.description.contains("LSTM(64) needs a sequence input"))
        guard case .failure = m.applying(.deleteLayer(at: 3)) else {
            Issue.record("the head cannot be deleted")
            return
        }
        guard case let .success(g) = m.applying(.applyPreset("gru")), case let .success(gs) = g.build() else {
            Issue.record("preset gru should apply")
            return
        }
        #expect(gs.layers[1].parameterCount == 3 * (64 * (64 + 64) + 2 * 64))
    }
}

@Suite struct ConsolePaneTests {
    static let prediction = ConsoleSnapshot(
        text: "great but slow", classNames: ["neg", "pos"], probabilities: [0.25, 0.75],
        tokens: [TokenAttribution("great", score: 1.0), TokenAttribution("but", score: 0.05), TokenAttribution("slow", score: -0.5)])

    @Test func probabilitiesAndTokensAtTwoSizes() {
        for (w, h) in [(40, 6), (70, 12)] {
            var pane = ConsolePane()
            pane.setText("great but slow")
            pane.show(Self.prediction)
            let (g, cursor) = render(&pane, width: w, height: h)
            let rows = (0..<h).map(g.text(row:))
            #expect(rows[0].hasPrefix("› great but slow"), "\(w)×\(h)")
            #expect(cursor == Point(x: 16, y: 0))
            let pos = rows.firstIndex { $0.hasPrefix("pos ") }
            let neg = rows.firstIndex { $0.hasPrefix("neg ") }
            #expect(pos != nil && neg != nil && pos! < neg!, "\(w)×\(h)")
            #expect(rows[pos ?? 0].trimmingTrailingSpaces().hasSuffix("█ 0.75") || rows[pos ?? 0].trimmingTrailingSpaces().hasSuffix(" 0.75"))
            #expect(rows[neg ?? 0].trimmingTrailingSpaces().hasSuffix(" 0.25"))
            // Tokens: green for "great" (bold: the strongest), red for "slow", plain "but".
            guard let t = rows.firstIndex(where: { $0.hasPrefix("great but slow") }) else {
                Issue.record("no token row at \(w)×\(h)")
                continue
            }
            let styles = g.styles(row: t)
            #expect(styles[0] == Style(.tokenPositive, .bold))
            #expect(styles[6] == Style(.dim))
            #expect(styles[10] == Style(.tokenNegative))
            #expect(rowsAreWhole(g))
        }
    }

    @Test func typingAsksForPredictionsAndManyClassesShowTopK() {
        var pane = ConsolePane()
        var asked: [String] = []
        for k in typed("好吃") {
            let r = pane.handle(nil, key: k)
            for case let .predict(t) in r.requests { asked.append(t) }
        }
        #expect(asked == ["好", "好吃"])
        #expect(pane.handle(.escape, key: .escape).requests == [.leaveConsole])
        #expect(pane.handle(.focusNext, key: .tab) == .ignored)

        let names = (0..<20).map { "class\($0)" }
        let probs = (0..<20).map { Double($0 + 1) / 210 }
        pane.show(ConsoleSnapshot(text: "好吃", classNames: names, probabilities: probs))
        let (g, _) = render(&pane, width: 50, height: 14)
        let text = g.text()
        #expect(g.text(row: 2).hasPrefix("class19"))
        #expect(text.contains("… 10 more classes"))
        #expect(g.text(row: 11).hasPrefix("class10"))
        #expect(!text.contains("class0 "))
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
