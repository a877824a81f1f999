@testable import Charts
import Testing

@Suite struct ChartRendering {
    /// The y tick labels, top to bottom (the text left of the axis on each plot row).
    func yLabels(_ r: ChartRender) -> [String] {
        guard let p = r.plotArea else { return [] }
        return (p.y..<(p.y + p.height)).compactMap { y in
            let label = String(r.row(y).prefix(max(0, p.x - 2)).map(\.char).drop(while: { $0 == " " }))
            return label.isEmpty ? nil : String(label)
        }
    }

    /// Every dot of a tiny series checked by hand: fixed ranges 0...9 × 0...4, so a point's dot
    /// column is 2x and its dot row from the bottom is floor(4y) (the top value clamped in).
    /// Dots: (3, 4) and (3.25, 2) share dot column 6 (a vertical min–max extent); the buckets
    /// are joined by Bresenham lines from each bucket's last to the next one's first value.
    @Test func brailleDotsExact() {
        let s = Series(name: "s", slot: 0, points: [(0, 0), (1, 1), (2, 2), (3, 4), (3.25, 2), (5, 1), (9, 3)])
        let r = Chart.render([s], options: ChartOptions(xMin: 0, xMax: 9, yMin: 0, yMax: 4, showLegend: false),
                             width: 12, height: 6)
        #expect(r.lines() == [
            "4 ┤  ⢠⡇    ⢀",
            "2 ┤  ⡜⡇   ⡔⠁",
            "  │ ⡰⠁⠈⠢⡠⠊  ",
            "0 ┤⡰⠁       ",
            "  └┬─┬─┬─┬─┬",
            "   0 2 4 6 8",
        ])
        #expect(r.plotArea == ChartRect(x: 3, y: 0, width: 9, height: 4))
        #expect(r.xRange == 0...9 && r.yRange == 0...4)
        #expect(r[3, 3] == ChartCell(char: "⡰", role: .series(slot: 0, faint: false)))
        #expect(r[2, 0].role == .axis && r[0, 0].role == .label && r[3, 2].role == .empty)
        #expect(r.text() == r.lines().joined(separator: "\n"))
        #expect(r.segments(row: 3).map(\.text) == ["0", " ", "┤", "⡰⠁", "       "])
    }

    /// The same dense curve covers the same cells in every mode (dot positions are floors of
    /// one continuous coordinate, so a dot's cell does not depend on the dots per cell).
    @Test func modesDrawTheSameShape() {
        let pts = (0..<400).map { i in (x: Double(i), y: wave(Double(i) / 400 * 6.3)) }
        var shapes: [Set<Int>] = []
        for mode in ChartMode.allCases {
            let r = Chart.render([Series(name: "s", slot: 0, points: pts)],
                                 options: ChartOptions(mode: mode, showLegend: false), width: 40, height: 12)
            shapes.append(r.seriesCells)
            if mode == .ascii {
                #expect(r.cells.allSatisfy { $0.char.isASCII }, "ASCII mode must be pure ASCII")
                #expect(Set(r.cells(where: { if case .series = $0 { true } else { false } }).map(\.cell.char)) == ["*"])
            }
        }
        #expect(shapes[0].count > 40)
        for (mode, shape) in zip(ChartMode.allCases, shapes) { #expect(shape == shapes[0], "\(mode)") }
    }

    @Test func blockGlyphs() {
        // Quadrants: upper-left 1, upper-right 2, lower-left 4, lower-right 8.
        #expect(DotCanvas.glyph(1, mode: .block, faint: false) == "▘")
        #expect(DotCanvas.glyph(6, mode: .block, faint: false) == "▞")
        #expect(DotCanvas.glyph(13, mode: .block, faint: false) == "▙")
        #expect(DotCanvas.glyph(15, mode: .block, faint: false) == "█")
        #expect(DotCanvas.glyph(2, mode: .halfBlock, faint: false) == "▄")
        #expect(DotCanvas.glyph(0xFF, mode: .braille, faint: false) == "⣿")
        #expect(DotCanvas.glyph(1, mode: .ascii, faint: true) == ".")
        // A rising diagonal in block mode: one dot per quadrant row and column.
        var c = DotCanvas(cols: 2, rows: 2, mode: .block)
        c.line(0, 3, 3, 0)
        #expect(c.mask == [0, 6, 6, 0])
        #expect(c.mask.map { DotCanvas.glyph($0, mode: .block, faint: false) } == [" ", "▞", "▞", " "])
    }

    @Test func titleAndLegend() {
        let train = Series(name: "train loss", slot: 0, values: [1, 0.6, 0.3412])
        let val = Series(name: "val loss", slot: 3, values: [1.2, 0.8, 0.55])
        let hidden = Series(name: "hidden", slot: 5, values: [9, 9, 9], isVisible: false)
        let r = Chart.render([train, val, hidden], options: ChartOptions(title: "loss"), width: 40, height: 12)
        #expect(r.lines()[0] == String(repeating: " ", count: 18) + "loss" + String(repeating: " ", count: 18))
        #expect(r.cells(where: { $0 == .title }).map(\.cell.char) == ["l", "o", "s", "s"])
        let legend = "━ train loss 0.3412   ━ val loss 0.55"
        #expect(r.lines()[11] == legend + String(repeating: " ", count: 40 - legend.count))
        #expect(r[0, 11].role == .legend(slot: 0) && r[21, 11].role == .empty && r[22, 11].role == .legend(slot: 3))
        #expect(!r.text().contains("hidden") && !r.hasSeries(slot: 5))
        #expect(r.hasSeries(slot: 0) && r.hasSeries(slot: 3))
        // Legend off: that row becomes plot.
        let bare = Chart.render([train, val], options: ChartOptions(title: "loss", showLegend: false), width: 40, height: 12)
        #expect(!bare.text().contains("━") && bare.plotArea?.height == r.plotArea.map { $0.height + 1 })
        // Wrapping: a narrow chart puts the second entry on its own row.
        let narrow = Chart.render([train, val], width: 24, height: 12)
        #expect(narrow.lines()[10].hasPrefix("━ train loss 0.3412") && narrow.lines()[11].hasPrefix("━ val loss 0.55"))
        // ASCII legend marker.
        let ascii = Chart.render([train], options: ChartOptions(mode: .ascii), width: 40, height: 10)
        #expect(ascii.lines()[9].hasPrefix("- train loss 0.3412"))
    }

    /// Later series (higher z-order) own shared cells; the dots of both are OR-ed.
    @Test func sharedCellsOrDotsAndLaterWins() {
        let a = Series(name: "a", slot: 1, points: [(0, 0), (9, 0)])     // bottom dot row
        let b = Series(name: "b", slot: 2, points: [(0, 0.3), (9, 0.3)]) // one dot row up, same cells
        let opts = ChartOptions(xMin: 0, xMax: 9, yMin: 0, yMax: 4, showLegend: false)
        let r = Chart.render([a, b], options: opts, width: 12, height: 6)
        // Bottom plot row: dots 7 and 3 of each braille cell (rows 3 and 2): ⣤ = 0x24 | 0xC0.
        #expect(r.lines()[3] == "0 ┤⣤⣤⣤⣤⣤⣤⣤⣤⣤")
        #expect((3..<12).allSatisfy { r[$0, 3].role == .series(slot: 2, faint: false) })
        let swapped = Chart.render([b, a], options: opts, width: 12, height: 6)
        #expect(swapped.lines()[3] == r.lines()[3] && swapped[5, 3].role == .series(slot: 1, faint: false))
        // A faint series keeps the faint flag.
        var faint = a
        faint.isFaint = true
        #expect(Chart.render([faint], options: opts, width: 12, height: 6)[5, 3].role == .series(slot: 1, faint: true))
    }

    /// With smoothing the raw values are drawn faintly under the smoothed line.
    @Test func smoothingDrawsRawFaintly() {
        var rng = TestRandom(state: 7)
        let noisy = (0..<2000).map { i in (x: Double(i), y: 1 / (1 + Double(i) / 200) + (rng.next() - 0.5) * 0.6) }
        let s = Series(name: "loss", slot: 4, points: noisy)
        let raw = Chart.render([s], width: 60, height: 16)
        #expect(raw.hasSeries(slot: 4, faint: false) && !raw.hasSeries(slot: 4, faint: true))
        let smooth = Chart.render([s], options: ChartOptions(smoothing: 0.95), width: 60, height: 16)
        #expect(smooth.hasSeries(slot: 4, faint: true) && smooth.hasSeries(slot: 4, faint: false))
        // The legend shows the last raw value, then the last smoothed one.
        let last = Smoothing.tensorBoard(noisy.map(\.y), weight: 0.95).last ?? 0
        #expect(smooth.text().contains("━ loss " + Format.significant(noisy.last?.y ?? 0) + " ~" + Format.significant(last)))
        // Smoothed only: a thin line, fewer cells than the raw noise band.
        let only = Chart.render([s], options: ChartOptions(smoothing: 0.95, showRawWhenSmoothing: false), width: 60, height: 16)
        #expect(!only.hasSeries(slot: 4, faint: true) && only.seriesCells.count < raw.seriesCells.count / 2)
        // ASCII: faint cells are dots.
        let ascii = Chart.render([s], options: ChartOptions(mode: .ascii, smoothing: 0.95), width: 60, height: 16)
        #expect(ascii.cells(where: { $0 == .series(slot: 4, faint: true) }).allSatisfy { $0.cell.char == "." })
    }

    /// One outlier among 100k points survives as its bucket's max: the top dot row.
    @Test func bucketsKeepSpikes() {
        var rng = TestRandom(state: 1)
        var pts = (0..<100_000).map { i in (x: Double(i), y: rng.next()) }
        pts[54_321].y = 100
        let r = Chart.render([Series(name: "s", slot: 0, points: pts)],
                             options: ChartOptions(yPadding: 0, showLegend: false), width: 60, height: 20)
        guard let plot = r.plotArea, let xr = r.xRange else { Issue.record("no plot"); return }
        let column = plot.x + Int(54_321 / xr.upperBound * Double(plot.width))
        let top = r.cells(where: { if case .series = $0 { true } else { false } }).filter { $0.y == plot.y }
        #expect(top.map(\.x) == [column], "only the spike reaches the top row")
        #expect(r[column, plot.y].char != " ")
        // The spike's column is drawn from the noise band to the top: every plot row is hit.
        for y in plot.y..<(plot.y + plot.height) { #expect(r[column, y].role != .empty, "row \(y)") }
        #expect(r.yRange?.upperBound == 100)
    }

    @Test func zoomClipsPointsOutside() {
        // y = 100 far left, 0...1 inside 1000...2000, 50 far right.
        var pts: [(x: Double, y: Double)] = [(0, 100)]
        for i in 1000...2000 { pts.append((Double(i), Double(i % 7) / 6)) }
        pts.append((5000, 50))
        let s = Series(name: "s", slot: 0, points: pts)
        let r = Chart.render([s], options: ChartOptions(xMin: 1000, xMax: 2000, yPadding: 0, showLegend: false),
                             width: 50, height: 14)
        #expect(r.xRange == 1000...2000 && r.yRange == 0...1)
        #expect(yLabels(r) == ["1.0", "0.8", "0.6", "0.4", "0.2", "0.0"])
        #expect(r.lines()[13].hasPrefix("   1000     1200"))
        // Zoomed between two sparse points: the line crossing the window is still drawn.
        let sparse = Series(name: "s", slot: 0, points: [(0, 0), (100, 1)])
        let between = Chart.render([sparse], options: ChartOptions(xMin: 40, xMax: 60, showLegend: false),
                                   width: 30, height: 10)
        #expect(!between.seriesCells.isEmpty)
        // The y range fits where the line crosses the window's edges (0.4 and 0.6), padded.
        #expect(between.yRange.map { abs($0.lowerBound - 0.39) < 1e-9 && abs($0.upperBound - 0.61) < 1e-9 } == true)
        // Zoomed where there is nothing: empty axes, no crash.
        let nothing = Chart.render([s], options: ChartOptions(xMin: 1e6, xMax: 2e6), width: 40, height: 10)
        #expect(nothing.seriesCells.isEmpty && nothing.plotArea != nil)
    }

    @Test func fixedYRangeClipsLines() {
        let s = Series(name: "s", slot: 0, values: [0, 10, 0, -10, 0])
        let r = Chart.render([s], options: ChartOptions(yMin: -1, yMax: 1, showLegend: false), width: 30, height: 10)
        #expect(r.yRange == -1...1 && !r.seriesCells.isEmpty)
        #expect(r.seriesCells.allSatisfy { i in
            guard let p = r.plotArea else { return false }
            return i / r.width >= p.y && i / r.width < p.y + p.height && i % r.width >= p.x
        })
    }

    @Test func emptyOnePointAndFlat() {
        // No data: nothing visible, all points invalid, or all hidden.
        for series in [[], [Series(name: "s", slot: 0, values: [.nan, .infinity])],
                       [Series(name: "s", slot: 0, values: [1, 2], isVisible: false)]] {
            let r = Chart.render(series, width: 30, height: 7)
            #expect(r.lines()[3] == String(repeating: " ", count: 9) + "no data yet" + String(repeating: " ", count: 10))
            #expect(r.plotArea == nil && r[9, 3].role == .label)
        }
        let titled = Chart.render([], options: ChartOptions(title: "acc"), width: 30, height: 7)
        #expect(titled.lines()[0].contains("acc") && titled.lines()[4].contains("no data yet"))

        // One point: one dot, in the middle.
        let one = Chart.render([Series(name: "s", slot: 0, points: [(100, 0.5)])],
                               options: ChartOptions(showLegend: false), width: 30, height: 10)
        #expect(one.seriesCells.count == 1)
        #expect(one.xRange == 99...101 && one.yRange == 0.45...0.55)

        // All equal: a flat line across the middle, ticks around the value.
        let flat = Chart.render([Series(name: "s", slot: 0, values: Array(repeating: 2, count: 50))],
                                options: ChartOptions(showLegend: false), width: 30, height: 10)
        guard let p = flat.plotArea else { Issue.record("no plot"); return }
        let rows = Set(flat.seriesCells.map { $0 / flat.width })
        #expect(rows.count == 1 && flat.seriesCells.count == p.width)
        if let row = rows.first { #expect(abs(row - (p.y + p.height / 2)) <= 1) }
        #expect(flat.yRange == 1.8...2.2)
        #expect(flat.text().contains("2.0") && flat.text().contains("1.8") && flat.text().contains("2.2"))
        let zero = Chart.render([Series(name: "s", slot: 0, values: [0, 0, 0])], width: 30, height: 10)
        #expect(zero.yRange == -1...1 && zero.text().contains("0.0"))
    }

    @Test func nonFiniteAndNegativeValues() {
        let s = Series(name: "s", slot: 0, points: [(0, -5), (1, .nan), (2, -1), (.nan, 3), (3, .infinity), (4, -3), (.infinity, 0)])
        let r = Chart.render([s], options: ChartOptions(yPadding: 0), width: 30, height: 10)
        #expect(r.xRange == 0...4 && r.yRange == -5...(-1))
        #expect(r.text().contains("-4") && r.text().contains("-2"))
        #expect(r.text().contains("━ s -3"))
        // Log scale skips non-positive values.
        let log = Chart.render([Series(name: "s", slot: 0, values: [-1, 0, 0.01, 1, 100])],
                               options: ChartOptions(logScaleY: true, yPadding: 0), width: 30, height: 10)
        #expect(log.xRange == 2...4 && log.yRange == 0.01...100)
        for label in ["0.01", "1", "100"] { #expect(log.text().contains(label + " ┤")) }
    }

    @Test func hugeAndTinyRanges() {
        let cases: [[Double]] = [
            [-.greatestFiniteMagnitude, .greatestFiniteMagnitude, 0],
            [1e300, -1e300], [1e-300, 2e-300], [1, 1 + 1e-15, 1], [.leastNonzeroMagnitude, 0],
            [.greatestFiniteMagnitude, .greatestFiniteMagnitude],
        ]
        for values in cases {
            for mode in ChartMode.allCases {
                for log in [false, true] {
                    let r = Chart.render([Series(name: "s", slot: 0, values: values)],
                                         options: ChartOptions(mode: mode, logScaleY: log), width: 40, height: 12)
                    #expect(r.cells.count == 40 * 12)
                }
            }
        }
        // Extreme x values and zoom bounds.
        let m = Double.greatestFiniteMagnitude
        let xCases: [([(x: Double, y: Double)], Double?, Double?)] = [
            ([(-m, 0), (m, 1)], nil, nil), ([(m, 1)], nil, nil), ([(-m, 1)], nil, nil),
            ([(0, 1), (1, 2)], 5, 5), ([(0, 1), (1, 2)], 5, -5), ([(0, 1), (1, 2)], .nan, .infinity),
            ([(0, 1), (1, 2)], m, nil), ([(0, 1), (1, 2)], nil, -m), ([(0, 1), (1e-300, 2)], nil, nil),
        ]
        for (points, lo, hi) in xCases {
            for format in [AxisFormat.number, .duration, .clock] {
                let r = Chart.render([Series(name: "s", slot: 0, points: points)],
                                     options: ChartOptions(xFormat: format, xMin: lo, xMax: hi, yMin: lo, yMax: hi),
                                     width: 40, height: 12)
                #expect(r.cells.count == 40 * 12)
            }
        }
        let big = Chart.render([Series(name: "s", slot: 0, points: [(0, 0), (1e12, 1)])], width: 50, height: 10)
        #expect(big.lines()[8].hasSuffix("0.2T     0.4T     0.6T     0.8T   1.0T"))
        let wide = Chart.render([Series(name: "s", slot: 0, values: [-1e300, 1e300])], width: 40, height: 12)
        #expect(wide.text().contains("e300") && wide.seriesCells.count > 5)
    }

    /// Degrades: legend first, then labels, then title, then axes; a notice below 10×4.
    @Test func smallSizes() {
        let s = Series(name: "train", slot: 0, values: [3, 1, 2, 0.5])
        let opts = ChartOptions(title: "loss")
        let full = Chart.render([s], options: opts, width: 30, height: 10)
        #expect(full.text().contains("━ train") && full.text().contains("loss"))
        let noLegend = Chart.render([s], options: opts, width: 30, height: 6)   // 1+3+1+1 rows
        #expect(!noLegend.text().contains("━") && noLegend.lines()[0].contains("loss")
                && noLegend.plotArea?.height == 3 && noLegend.lines()[5].contains("0"))
        let noLabels = Chart.render([s], options: opts, width: 30, height: 5)  // title, 3 plot rows, axis
        #expect(noLabels.plotArea == ChartRect(x: 1, y: 1, width: 29, height: 3))
        #expect(noLabels.cells(where: { $0 == .label }).isEmpty && noLabels.lines()[4].hasPrefix("└"))
        let noTitle = Chart.render([s], options: opts, width: 10, height: 4)  // 3 plot rows, axis
        #expect(noTitle.plotArea == ChartRect(x: 1, y: 0, width: 9, height: 3) && !noTitle.text().contains("loss"))
        let plotOnly = Chart.render([Series(name: "s", slot: 0, values: Array(repeating: 1, count: 30))],
                                    options: ChartOptions(title: "long title"), width: 10, height: 4)
        #expect(plotOnly.seriesCells.count == 9 && plotOnly.lines()[3].hasPrefix("└"))
        // Too narrow for the y labels: labels dropped.
        let narrow = Chart.render([Series(name: "s", slot: 0, values: [0.00012, 0.00034])],
                                  options: ChartOptions(showLegend: false), width: 12, height: 8)
        #expect(narrow.plotArea?.x == 1)
        for (w, h) in [(9, 4), (10, 3), (30, 2)] {
            let r = Chart.render([s], width: w, height: h)
            #expect(r.width == w && r.height == h && r.plotArea == nil)
            #expect(r.text().contains("small") || r.text().contains("…"), "\(w)×\(h)")
        }
        #expect(Chart.render([s], width: 30, height: 2).lines()[1].contains("chart too small"))
        for (w, h) in [(0, 0), (-5, 3), (3, -1), (1, 1)] {
            let r = Chart.render([s], width: w, height: h)
            #expect(r.cells.count == max(0, w) * max(0, h) && r.width == max(0, w))
        }
        #expect(Chart.render([s], width: 0, height: 5).text() == "\n\n\n\n")
        #expect(Chart.render([s], width: 5, height: 5)[10, 10] == .empty)
    }

    @Test func xAxisFormats() {
        let minutes = Series(name: "s", slot: 0, points: (0...360).map { (x: Double($0), y: Double($0 % 10)) })
        let d = Chart.render([minutes], options: ChartOptions(xFormat: .duration, showLegend: false), width: 60, height: 8)
        let dLabels = d.lines()[7]
        #expect(dLabels == "    0s                2m                4m                6m")
        // Wall clock 12:00 to 13:00 UTC on 2024-01-01, shown at UTC+2.
        let t0 = 1_704_110_400.0
        let clock = Series(name: "s", slot: 0, points: (0...60).map { (x: t0 + Double($0) * 60, y: Double($0)) })
        let c = Chart.render([clock], options: ChartOptions(xFormat: .clock, utcOffset: 7200, showLegend: false),
                             width: 60, height: 8)
        #expect(c.lines()[7].contains("14:00") && c.lines()[7].contains("15:00") && c.lines()[7].contains("14:30"))
        let steps = Series(name: "s", slot: 0, points: [(0, 1), (100_000, 0)])
        let n = Chart.render([steps], options: ChartOptions(showLegend: false), width: 60, height: 8)
        #expect(n.lines()[7].contains("20k") && n.lines()[7].contains("100k"))
    }

    /// 4 × 100k points into 200×60 in every mode: nothing is allocated per point and the work
    /// is a few streaming passes, so this takes milliseconds even in debug builds.
    @Test func manyPoints() {
        var rng = TestRandom(state: 3)
        let series = (0..<4).map { k in
            Series(name: "run \(k)", slot: k, points: (0..<100_000).map { i in
                (x: Double(i), y: 2 / (1 + Double(i) / 5000) + Double(k) * 0.1 + rng.next() * 0.2)
            })
        }
        let clock = ContinuousClock()
        for mode in ChartMode.allCases {
            var r: ChartRender?
            let elapsed = clock.measure {
                r = Chart.render(series, options: ChartOptions(title: "loss", mode: mode, smoothing: 0.9),
                                 width: 200, height: 60)
            }
            guard let r else { continue }
            #expect(r.cells.count == 200 * 60)
            for k in 0..<4 { #expect(r.hasSeries(slot: k), "\(mode) run \(k)") }
            #expect(elapsed < .seconds(20), "\(mode): \(elapsed)")
        }
    }
}

@Suite struct ChartRobustness {
    /// Random data (NaN, ±inf, huge, tiny, unsorted x), options and sizes never trap.
    @Test func randomInputsNeverCrash() {
        var rng = TestRandom(state: 99)
        let specials: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 1e308, -1e308, .leastNormalMagnitude / 4, 5, -5]
        func value() -> Double {
            rng.next() < 0.2 ? specials[Int(rng.next() * Double(specials.count)) % specials.count]
                             : (rng.next() - 0.5) * CMath.pow10(Int(rng.next() * 20) - 10)
        }
        for round in 0..<300 {
            let n = Int(rng.next() * 60)
            let series = (0..<Int(rng.next() * 4)).map { k in
                Series(name: "s\(k)", slot: k, points: (0..<n).map { i in
                    (x: rng.next() < 0.9 ? Double(i) : value(), y: value())
                }, isVisible: rng.next() < 0.9, isFaint: rng.next() < 0.3)
            }
            let opts = ChartOptions(
                title: rng.next() < 0.5 ? "title \(round)" : "",
                mode: ChartMode.allCases[Int(rng.next() * 4) % 4],
                smoothing: rng.next() < 0.5 ? rng.next() : value(),
                showRawWhenSmoothing: rng.next() < 0.7, logScaleY: rng.next() < 0.3,
                xFormat: [AxisFormat.number, .duration, .clock][Int(rng.next() * 3) % 3],
                utcOffset: Int(rng.next() * 86400) - 43200,
                xMin: rng.next() < 0.2 ? value() : nil, xMax: rng.next() < 0.2 ? value() : nil,
                yMin: rng.next() < 0.2 ? value() : nil, yMax: rng.next() < 0.2 ? value() : nil,
                yPadding: rng.next() < 0.9 ? 0.05 : value(), showLegend: rng.next() < 0.8)
            let w = Int(rng.next() * 90) - 5, h = Int(rng.next() * 30) - 3
            let r = Chart.render(series, options: opts, width: w, height: h)
            #expect(r.cells.count == max(0, w) * max(0, h) && r.lines().count == max(0, h))
            #expect(r.lines().allSatisfy { $0.count == max(0, w) })
        }
    }
}
