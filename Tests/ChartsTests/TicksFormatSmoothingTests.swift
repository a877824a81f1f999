@testable import Charts
import Testing

@Suite struct ChartTicksAndFormats {
    @Test func niceLinearTicks() {
        #expect(ChartTicks.linear(from: 0, to: 1, maxCount: 6) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(ChartTicks.linear(from: 0, to: 100, maxCount: 6) == [0, 20, 40, 60, 80, 100])
        #expect(ChartTicks.linear(from: -3.7, to: 12.1, maxCount: 6) == [0, 5, 10])
        #expect(ChartTicks.linear(from: 12.1, to: -3.7, maxCount: 6) == [0, 5, 10])
        #expect(ChartTicks.linear(from: 1e6, to: 5e6, maxCount: 5) == [1e6, 2e6, 3e6, 4e6, 5e6])
        #expect(ChartTicks.linear(from: 0.001, to: 0.0042, maxCount: 5) == [0.001, 0.002, 0.003, 0.004])
        #expect(ChartTicks.linear(from: -1, to: 1, maxCount: 3) == [-1, 0, 1])
        #expect(ChartTicks.linear(from: -250, to: -20, maxCount: 6) == [-250, -200, -150, -100, -50])
        #expect(ChartTicks.linear(from: -249, to: -20, maxCount: 6) == [-200, -150, -100, -50])
        // Decimal steps are exact: 3 × 0.1 is 0.3, not 0.30000000000000004.
        #expect(ChartTicks.linear(from: 0, to: 0.3, maxCount: 4) == [0, 0.1, 0.2, 0.3])
        #expect(ChartTicks.linear(from: 0.1, to: 0.3, maxCount: 6) == [0.1, 0.15, 0.2, 0.25, 0.3])
        // 1-2-5 would give 7 or 2 here: 2.5 steps give 5.
        #expect(ChartTicks.linear(from: 0.3, to: 14.8, maxCount: 6) == [2.5, 5, 7.5, 10, 12.5])
        #expect(ChartTicks.linear(from: 7, to: 7, maxCount: 6) == [7])
        #expect(ChartTicks.linear(from: 0, to: .nan, maxCount: 6).isEmpty)
        #expect(ChartTicks.logarithmic(from: .nan, to: 1, maxCount: 6).isEmpty)
        #expect(ChartTicks.time(from: 0, to: .infinity, maxCount: 6).isEmpty)
        #expect(ChartTicks.linear(from: -.greatestFiniteMagnitude, to: .greatestFiniteMagnitude, maxCount: 6).count == 3)
    }

    /// Random ranges: ticks inside the range, evenly spaced by 1, 2, 2.5 or 5 × 10^k, 3 to 6.
    @Test func niceLinearTicksProperties() {
        var rng = TestRandom(state: 11)
        for _ in 0..<2000 {
            let scale = CMath.pow10(Int(rng.next() * 16) - 8)
            let a = (rng.next() - 0.5) * 100 * scale, b = a + rng.next() * 100 * scale + scale * 1e-3
            let t = TickMath.linear(a, b, maxCount: 6)
            #expect(t.values.count >= 3 && t.values.count <= 6, "\(a)...\(b): \(t.values)")
            #expect(t.values.allSatisfy { $0 >= a - 1e-9 * scale && $0 <= b + 1e-9 * scale })
            let e = CMath.log10(t.step).rounded(.down)
            let m = (t.step / CMath.pow(10, e) * 10).rounded() / 10
            #expect([1, 2, 2.5, 5].contains(m), "step \(t.step)")
            for (u, v) in zip(t.values, t.values.dropFirst()) { #expect(abs(v - u - t.step) <= 1e-9 * t.step) }
        }
    }

    @Test func logTicks() {
        #expect(ChartTicks.logarithmic(from: 1e-4, to: 10, maxCount: 6) == [1e-4, 1e-3, 1e-2, 0.1, 1, 10])
        #expect(ChartTicks.logarithmic(from: 1e-10, to: 1e10, maxCount: 6) == [1e-10, 1e-5, 1, 1e5, 1e10])
        #expect(ChartTicks.logarithmic(from: 1, to: 1e3, maxCount: 6) == [1, 10, 100, 1000])
        // Less than a decade: 1-2-5 multiples, else plain linear ticks.
        #expect(ChartTicks.logarithmic(from: 0.5, to: 2, maxCount: 6) == [0.5, 1, 2])
        #expect(ChartTicks.logarithmic(from: 0.2, to: 0.9, maxCount: 6) == [0.2, 0.5])
        #expect(ChartTicks.logarithmic(from: 0.3, to: 0.45, maxCount: 6) == [0.3, 0.35, 0.4, 0.45])
        #expect(ChartTicks.logarithmic(from: -1, to: 10, maxCount: 6).isEmpty)
        // Labels on a log axis: each in its own shortest form.
        #expect([1e-4, 0.001, 0.01, 1, 20000, 1e15].map(Format.compact) == ["1e-4", "0.001", "0.01", "1", "20k", "1e15"])
        let r = Chart.render([Series(name: "s", slot: 0, values: [1e-4, 1e-3, 1e-2, 1e-1, 1])],
                             options: ChartOptions(logScaleY: true, yPadding: 0, showLegend: false), width: 30, height: 12)
        let labels = r.lines().filter { $0.contains("┤") }.compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(labels == ["1", "0.1", "0.01", "0.001", "1e-4"])
        #expect(r.yRange.map { abs($0.lowerBound - 1e-4) < 1e-18 && abs($0.upperBound - 1) < 1e-12 } == true)
    }

    @Test func timeTicks() {
        #expect(ChartTicks.time(from: 0, to: 360, maxCount: 4) == [0, 120, 240, 360])
        #expect(ChartTicks.time(from: 0, to: 90, maxCount: 6) == [0, 30, 60, 90])
        #expect(ChartTicks.time(from: 0, to: 7 * 86400, maxCount: 6) == [0, 2, 4, 6].map { Double($0) * 86400 })
        // At UTC+0:30, ticks fall on local quarter hours.
        let t0 = 1_704_110_400.0   // 2024-01-01 12:00 UTC
        #expect(ChartTicks.time(from: t0 + 100, to: t0 + 3700, maxCount: 4, utcOffset: 1800)
                == [900, 1800, 2700, 3600].map { t0 + $0 })
    }

    @Test func labelFormats() {
        #expect(Format.tickLabels([0, 0.5, 1], step: 0.5) == ["0.0", "0.5", "1.0"])
        #expect(Format.tickLabels([-1, 0, 1], step: 1) == ["-1", "0", "1"])
        #expect(Format.tickLabels([0, 20000, 40000], step: 20000) == ["0", "20k", "40k"])
        #expect(Format.tickLabels([0, 2500, 5000], step: 2500) == ["0", "2500", "5000"])
        #expect(Format.tickLabels([0, 5000, 10000], step: 5000) == ["0", "5k", "10k"])
        #expect(Format.tickLabels([7500, 10000], step: 2500) == ["7.5k", "10.0k"])
        #expect(Format.tickLabels([2e6, 4e6], step: 2e6) == ["2M", "4M"])
        #expect(Format.tickLabels([1e-4, 1.5e-4, 2e-4], step: 5e-5) == ["1.0e-4", "1.5e-4", "2.0e-4"])
        #expect(Format.tickLabels([0, 1e18, 2e18], step: 1e18) == ["0", "1e18", "2e18"])
        #expect(Format.tickLabels([0.9991, 0.9992], step: 0.0001) == ["0.9991", "0.9992"])
        #expect(Format.fixed(-0.0001, decimals: 2) == "0.00" && Format.fixed(-1.25, decimals: 1) == "-1.3")
        #expect(Format.fixed(0.05, decimals: 3) == "0.050" && Format.fixed(1e300, decimals: 2) == "1e300")

        #expect(Format.significant(0.341234) == "0.3412" && Format.significant(12.3456) == "12.35")
        #expect(Format.significant(0.5) == "0.5" && Format.significant(-3) == "-3" && Format.significant(0) == "0")
        #expect(Format.significant(1.23456e-5) == "1.235e-5" && Format.significant(123456) == "1.235e5")
        #expect(Format.significant(9.99996) == "10" && Format.significant(.nan) == "nan")

        #expect(Format.duration(90, step: 30) == "1m30s" && Format.duration(3600, step: 600) == "1h")
        #expect(Format.duration(3900, step: 300) == "1h5m" && Format.duration(93600, step: 3600) == "1d2h")
        #expect(Format.duration(0, step: 60) == "0s" && Format.duration(-90, step: 30) == "-1m30s")
        #expect(Format.duration(0.5, step: 0.5) == "0.5s" && Format.duration(45, step: 15) == "45s")

        let t0 = 1_704_110_400.0   // 2024-01-01 12:00 UTC
        #expect(Format.clock(t0, step: 600, offset: 0) == "12:00" && Format.clock(t0, step: 600, offset: 7200) == "14:00")
        #expect(Format.clock(t0 + 30, step: 30, offset: 0) == "12:00:30")
        #expect(Format.clock(t0, step: 3600, offset: -13 * 3600) == "23:00")
        #expect(Format.clock(-60, step: 60, offset: 0) == "23:59")
    }
}

@Suite struct ChartSmoothing {
    /// TensorBoard's formula written out: last = last*w + (1-w)*y; n += 1; last / (1 - w^n).
    func reference(_ ys: [Double], _ w: Double) -> [Double] {
        var last = 0.0, n = 0.0
        return ys.map { y in
            guard y.isFinite else { return y }
            last = last * w + (1 - w) * y
            n += 1
            return last / (w == 1 ? 1 : 1 - CMath.pow(w, n))
        }
    }

    func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }

    @Test func knownSequence() {
        // w = 0.5: 1/0.5 = 1; (0.25+1)/0.75 = 5/3; NaN skipped (n stays 2); (0.625+1.5)/0.875 = 17/7.
        let s = Smoothing.tensorBoard([1, 2, .nan, 3], weight: 0.5)
        #expect(s.count == 4 && s[0] == 1 && abs(s[1] - 5.0 / 3) < 1e-15 && s[2].isNaN && abs(s[3] - 17.0 / 7) < 1e-15)
        #expect(same(Smoothing.tensorBoard([.infinity, 4, -.infinity, 2], weight: 0.6),
                     [.infinity, 4, -.infinity, (0.4 * 4 * 0.6 + 0.4 * 2) / (1 - 0.36)]))
    }

    @Test func matchesFormula() {
        var rng = TestRandom(state: 5)
        var ys = (0..<5000).map { _ in rng.next() * 3 - 1 }
        ys[17] = .nan
        ys[400] = .infinity
        for w in [0.0, 0.3, 0.6, 0.9, 0.99, 0.999, 1] {
            let ok = same(Smoothing.tensorBoard(ys, weight: w), reference(ys, w))
            #expect(ok, "w = \(w)")
        }
        let identity = same(Smoothing.tensorBoard(ys, weight: 0), ys)
        let stuck = Smoothing.tensorBoard(ys, weight: 1.5).allSatisfy { $0 == 0 || !$0.isFinite }  // clamped to 1
        let nanWeight = same(Smoothing.tensorBoard(ys, weight: .nan), ys)
        #expect(identity && stuck && nanWeight)
    }

    /// Constant series are returned unchanged (no rounding drift); NaN is never constant.
    @Test func constantAndEmpty() {
        #expect(Smoothing.tensorBoard(Array(repeating: 0.1, count: 100), weight: 0.9) == Array(repeating: 0.1, count: 100))
        #expect(Smoothing.tensorBoard([], weight: 0.9).isEmpty)
        #expect(same(Smoothing.tensorBoard([.nan, .nan], weight: 0.9), [.nan, .nan]))
    }
}
