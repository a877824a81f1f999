import Charts
import TerminalUI

/// The chart cursor: ←/→ (or a click on a plot) put it on a step (an x of the points drawn),
/// and the pane reads every visible run's values there (TensorBoard's hover readout). Esc
/// takes it away. Values read are the raw ones, at the last point at or before the cursor.
extension ChartPane {
    /// One visible run's values at the cursor (nil: no point at or before it).
    public struct CursorReading: Hashable, Sendable {
        public var run: String
        /// The run's index in `charts.runs` (its colour).
        public var index: Int
        public var trainLoss: Double?
        public var validationLoss: Double?
        public var trainAccuracy: Double?
        public var validationAccuracy: Double?
    }

    /// Every x a point is drawn at, in order, within the x range shown.
    func cursorStops() -> [Double] {
        let all = series(.loss, of: drawn) + series(.accuracy, of: drawn)
        let range = shownXRange
        var xs = Set<Double>()
        for s in all {
            for p in s.points where p.x.isFinite && (range?.contains(p.x) ?? true) { xs.insert(p.x) }
        }
        return xs.sorted()
    }

    /// Moves the cursor one stop left (-1) or right (+1); the first move puts it on the newest
    /// point shown.
    mutating func moveCursor(_ direction: Int) -> PaneResponse {
        let stops = cursorStops()
        guard let last = stops.last else { return .warning("no points to read yet") }
        guard let x = cursorX else {
            cursorX = last
            return .consumed
        }
        if direction < 0 {
            cursorX = stops.last(where: { $0 < x }) ?? stops[0]
        } else {
            cursorX = stops.first(where: { $0 > x }) ?? last
        }
        return .consumed
    }

    /// Puts the cursor on the stop nearest to the x under screen column `column` of a plot
    /// drawn last; false when the column is on no plot.
    public mutating func click(x column: Int, y row: Int) -> Bool {
        for (r, render) in lastRenders {
            guard let plot = render.plotArea, let range = render.xRange, plot.width > 1 else { continue }
            let px = column - r.x - plot.x, py = row - r.y - plot.y
            guard px >= 0, px < plot.width, py >= 0, py < plot.height else { continue }
            let x = range.lowerBound + (range.upperBound - range.lowerBound) * Double(px) / Double(plot.width - 1)
            let stops = cursorStops()
            guard !stops.isEmpty else { return false }
            cursorX = stops.min { abs($0 - x) < abs($1 - x) }
            return true
        }
        return false
    }

    /// The visible runs' values at the cursor, in run order (empty without a cursor).
    public func cursorReadings() -> [CursorReading] {
        guard let x = cursorX else { return [] }
        let loss = series(.loss, of: drawn), accuracy = series(.accuracy, of: drawn)
        func value(_ list: [Series], slot: Int) -> Double? {
            guard let s = list.first(where: { $0.slot == slot }) else { return nil }
            return s.points.last(where: { $0.x <= x && $0.x.isFinite })?.y
        }
        return drawn.runs.enumerated().filter { isVisible($0.element) }.map { i, run in
            CursorReading(run: run.name, index: i,
                          trainLoss: value(loss, slot: 2 * i), validationLoss: value(loss, slot: 2 * i + 1),
                          trainAccuracy: value(accuracy, slot: 2 * i), validationAccuracy: value(accuracy, slot: 2 * i + 1))
        }
    }

    /// The cursor's x as the axis names it ("step 15", "epoch 2", "12.5 s", "14:03:07").
    var cursorLabel: String {
        guard let x = cursorX else { return "" }
        switch xAxis {
        case .step: return (granularity == .epoch ? "epoch " : "step ") + Fmt.fixed(x, 0)
        case .relative: return Fmt.duration(x)
        case .wall:
            let t = Int((x + Double(utcOffset)).rounded(.down))
            let day = ((t % 86_400) + 86_400) % 86_400
            return Fmt.pad2(day / 3600) + ":" + Fmt.pad2(day / 60 % 60) + ":" + Fmt.pad2(day % 60)
        }
    }

    /// The readout rows over the charts: where the cursor is, then a line per visible run
    /// (as many as `rows` allows, the rest counted).
    func drawCursorReadout(_ grid: inout CellGrid, rect: Rect, rows: Int) {
        Draw.text(&grid, "at \(cursorLabel) · ←→ move · Esc clears", x: rect.x, y: rect.y, width: rect.width, style: Style(.accent))
        let readings = cursorReadings()
        let room = max(0, rows - 1)
        let shown = readings.count > room ? max(0, room - 1) : readings.count
        func v(_ d: Double?) -> String { d.map { Fmt.metric($0) } ?? "–" }
        for (row, r) in readings.prefix(shown).enumerated() {
            let y = rect.y + 1 + row
            var x = grid.put("■ ", x: rect.x, y: y, style: Style(ThemeRole.series(r.index)), maxWidth: rect.width)
            let text = "\(r.run)  loss \(v(r.trainLoss)) val \(v(r.validationLoss)) · acc \(v(r.trainAccuracy)) val \(v(r.validationAccuracy))"
            x = Draw.text(&grid, text, x: x, y: y, width: rect.maxX - x, style: .text)
        }
        if shown < readings.count && room > 0 {
            Draw.text(&grid, "… \(readings.count - shown) more runs", x: rect.x, y: rect.y + 1 + shown, width: rect.width, style: Style(.dim))
        }
    }

    /// Rows the readout takes at the top of a chart area of `height` rows.
    func cursorReadoutRows(height: Int) -> Int {
        guard cursorX != nil else { return 0 }
        let runs = drawn.runs.filter(isVisible).count
        return min(1 + runs, max(2, height / 3))
    }

    /// A vertical line at the cursor's x over each plot, in the cells no series uses.
    func drawCursorLine(_ grid: inout CellGrid, renders: [(Rect, ChartRender)]) {
        guard let x = cursorX else { return }
        for (r, render) in renders {
            guard let plot = render.plotArea, let range = render.xRange, plot.width > 1,
                  range.contains(x), range.upperBound > range.lowerBound else { continue }
            let column = plot.x + Int(((x - range.lowerBound) / (range.upperBound - range.lowerBound) * Double(plot.width - 1)).rounded())
            for row in plot.y..<(plot.y + plot.height) where render[column, row].role == .empty {
                grid.put("│", x: r.x + column, y: r.y + row, style: Style(.accent, .dim), maxWidth: 1)
            }
        }
    }
}

/// Runs renamed or deleted through the service (`:rename-run`, `:delete-run`).
extension ChartPane {
    /// Names run `id` as the service does: "run 2 baseline" ("run 2" without a name).
    public mutating func renameRun(_ id: String, to name: String) {
        var c = charts
        guard let i = c.runs.firstIndex(where: { $0.id == id }) else { return }
        let trimmed = name.trimmingSpaces()
        c.runs[i].name = trimmed.isEmpty ? "run \(id)" : "run \(id) \(trimmed)"
        let (hidden, solo, selected) = (self.hidden, self.solo, selectedRun)
        setCharts(c)
        restoreSelection(hidden: hidden, solo: solo, selected: selected)
    }

    /// Takes run `id` off the charts.
    public mutating func removeRun(_ id: String) {
        var c = charts
        guard let i = c.runs.firstIndex(where: { $0.id == id }) else { return }
        c.runs.remove(at: i)
        let (hidden, solo, selected) = (self.hidden, self.solo, selectedRun)
        setCharts(c)
        restoreSelection(hidden: hidden, solo: solo, selected: selected > i ? selected - 1 : selected)
    }
}
