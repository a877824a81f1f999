/// Axes, ticks, legend and cell writing for the chart builder (the pipeline and the series
/// drawing are in Chart.swift).
extension ChartBuilder {
    // MARK: Layout

    /// Rows: title, plot, x axis, x labels, legend. When the plot would be too small the legend
    /// goes first, then the labels (both axes), then the title, then the axes.
    func makeLayout(legend: [[LegendPiece]], tlo: Double, thi: Double) -> Layout {
        let hasTitle = !options.title.isEmpty
        for level in 0...4 {
            let showLegend = level < 1 && !legend.isEmpty
            let labels = level < 2, title = hasTitle && level < 3, axes = level < 4
            let legendRows = showLegend ? min(legend.count, max(1, height / 4)) : 0
            let top = title ? 1 : 0
            let plotRows = height - top - (axes ? 1 : 0) - (labels ? 1 : 0) - legendRows
            guard plotRows >= (level == 4 ? 1 : Self.minPlotRows) else { continue }
            let ticks = axes ? yTicks(plotRows: plotRows, tlo: tlo, thi: thi) : []
            let labelWidth = labels ? ticks.map(\.label.count).max() ?? 0 : 0
            let gutter = labels ? labelWidth + 2 : (axes ? 1 : 0)
            let plotCols = width - gutter
            guard plotCols >= (level == 4 ? 1 : Self.minPlotCols) else { continue }
            return Layout(titleRow: title ? 0 : nil, plotTop: top, plotRows: plotRows, plotLeft: gutter,
                          plotCols: plotCols, axes: axes, labels: labels, labelWidth: labelWidth,
                          legendTop: height - legendRows, legendRows: legendRows, yTicks: ticks)
        }
        // Unreachable for width ≥ 10 and height ≥ 4 (level 4 uses the whole area).
        return Layout(titleRow: nil, plotTop: 0, plotRows: height, plotLeft: 0, plotCols: width, axes: false,
                      labels: false, labelWidth: 0, legendTop: height, legendRows: 0, yTicks: [])
    }

    /// 2 to 6 ticks, about one per two rows, on distinct rows.
    func yTicks(plotRows: Int, tlo: Double, thi: Double) -> [Tick] {
        let maxCount = min(Self.maxTicks, max(2, (plotRows + 1) / 2 + 1))
        let set: TickSet
        let ts: [Double]
        if logY {
            set = TickMath.log(CMath.pow(10, tlo), CMath.pow(10, thi), maxCount: maxCount)
            ts = set.values.map { CMath.log10($0) }
        } else {
            set = TickMath.linear(tlo, thi, maxCount: maxCount)
            ts = set.values
        }
        let labels = set.step == 0 ? set.values.map(Format.compact) : Format.tickLabels(set.values, step: set.step)
        let map = AxisMap(lo: tlo, hi: thi, n: plotRows)
        var ticks: [Tick] = []
        var used = Set<Int>()
        for (t, label) in zip(ts, labels) {
            let r = plotRows - 1 - map.clampedSlot(t)
            if used.insert(r).inserted { ticks.append(Tick(slot: r, label: label)) }
        }
        return ticks
    }

    /// x ticks whose labels fit side by side (one space apart), as many as possible up to 6.
    func xTicks(plotLeft: Int, plotCols: Int, xlo: Double, xhi: Double) -> [(tick: Tick, start: Int)] {
        let map = AxisMap(lo: xlo, hi: xhi, n: plotCols)
        var fallback: [(tick: Tick, start: Int)] = []
        for maxCount in stride(from: Self.maxTicks, through: 2, by: -1) {
            let set: TickSet
            let labels: [String]
            switch options.xFormat {
            case .number:
                set = TickMath.linear(xlo, xhi, maxCount: maxCount)
                labels = Format.tickLabels(set.values, step: set.step)
            case .duration:
                set = TickMath.time(xlo, xhi, maxCount: maxCount, offset: 0)
                labels = set.values.map { Format.duration($0, step: set.step) }
            case .clock:
                set = TickMath.time(xlo, xhi, maxCount: maxCount, offset: Double(options.utcOffset))
                labels = set.values.map { Format.clock($0, step: set.step, offset: options.utcOffset) }
            }
            var placed: [(tick: Tick, start: Int)] = []
            var end = Int.min / 2       // first free column after the previous label
            var dropped = false
            for (v, label) in zip(set.values, labels) {
                let c = map.clampedSlot(v)
                let n = label.count
                let start = min(max(plotLeft + c - n / 2, 0), max(width - n, 0))
                if start < end + 1 || n > width { dropped = true; continue }
                placed.append((Tick(slot: c, label: label), start))
                end = start + n
            }
            if !dropped { return placed }
            if maxCount == 2 { fallback = placed }
        }
        return fallback
    }

    // MARK: Decorations

    mutating func drawAxes(_ layout: Layout, xlo: Double, xhi: Double) {
        guard layout.axes else { return }
        let ascii = mode == .ascii
        let vertical: Character = ascii ? "|" : "│", yTick: Character = ascii ? "+" : "┤"
        let corner: Character = ascii ? "+" : "└", horizontal: Character = ascii ? "-" : "─"
        let xTick: Character = ascii ? "+" : "┬"
        let axisCol = layout.plotLeft - 1, axisRow = layout.plotTop + layout.plotRows
        let tickRows = Set(layout.yTicks.map(\.slot))
        for r in 0..<layout.plotRows {
            put(ChartCell(char: tickRows.contains(r) ? yTick : vertical, role: .axis), x: axisCol, y: layout.plotTop + r)
        }
        put(ChartCell(char: corner, role: .axis), x: axisCol, y: axisRow)
        for c in 0..<layout.plotCols {
            put(ChartCell(char: horizontal, role: .axis), x: layout.plotLeft + c, y: axisRow)
        }
        let xTicks = xTicks(plotLeft: layout.plotLeft, plotCols: layout.plotCols, xlo: xlo, xhi: xhi)
        for t in xTicks { put(ChartCell(char: xTick, role: .axis), x: layout.plotLeft + t.tick.slot, y: axisRow) }
        guard layout.labels else { return }
        for t in layout.yTicks {
            write(t.label, x: layout.labelWidth - t.label.count, y: layout.plotTop + t.slot, role: .label)
        }
        for t in xTicks { write(t.tick.label, x: t.start, y: axisRow + 1, role: .label) }
    }

    /// Legend entries ("━ train loss 0.3412"; with smoothing "━ val 0.9 ~0.8813": the raw last
    /// value, then ~ the smoothed one, short enough to keep a line) wrapped into lines three
    /// spaces apart.
    func legendLines(_ infos: [SeriesInfo]) -> [[LegendPiece]] {
        guard options.showLegend else { return [] }
        let marker = mode == .ascii ? "-" : "━"
        var lines: [[LegendPiece]] = []
        var line: [LegendPiece] = []
        var end = 0
        for info in infos {
            let s = series[info.index]
            var text = marker + " " + s.name
            if let raw = info.latestRaw, let v = info.latest {
                text += " " + Format.significant(raw) + " ~" + Format.significant(v)
            } else if let v = info.latest {
                text += " " + Format.significant(v)
            }
            text = truncate(text, width)
            let start = line.isEmpty ? 0 : end + 3
            if !line.isEmpty && start + text.count > width {
                lines.append(line)
                line = [LegendPiece(start: 0, text: text, slot: s.slot)]
                end = text.count
            } else {
                line.append(LegendPiece(start: start, text: text, slot: s.slot))
                end = start + text.count
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    // MARK: Cells

    mutating func put(_ cell: ChartCell, x: Int, y: Int) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        grid[y * width + x] = cell
    }

    mutating func write(_ text: String, x: Int, y: Int, role: ChartRole) {
        for (i, ch) in text.enumerated() { put(ChartCell(char: ch, role: role), x: x + i, y: y) }
    }

    mutating func centre(_ text: String, row: Int, role: ChartRole) {
        let t = truncate(text, width)
        write(t, x: max(0, (width - t.count) / 2), y: row, role: role)
    }

    /// The legend lines that fit in `rows`; when some are left out, the last line shown ends
    /// with "+N more" (N: the entries not shown), dropping entries of it to make room.
    func summarised(_ legend: [[LegendPiece]], rows: Int) -> (lines: [[LegendPiece]], more: LegendPiece?) {
        guard rows > 0, legend.count > rows else { return (Array(legend.prefix(max(0, rows))), nil) }
        var lines = Array(legend.prefix(rows))
        var hidden = legend.dropFirst(rows).reduce(0) { $0 + $1.count }
        var last = lines[rows - 1]
        while true {
            let text = "+\(hidden) more"
            let start = last.last.map { $0.start + $0.text.count + 3 } ?? 0
            if start + text.count <= width || last.isEmpty {
                lines[rows - 1] = last
                return (lines, LegendPiece(start: start, text: truncate(text, width - start), slot: -1))
            }
            last.removeLast()
            hidden += 1
        }
    }

    func truncate(_ text: String, _ n: Int) -> String {
        guard text.count > n else { return text }
        guard n > 1 else { return n == 1 ? "…" : "" }
        return String(text.prefix(n - 1)) + "…"
    }
}
