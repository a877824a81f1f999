/// Renders line charts into a grid of character cells, TensorBoard-scalars style.
///
/// Downsampling: the visible x range is cut into one bucket per dot column; each bucket keeps
/// the min, max, first and last value that fall in it (M4 aggregation). A bucket is drawn as
/// its vertical min–max extent and joined to the next non-empty bucket by a Bresenham line
/// from its last to the next one's first value, so spikes survive and lines stay continuous.
/// Cost: O(points) for three streaming passes over each series plus O(width × height) for
/// drawing; nothing is allocated per point.
public enum Chart {
    /// Below this size the render is only a notice.
    public static let minimumWidth = 10
    public static let minimumHeight = 4

    /// Renders `series` (hidden ones skipped) into exactly `width × height` cells.
    public static func render(_ series: [Series], options: ChartOptions = ChartOptions(),
                              width: Int, height: Int) -> ChartRender {
        var builder = ChartBuilder(series: series, options: options, width: width, height: height)
        return builder.build()
    }
}

/// One drawn line: a series' raw values or its smoothed values.
struct LayerSpec {
    let slot: Int
    let faint: Bool
}

/// A visible series with what the first pass learned about it.
struct SeriesInfo {
    let index: Int
    /// Every y equals the first (TensorBoard then leaves it unsmoothed).
    let constant: Bool
    var rawLayer: Int?
    var smoothLayer: Int?
    /// The legend's value: the last finite smoothed value with smoothing on, else raw.
    var latest: Double?
    /// With smoothing on, the last finite raw value too (the legend shows both).
    var latestRaw: Double?
}

/// For one layer: the points around and at the ends of the visible x range.
struct LayerEdges {
    var before: (x: Double, t: Double)?
    var first: (x: Double, t: Double)?
    var last: (x: Double, t: Double)?
    var after: (x: Double, t: Double)?

    /// Where the lines to the points outside the range cross its edges.
    func crossings(xlo: Double, xhi: Double) -> [Double] {
        var out: [Double] = []
        if let b = before, let f = first ?? after { out.append(Self.interpolate(b, f, at: xlo)) }
        if let a = after, let l = last ?? before { out.append(Self.interpolate(l, a, at: xhi)) }
        return out.filter(\.isFinite)
    }

    static func interpolate(_ p: (x: Double, t: Double), _ q: (x: Double, t: Double), at x: Double) -> Double {
        guard q.x != p.x else { return q.t }
        let f = (x * 0.5 - p.x * 0.5) / (q.x * 0.5 - p.x * 0.5)
        return p.t + (q.t * 0.5 - p.t * 0.5) * 2 * min(max(f, 0), 1)
    }
}

struct Tick {
    let slot: Int       // cell row (y) or column (x) inside the plot area
    let label: String
}

struct Layout {
    let titleRow: Int?
    let plotTop: Int
    let plotRows: Int
    let plotLeft: Int
    let plotCols: Int
    let axes: Bool
    let labels: Bool
    let labelWidth: Int
    let legendTop: Int
    let legendRows: Int
    let yTicks: [Tick]
}

struct LegendPiece {
    let start: Int
    let text: String
    let slot: Int
}

struct ChartBuilder {
    static let minPlotRows = 3
    static let minPlotCols = 8
    static let maxTicks = 6

    let series: [Series]
    let options: ChartOptions
    let width: Int
    let height: Int
    let mode: ChartMode
    /// Smoothing weight, 0 = off.
    let weight: Double
    let logY: Bool
    var grid: [ChartCell]

    init(series: [Series], options: ChartOptions, width: Int, height: Int) {
        self.series = series
        self.options = options
        self.width = max(0, width)
        self.height = max(0, height)
        mode = options.mode
        let w = options.smoothing
        weight = w.isNaN ? 0 : min(max(w, 0), 0.99)
        logY = options.logScaleY
        grid = [ChartCell](repeating: .empty, count: self.width * self.height)
    }

    // MARK: Pipeline

    mutating func build() -> ChartRender {
        guard width > 0, height > 0 else { return finish() }
        guard width >= Chart.minimumWidth, height >= Chart.minimumHeight else {
            centre(width >= 15 ? "chart too small" : "too small", row: height / 2, role: .label)
            return finish()
        }

        // Pass 1: x extent of the drawable points, constancy, layers.
        var infos: [SeriesInfo] = []
        var layers: [LayerSpec] = []
        var dataXLo = Double.infinity, dataXHi = -Double.infinity
        for (i, s) in series.enumerated() where s.isVisible {
            let first = s.points.first?.y ?? 0
            var constant = true
            s.points.withUnsafeBufferPointer { buf in
                for p in buf {
                    if constant && !(p.y == first) { constant = false }
                    if p.x.isFinite && transform(p.y).isFinite {
                        dataXLo = min(dataXLo, p.x)
                        dataXHi = max(dataXHi, p.x)
                    }
                }
            }
            infos.append(SeriesInfo(index: i, constant: constant))
        }
        guard dataXLo <= dataXHi else { return noData() }

        // Z-order: with smoothing, every raw (faint) layer under every smoothed (solid) one.
        let smoothing = weight > 0
        if !smoothing || options.showRawWhenSmoothing {
            for k in infos.indices {
                infos[k].rawLayer = layers.count
                layers.append(LayerSpec(slot: series[infos[k].index].slot,
                                        faint: smoothing || series[infos[k].index].isFaint))
            }
        }
        if smoothing {
            for k in infos.indices {
                infos[k].smoothLayer = layers.count
                layers.append(LayerSpec(slot: series[infos[k].index].slot, faint: series[infos[k].index].isFaint))
            }
        }

        let (xlo, xhi) = resolveX(dataXLo, dataXHi)

        // Pass 2: y extent of the drawn values inside the x range (plus where lines to points
        // outside cross its edges), legend values.
        var tMin = Double.infinity, tMax = -Double.infinity
        for k in infos.indices {
            let info = infos[k]
            var rawEdges = LayerEdges(), smoothEdges = LayerEdges()
            func visit(_ e: inout LayerEdges, _ x: Double, _ t: Double) {
                if x < xlo {
                    e.before = (x, t)
                } else if x > xhi {
                    if e.after == nil { e.after = (x, t) }
                } else {
                    if e.first == nil { e.first = (x, t) }
                    e.last = (x, t)
                    tMin = min(tMin, t)
                    tMax = max(tMax, t)
                }
            }
            let raw = info.rawLayer != nil, smooth = info.smoothLayer != nil
            (infos[k].latest, infos[k].latestRaw) = scanLatest(series[info.index], constant: info.constant) { x, rt, st in
                if raw && rt.isFinite { visit(&rawEdges, x, rt) }
                if smooth && st.isFinite { visit(&smoothEdges, x, st) }
            }
            for e in [rawEdges, smoothEdges] {
                for t in e.crossings(xlo: xlo, xhi: xhi) {
                    tMin = min(tMin, t)
                    tMax = max(tMax, t)
                }
            }
        }
        let (tlo, thi) = resolveY(tMin, tMax)

        // Layout, then pass 3: buckets, drawn layer by layer.
        let legend = legendLines(infos)
        let layout = makeLayout(legend: legend, tlo: tlo, thi: thi)
        var canvas = DotCanvas(cols: layout.plotCols, rows: layout.plotRows, mode: mode)
        draw(into: &canvas, infos: infos, layers: layers, xlo: xlo, xhi: xhi, tlo: tlo, thi: thi)

        // Compose.
        if let row = layout.titleRow { centre(options.title, row: row, role: .title) }
        for r in 0..<canvas.rows {
            for c in 0..<canvas.cols {
                let cell = r * canvas.cols + c
                let m = canvas.mask[cell], o = Int(canvas.owner[cell])
                guard m != 0, layers.indices.contains(o) else { continue }
                let spec = layers[o]
                put(ChartCell(char: DotCanvas.glyph(m, mode: mode, faint: spec.faint),
                              role: .series(slot: spec.slot, faint: spec.faint)),
                    x: layout.plotLeft + c, y: layout.plotTop + r)
            }
        }
        drawAxes(layout, xlo: xlo, xhi: xhi)
        let (shownLegend, more) = summarised(legend, rows: layout.legendRows)
        for (i, line) in shownLegend.enumerated() {
            for piece in line { write(piece.text, x: piece.start, y: layout.legendTop + i, role: .legend(slot: piece.slot)) }
        }
        if let more, let last = shownLegend.indices.last {
            write(more.text, x: more.start, y: layout.legendTop + last, role: .label)
        }

        let yRange = logY ? range(CMath.pow(10, tlo), CMath.pow(10, thi)) : range(tlo, thi)
        return finish(plot: ChartRect(x: layout.plotLeft, y: layout.plotTop, width: layout.plotCols, height: layout.plotRows),
                      xRange: range(xlo, xhi), yRange: yRange)
    }

    /// Title (if any) and "no data yet" centred below it.
    mutating func noData() -> ChartRender {
        var top = 0
        if !options.title.isEmpty {
            centre(options.title, row: 0, role: .title)
            top = 1
        }
        centre("no data yet", row: top + (height - top) / 2, role: .label)
        return finish()
    }

    func finish(plot: ChartRect? = nil, xRange: ClosedRange<Double>? = nil,
                yRange: ClosedRange<Double>? = nil) -> ChartRender {
        ChartRender(width: width, height: height, cells: grid, plotArea: plot, xRange: xRange, yRange: yRange)
    }

    // MARK: Data

    /// y in axis space: log10 on a log scale; NaN for values that cannot be drawn.
    @inline(__always) func transform(_ y: Double) -> Double {
        guard y.isFinite else { return .nan }
        guard logY else { return y }
        return y > 0 ? CMath.log10(y) : .nan
    }

    /// Calls `body(x, raw, smoothed)` (in axis space, NaN when not drawable; smoothed is NaN
    /// with smoothing off) for every point with a finite x, the smoother advancing over all
    /// points. Returns the legend value: the last finite smoothed (or raw) value at a finite x.
    func scan(_ s: Series, constant: Bool, _ body: (Double, Double, Double) -> Void) -> Double? {
        scanLatest(s, constant: constant, body).latest
    }

    /// `scan`, also returning the last finite raw value at a finite x when smoothing is on
    /// (nil with smoothing off: the legend value is the raw one then).
    func scanLatest(_ s: Series, constant: Bool, _ body: (Double, Double, Double) -> Void) -> (latest: Double?, raw: Double?) {
        var smoother = TensorBoardSmoother(weight: weight, constant: constant)
        let smoothing = weight > 0
        var latest: Double?, raw: Double?
        s.points.withUnsafeBufferPointer { buf in
            for p in buf {
                let v = smoothing ? smoother.next(p.y) : p.y
                guard p.x.isFinite else { continue }
                if v.isFinite { latest = v }
                if smoothing && p.y.isFinite { raw = p.y }
                body(p.x, transform(p.y), smoothing ? transform(v) : .nan)
            }
        }
        return (latest, raw)
    }

    func resolveX(_ dataLo: Double, _ dataHi: Double) -> (Double, Double) {
        let fixedLo = options.xMin.flatMap { $0.isFinite ? $0 : nil }
        let fixedHi = options.xMax.flatMap { $0.isFinite ? $0 : nil }
        var lo = fixedLo ?? dataLo, hi = fixedHi ?? dataHi
        let pad = max(options.xFormat == .number ? 1 : 30, max(abs(lo), abs(hi)) * 1e-9)
        if lo > hi {
            if fixedLo != nil && fixedHi != nil { (lo, hi) = (hi, lo) }
            else if fixedLo != nil { hi = lo + 2 * pad }
            else { lo = hi - 2 * pad }
        }
        if lo == hi {
            if fixedLo != nil && fixedHi == nil { hi = lo + 2 * pad }
            else if fixedHi != nil && fixedLo == nil { lo = hi - 2 * pad }
            else { lo -= pad; hi += pad }
        }
        return (clampFinite(lo), clampFinite(hi))
    }

    /// The y range in axis space: fixed bounds, else the data extent plus padding; a flat
    /// extent is centred (±10 % of the value, ±1 around 0, ±half a decade on a log scale).
    func resolveY(_ dataLo: Double, _ dataHi: Double) -> (Double, Double) {
        func fixed(_ v: Double?) -> Double? {
            guard let v, v.isFinite else { return nil }
            let t = transform(v)
            return t.isFinite ? t : nil
        }
        let fixedLo = fixed(options.yMin), fixedHi = fixed(options.yMax)
        var lo = fixedLo ?? dataLo, hi = fixedHi ?? dataHi
        if !lo.isFinite || !hi.isFinite {    // nothing inside the x range
            lo = fixedLo ?? (fixedHi.map { $0 - 1 } ?? 0)
            hi = fixedHi ?? lo + 1
        }
        if lo > hi {
            if fixedLo != nil && fixedHi != nil { (lo, hi) = (hi, lo) }
            else if fixedLo != nil { hi = lo }
            else { lo = hi }
        }
        let magnitude = max(abs(lo), abs(hi))
        if hi * 0.5 - lo * 0.5 <= magnitude * 0.5e-12 {
            let mid = lo * 0.5 + hi * 0.5
            let d = logY ? 0.5 : (mid == 0 ? 1 : abs(mid) * 0.1)
            switch (fixedLo != nil, fixedHi != nil) {
            case (false, false): (lo, hi) = (mid - d, mid + d)
            case (true, false): hi = lo + 2 * d
            case (false, true): lo = hi - 2 * d
            case (true, true): (lo, hi) = (mid - d, mid + d)
            }
        } else {
            let p = options.yPadding.isFinite ? min(max(options.yPadding, 0), 1) : 0.05
            let pad = (hi * 0.5 - lo * 0.5) * p * 2
            if fixedLo == nil { lo -= pad }
            if fixedHi == nil { hi += pad }
        }
        return (clampFinite(lo), clampFinite(hi))
    }

    /// a...b with both ends finite and ordered (never traps).
    func range(_ a: Double, _ b: Double) -> ClosedRange<Double> {
        let lo = clampFinite(a), hi = clampFinite(b)
        return min(lo, hi)...max(lo, hi)
    }

    func clampFinite(_ v: Double) -> Double {
        v.isNaN ? 0 : min(max(v, -.greatestFiniteMagnitude), .greatestFiniteMagnitude)
    }

    // MARK: Drawing the series

    func draw(into canvas: inout DotCanvas, infos: [SeriesInfo], layers: [LayerSpec],
              xlo: Double, xhi: Double, tlo: Double, thi: Double) {
        let nL = layers.count, dW = canvas.dotsW, dH = canvas.dotsH
        guard nL > 0, dW > 0, dH > 0 else { return }
        let xMap = AxisMap(lo: xlo, hi: xhi, n: dW)
        let yMap = AxisMap(lo: tlo, hi: thi, n: dH)
        // Per layer and dot column: min, max, first, last (NaN = empty bucket).
        var buckets = [Double](repeating: .nan, count: nL * dW * 4)
        var before = [(x: Double, t: Double)?](repeating: nil, count: nL)
        var after = [(x: Double, t: Double)?](repeating: nil, count: nL)

        buckets.withUnsafeMutableBufferPointer { b in
            @inline(__always) func add(_ layer: Int, _ column: Int, _ t: Double) {
                let i = (layer * dW + column) * 4
                if b[i].isNaN {
                    b[i] = t; b[i + 1] = t; b[i + 2] = t; b[i + 3] = t
                } else {
                    if t < b[i] { b[i] = t }
                    if t > b[i + 1] { b[i + 1] = t }
                    b[i + 3] = t
                }
            }
            for info in infos {
                let r = info.rawLayer ?? -1, s = info.smoothLayer ?? -1
                _ = scan(series[info.index], constant: info.constant) { x, rt, st in
                    let raw = r >= 0 && rt.isFinite, smooth = s >= 0 && st.isFinite
                    if x < xlo {
                        if raw { before[r] = (x, rt) }
                        if smooth { before[s] = (x, st) }
                    } else if x > xhi {
                        if raw && after[r] == nil { after[r] = (x, rt) }
                        if smooth && after[s] == nil { after[s] = (x, st) }
                    } else {
                        let c = xMap.clampedSlot(x)
                        if raw { add(r, c, rt) }
                        if smooth { add(s, c, st) }
                    }
                }
            }
        }

        @inline(__always) func row(_ t: Double) -> Double { Double(dH - 1) - yMap.slot(t) }
        for layer in 0..<nL {
            canvas.layer = Int32(layer)
            var previous = before[layer].map { (x: xMap.slot($0.x), y: row($0.t)) }
            for c in 0..<dW {
                let i = (layer * dW + c) * 4
                guard !buckets[i].isNaN else { continue }
                canvas.vertical(x: c, top: row(buckets[i + 1]), bottom: row(buckets[i]))
                if let p = previous { canvas.line(p.x, p.y, Double(c), row(buckets[i + 2])) }
                previous = (x: Double(c), y: row(buckets[i + 3]))
            }
            if let a = after[layer], let p = previous { canvas.line(p.x, p.y, xMap.slot(a.x), row(a.t)) }
        }
    }
}
