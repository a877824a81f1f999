import Charts
import TerminalUI

/// What the x axis measures.
public enum XAxisMode: String, CaseIterable, Hashable, Sendable {
    /// Batch number (per-epoch plots: the epoch number).
    case step
    /// Seconds since the run started.
    case relative
    /// Clock time.
    case wall
}

/// Which charts the pane shows.
public enum ChartMetricView: String, CaseIterable, Hashable, Sendable {
    case both, loss, accuracy
}

/// Per-batch or per-epoch points.
public enum ChartGranularity: String, CaseIterable, Hashable, Sendable {
    case batch, epoch
}

/// Loss and accuracy of every run, train against validation, TensorBoard style: smoothing
/// (`+`/`-`), log y (`y`), x axis step / relative / wall (`X`), drawing braille / block /
/// half-block / ASCII (`b`), zoom (`]`/`[`), pan (`<`/`>`), reset (`r`), live-follow or frozen
/// (`f`), loss/accuracy (`v`), per batch or epoch (`e`). A run list picks runs with `j`/`k`,
/// hides one with Space and shows only one with Enter. Runs keep their colour by index.
public struct ChartPane: Pane {
    public static let kind = PaneKind.chart

    /// Every point received (keys, the run list and `series` read this).
    public private(set) var charts = ChartSnapshot()
    /// What a big chart draws while it waits for its next refresh: `charts` as of the last
    /// one (nil: it draws `charts`). Drawing walks every point (~15 ms at 100,000), so a big
    /// chart takes in new points at most every `bigRefreshSeconds`, on the update loop's
    /// `.frame` event, and keys stay fast. Holding costs one copy of the points per refresh.
    private var held: ChartSnapshot?
    private var heldVersion: UInt64 = 0
    /// Run ids not drawn.
    public private(set) var hidden: Set<String> = []
    /// The run shown alone, if any.
    public private(set) var solo: String?
    public private(set) var selectedRun = 0
    /// The x the cursor reads the runs at (←/→, a click); nil: no cursor.
    public internal(set) var cursorX: Double?
    public var smoothing = 0.6
    public var logScale = false
    public var xAxis = XAxisMode.step
    public var mode = ChartMode.braille
    public var metricView = ChartMetricView.both
    public var granularity = ChartGranularity.batch
    /// The zoom window as last set, nil to fit the data. While following, the window shown
    /// slides to the newest point (`shownRange`); this value stays as set.
    public private(set) var view: ClosedRange<Double>?
    /// Keep the newest points in view as they arrive.
    public private(set) var follow = true
    /// Seconds east of UTC for wall-clock labels.
    public var utcOffset = 0
    /// Identifies the contents of `charts` (random, not counted: copies of the state that
    /// change apart never share an id, so the render memo cannot mix them up).
    private var dataVersion: UInt64 = 0
    /// When a big chart last took in new points (the `.frame` time, seconds).
    private var refreshedAt = -Double.infinity
    /// Remembers the last drawing, so a frame redrawn for another reason (a keystroke in the
    /// console) does not walk every point again. A memo only: what is drawn is the same with
    /// or without it.
    private let memo = RenderMemo()
    /// With this many points or more, new data is drawn at most every `bigRefreshSeconds`.
    static let bigChartPoints = 20_000
    static let bigRefreshSeconds = 0.15

    fileprivate struct RenderKey: Equatable {
        var version: UInt64, smoothing: Double, logScale: Bool, xAxis: XAxisMode, granularity: ChartGranularity
        var mode: ChartMode, view: ClosedRange<Double>?, follow: Bool, hidden: Set<String>, solo: String?
        var metricView: ChartMetricView, area: Rect
    }

    fileprivate final class RenderMemo {
        var key: RenderKey?
        var renders: [(Rect, ChartRender)] = []
        var single = true
    }

    /// The charts as last drawn, with where (for a click to find its x).
    var lastRenders: [(Rect, ChartRender)] { memo.renders }

    private func renderKey(_ area: Rect) -> RenderKey {
        RenderKey(version: drawnVersion, smoothing: smoothing, logScale: logScale, xAxis: xAxis, granularity: granularity,
                  mode: mode, view: view, follow: follow, hidden: hidden, solo: solo, metricView: metricView, area: area)
    }

    public init(charts: ChartSnapshot = ChartSnapshot()) {
        self.charts = charts
        dataVersion = UInt64.random(in: 1...UInt64.max)
    }

    /// The points the charts draw.
    public var drawn: ChartSnapshot { held ?? charts }
    private var drawnVersion: UInt64 { held == nil ? dataVersion : heldVersion }

    public var keyContext: KeyContext { .chart }

    public var subtitle: String {
        charts.runs.isEmpty ? "" : "\(charts.runs.count) run\(charts.runs.count == 1 ? "" : "s")"
    }

    // MARK: Data

    public mutating func setCharts(_ c: ChartSnapshot) {
        charts = c
        held = nil
        dataVersion = UInt64.random(in: 1...UInt64.max)
        hidden = hidden.filter { id in c.runs.contains { $0.id == id } }
        if let s = solo, !c.runs.contains(where: { $0.id == s }) { solo = nil }
        selectedRun = min(selectedRun, max(0, c.runs.count - 1))
        if c.runs.isEmpty { view = nil; follow = true }
        cursorX = nil
    }

    /// Puts back which runs were hidden, shown alone and selected (for runs still there).
    mutating func restoreSelection(hidden: Set<String>, solo: String?, selected: Int) {
        self.hidden = hidden.filter { id in charts.runs.contains { $0.id == id } }
        self.solo = solo.flatMap { s in charts.runs.contains { $0.id == s } ? s : nil }
        selectedRun = min(max(0, selected), max(0, charts.runs.count - 1))
    }

    /// Records a service event; returns true when the charts changed.
    @discardableResult
    public mutating func apply(_ event: ServiceEvent) -> Bool {
        let before = charts.runs.count
        if held == nil, Self.pointCount(charts) >= Self.bigChartPoints, Self.changesCharts(event) {
            held = charts
            heldVersion = dataVersion
        }
        let changed = charts.apply(event)
        if changed { dataVersion = UInt64.random(in: 1...UInt64.max) }
        if case .runStarted = event, charts.runs.count > before { selectedRun = charts.runs.count - 1 }
        return changed
    }

    static func changesCharts(_ event: ServiceEvent) -> Bool {
        switch event {
        case .runStarted, .batch, .epochEnded, .sessionLoaded: return true
        default: return false
        }
    }

    /// A frame is about to be drawn at `now` (seconds): a big chart takes in the points that
    /// arrived, if it has not done so in the last `bigRefreshSeconds`.
    public mutating func frame(at now: Double) {
        guard held != nil, now - refreshedAt >= Self.bigRefreshSeconds || now < refreshedAt else { return }
        held = nil
        refreshedAt = now
    }

    /// Points received that the charts do not draw yet (a big chart between refreshes).
    public var isBehind: Bool { held != nil }

    static func pointCount(_ c: ChartSnapshot) -> Int {
        c.runs.reduce(0) { $0 + $1.batchLoss.count + $1.batchAccuracy.count + $1.epochLoss.count + $1.epochAccuracy.count
            + $1.validationLoss.count + $1.validationAccuracy.count }
    }

    public func isVisible(_ run: RunHistory) -> Bool {
        if let s = solo { return run.id == s }
        return !hidden.contains(run.id)
    }

    // MARK: Keys

    public mutating func handle(_ action: KeyAction?, key: Key) -> PaneResponse {
        switch action {
        case .smoothingUp?: setSmoothing(smoothing + 0.1)
        case .smoothingDown?: setSmoothing(smoothing - 0.1)
        case .logScale?: logScale.toggle()
        case .xAxisMode?: setXAxis(xAxis.cycled)
        case .renderMode?: mode = mode.cycled
        case .chartMetric?: metricView = metricView.cycled
        case .chartGranularity?:
            granularity = granularity.cycled
            view = nil
            cursorX = nil
        case .zoomIn?: return zoom(by: 0.5)
        case .zoomOut?: return zoom(by: 2)
        case .panLeft?: return pan(-0.25)
        case .panRight?: return pan(0.25)
        case .resetZoom?:
            view = nil
            follow = true
        case .followLive?: toggleFollow()
        case .left?: return moveCursor(-1)
        case .right?: return moveCursor(1)
        case .escape? where cursorX != nil: cursorX = nil
        case .up?: selectedRun = max(0, selectedRun - 1)
        case .down?: selectedRun = min(max(0, charts.runs.count - 1), selectedRun + 1)
        case .toggleRun?:
            guard charts.runs.indices.contains(selectedRun) else { return .warning("no runs yet: press t to train") }
            let id = charts.runs[selectedRun].id
            if solo != nil { solo = nil; hidden = Set(charts.runs.map(\.id)).subtracting([id]) }
            if hidden.contains(id) { hidden.remove(id) } else { hidden.insert(id) }
        case .enter?:
            guard charts.runs.indices.contains(selectedRun) else { return .warning("no runs yet: press t to train") }
            let id = charts.runs[selectedRun].id
            solo = solo == id ? nil : id
            if solo == nil { hidden = [] }
        default:
            return .ignored
        }
        return .consumed
    }

    /// Sets the smoothing weight, clamped to 0...0.99 (1 would flatten every curve).
    public mutating func setSmoothing(_ w: Double) {
        let v = w.isFinite ? w : 0
        smoothing = min(max((v * 100).rounded() / 100, 0), 0.99)
    }

    public mutating func setXAxis(_ mode: XAxisMode) {
        if mode != xAxis { view = nil; cursorX = nil }
        xAxis = mode
    }

    public mutating func setFollow(_ on: Bool) {
        if on != follow { toggleFollow() }
    }

    private mutating func toggleFollow() {
        // Freezing keeps what is on screen, even as new points arrive.
        if follow { view = shownXRange }
        follow.toggle()
    }

    /// The x extent of the points drawn (all visible runs, both metrics).
    public var dataExtent: ClosedRange<Double>? {
        Self.extent(series(.loss, of: drawn) + series(.accuracy, of: drawn))
    }

    /// The x range on screen: the zoom window (slid to the newest point while following), else
    /// the extent of the data.
    public var shownXRange: ClosedRange<Double>? {
        shownRange(extent: dataExtent) ?? dataExtent
    }

    /// The zoom window as drawn, nil when the charts fit the data: while following, the
    /// window slides so that it ends at the newest point.
    func shownRange(extent: ClosedRange<Double>?) -> ClosedRange<Double>? {
        guard let v = view else { return nil }
        if follow, let e = extent, v.upperBound < e.upperBound {
            let w = v.upperBound - v.lowerBound
            return (e.upperBound - w)...e.upperBound
        }
        return v
    }

    private mutating func zoom(by factor: Double) -> PaneResponse {
        let extent = dataExtent
        guard let current = shownRange(extent: extent) ?? extent, let extent else { return .warning("nothing to zoom yet") }
        let width = (current.upperBound - current.lowerBound) * factor
        if factor > 1 && width >= extent.upperBound - extent.lowerBound {
            view = nil
            return .consumed
        }
        guard width > 0, width.isFinite else { return .consumed }
        let upper = follow ? extent.upperBound : (current.lowerBound + current.upperBound) / 2 + width / 2
        view = (upper - width)...upper
        return .consumed
    }

    private mutating func pan(_ fraction: Double) -> PaneResponse {
        let extent = dataExtent
        guard let current = shownRange(extent: extent) ?? extent, let extent else { return .warning("nothing to pan yet") }
        let width = current.upperBound - current.lowerBound
        guard width > 0, width.isFinite else { return .consumed }
        var lo = current.lowerBound + width * fraction
        lo = min(max(lo, extent.lowerBound), max(extent.lowerBound, extent.upperBound - width))
        view = lo...(lo + width)
        if fraction < 0 { follow = false }
        return .consumed
    }

    // MARK: Series

    private func x(_ p: MetricPoint) -> Double {
        switch xAxis {
        case .step: return granularity == .epoch ? Double(p.epoch) : Double(p.step)
        case .relative: return p.relativeTime
        case .wall: return p.wallTime
        }
    }

    /// The series of one metric: per visible run a train line and a validation line. Slots
    /// are `2 × run index` (train) and `+ 1` (validation).
    ///
    /// A run trained in one go (a learner: one epoch summary, no batches) has no curve: its
    /// accuracies are drawn as level lines across the other runs' x range, to read them
    /// against. Its loss is left out: it is not what the learner minimised (an SVM's hinge, a
    /// tree's impurity), and a tree's 0/1 probabilities give a cross-entropy that would
    /// flatten every other curve.
    public func series(_ metric: Metric) -> [Series] { series(metric, of: charts) }

    func series(_ metric: Metric, of charts: ChartSnapshot) -> [Series] {
        var out: [Series] = []
        var levels: [(name: String, slot: Int, x: Double, value: Double)] = []
        let single = charts.runs.filter(isVisible).count <= 1
        for (i, run) in charts.runs.enumerated() where isVisible(run) {
            let prefix = single ? "" : run.name + " "
            let epochs = run.points(metric, .epochTrain)
            let val = run.points(metric, .epochValidation)
            if run.points(metric, .batchTrain).isEmpty && epochs.count == 1 {
                if metric == .loss { continue }
                levels.append((prefix + "train", 2 * i, x(epochs[0]), epochs[0].value))
                if let v = val.first { levels.append((prefix + "val", 2 * i + 1, x(v), v.value)) }
                continue
            }
            let train = granularity == .batch && !run.points(metric, .batchTrain).isEmpty ? run.points(metric, .batchTrain) : epochs
            out.append(Series(name: prefix + "train", slot: 2 * i, points: train.map { (x: x($0), y: $0.value) }))
            if !val.isEmpty {
                out.append(Series(name: prefix + "val", slot: 2 * i + 1, points: val.map { (x: x($0), y: $0.value) }))
            }
        }
        let range = Self.extent(out)
        for l in levels {
            let points = range.map { [(x: $0.lowerBound, y: l.value), (x: $0.upperBound, y: l.value)] } ?? [(x: l.x, y: l.value)]
            out.append(Series(name: l.name, slot: l.slot, points: points))
        }
        return out
    }

    /// The theme role of a chart colour slot: train/validation colours for a lone run, the
    /// run palette otherwise.
    func role(slot: Int, single: Bool) -> (ThemeRole, TextAttributes) {
        let validation = slot % 2 == 1
        if single { return (validation ? .validationSeries : .trainSeries, []) }
        return (ThemeRole.series(slot / 2), validation ? .bold : [])
    }

    /// The chart options, with the x range fixed to `range` (nil: fit the data).
    public func options(title: String, range: ClosedRange<Double>? = nil) -> ChartOptions {
        var o = ChartOptions(title: title, mode: mode, smoothing: smoothing, logScaleY: logScale,
                             xFormat: xAxis == .step ? .number : (xAxis == .relative ? .duration : .clock),
                             utcOffset: utcOffset)
        o.xMin = range?.lowerBound
        o.xMax = range?.upperBound
        return o
    }

    // MARK: Drawing

    public func render(into grid: inout CellGrid, rect: Rect, focused: Bool) -> Point? {
        guard rect.width > 0, rect.height > 0 else { return nil }
        // Settings line.
        var settings = ["smooth \(Fmt.fixed(smoothing, 2))", "x \(xAxis.rawValue)", granularity.rawValue,
                        modeName, follow ? "follow" : "frozen"]
        if logScale { settings.insert("log y", at: 1) }
        if view != nil { settings.append("zoomed") }
        var area = rect
        if cursorX != nil && rect.height >= 6 {
            // The cursor's readout takes the settings line's place (and a row per run).
            let rows = cursorReadoutRows(height: rect.height)
            drawCursorReadout(&grid, rect: rect, rows: rows)
            area = Rect(x: rect.x, y: rect.y + rows, width: rect.width, height: rect.height - rows)
        } else if rect.height >= 6 {
            Draw.text(&grid, settings.joined(separator: " · "), x: rect.x, y: rect.y, width: rect.width, style: Style(.dim))
            area = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
        }

        // Run list on the right when wide enough.
        if !charts.runs.isEmpty && area.width >= 60 {
            let listW = min(18, max(10, (charts.runs.map { TextWidth.of($0.name) }.max() ?? 0) + 4))
            drawRunList(&grid, Rect(x: area.maxX - listW, y: area.y, width: listW, height: area.height), focused: focused)
            area = Rect(x: area.x, y: area.y, width: area.width - listW - 1, height: area.height)
        } else if !charts.runs.isEmpty && area.height >= 8 {
            drawRunLine(&grid, Rect(x: area.x, y: area.maxY - 1, width: area.width, height: 1), focused: focused)
            area = Rect(x: area.x, y: area.y, width: area.width, height: area.height - 1)
        }

        if memo.key == renderKey(area) {
            for (r, render) in memo.renders { draw(render, into: &grid, at: r, single: memo.single) }
            drawCursorLine(&grid, renders: memo.renders)
            return nil
        }

        let loss = series(.loss, of: drawn), accuracy = series(.accuracy, of: drawn)
        let range = shownRange(extent: Self.extent(loss + accuracy))
        let charts: [(String, [Series])]
        switch metricView {
        case .loss: charts = [("loss", loss)]
        case .accuracy: charts = [("accuracy", accuracy)]
        case .both: charts = [("loss", loss), ("accuracy", accuracy)]
        }
        let rects: [Rect]
        if charts.count == 2 && area.height >= 14 {
            rects = area.rows([.ratio(1), .ratio(1)])
        } else if charts.count == 2 && area.width >= 70 {
            rects = area.columns([.ratio(1), .ratio(1)], gap: 1)
        } else {
            rects = [area]
        }
        let single = drawn.runs.filter(isVisible).count <= 1
        var renders: [(Rect, ChartRender)] = []
        for (r, (title, series)) in zip(rects, charts) {
            let render = Chart.render(series, options: options(title: title, range: range), width: r.width, height: r.height)
            draw(render, into: &grid, at: r, single: single)
            renders.append((r, render))
        }
        memo.key = renderKey(area)
        memo.renders = renders
        memo.single = single
        drawCursorLine(&grid, renders: renders)
        return nil
    }

    private var modeName: String {
        switch mode {
        case .braille: return "braille"
        case .block: return "block"
        case .halfBlock: return "half"
        case .ascii: return "ascii"
        }
    }

    static func extent(_ series: [Series]) -> ClosedRange<Double>? {
        var lo = Double.infinity, hi = -Double.infinity
        for s in series {
            for p in s.points where p.x.isFinite {
                lo = min(lo, p.x)
                hi = max(hi, p.x)
            }
        }
        return lo <= hi ? lo...hi : nil
    }

    private func draw(_ render: ChartRender, into grid: inout CellGrid, at r: Rect, single: Bool) {
        for y in 0..<min(render.height, r.height) {
            for x in 0..<min(render.width, r.width) {
                let cell = render[x, y]
                let style: Style
                switch cell.role {
                case .empty: continue
                case .axis: style = Style(.axis)
                case .label: style = Style(.dim)
                case .title: style = Style(.title, .bold)
                case let .legend(slot):
                    let (role, attrs) = self.role(slot: slot, single: single)
                    style = Style(role, attrs)
                case let .series(slot, faint):
                    let (role, attrs) = self.role(slot: slot, single: single)
                    style = Style(role, faint ? attrs.union(.dim) : attrs)
                }
                grid.put(String(cell.char), x: r.x + x, y: r.y + y, style: style, maxWidth: 1)
            }
        }
    }

    private func runMarker(_ i: Int, _ run: RunHistory) -> String {
        if solo == run.id { return "◆" }
        return isVisible(run) ? "■" : "□"
    }

    private func drawRunList(_ grid: inout CellGrid, _ r: Rect, focused: Bool) {
        grid.vline(x: r.x - 1, y: r.y, length: r.height, style: Style(.border))
        Draw.text(&grid, "runs", x: r.x, y: r.y, width: r.width, style: Style(.title))
        let rows = max(0, r.height - 1)
        let top = min(max(0, selectedRun - rows + 1), max(0, charts.runs.count - rows))
        for row in 0..<rows {
            let i = top + row
            guard i < charts.runs.count else { break }
            let run = charts.runs[i]
            let y = r.y + 1 + row
            let selected = i == selectedRun
            let base: Style = selected && focused ? Style(.selection) : (isVisible(run) ? .text : Style(.dim))
            if selected && focused { grid.fill(Rect(x: r.x, y: y, width: r.width, height: 1), style: base) }
            let cx = grid.put(runMarker(i, run), x: r.x, y: y, style: selected && focused ? base : Style(ThemeRole.series(i)))
            Draw.text(&grid, " " + run.name, x: cx, y: y, width: r.maxX - cx, style: base)
        }
    }

    /// The runs in one row (a narrow pane): from the selected one's neighbourhood on, so the
    /// selection stays in sight, with "+N more" for the runs that do not fit.
    private func drawRunLine(_ grid: inout CellGrid, _ r: Rect, focused: Bool) {
        var x = r.x
        let width = { (i: Int) in 2 + TextWidth.of(self.charts.runs[i].name) + 2 }
        // The first run shown: the earliest from which the selected one still fits.
        var first = min(selectedRun, max(0, charts.runs.count - 1))
        var used = charts.runs.isEmpty ? 0 : width(first)
        while first > 0 && used + width(first - 1) + 8 <= r.width {
            first -= 1
            used += width(first)
        }
        if first > 0 { x = Draw.text(&grid, "+\(first) ", x: x, y: r.y, width: r.maxX - x, style: Style(.dim)) }
        for (i, run) in charts.runs.enumerated() where i >= first {
            let left = charts.runs.count - i
            if x + width(i) - 2 > r.maxX - (left > 1 ? 8 : 0) && i > first {
                Draw.text(&grid, "+\(left) more", x: x, y: r.y, width: r.maxX - x, style: Style(.dim))
                break
            }
            guard x < r.maxX else { break }
            let selected = i == selectedRun && focused
            x = grid.put(runMarker(i, run) + " ", x: x, y: r.y, style: Style(ThemeRole.series(i)), maxWidth: r.maxX - x)
            x = Draw.text(&grid, run.name, x: x, y: r.y, width: r.maxX - x,
                          style: selected ? Style(.selection) : (isVisible(run) ? .text : Style(.dim)))
            x += 2
        }
    }
}

extension CaseIterable where Self: Equatable {
    /// The next case in declaration order, wrapping around.
    var cycled: Self {
        let all = Array(Self.allCases)
        guard let i = all.firstIndex(of: self) else { return self }
        return all[(i + 1) % all.count]
    }
}
