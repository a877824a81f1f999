/// Tick positions. Linear ticks are "nice" multiples of 1, 2 or 5 × 10^k (2.5 × 10^k only when
/// 1-2-5 would give fewer than three); log ticks are powers of ten (with 2 and 5 multiples
/// when the range spans less than a decade); time ticks are whole seconds, minutes, hours, days.
/// All ticks lie inside the range.
public enum ChartTicks {
    /// At most `maxCount` nice ticks in lo...hi (bounds in either order).
    public static func linear(from lo: Double, to hi: Double, maxCount: Int) -> [Double] {
        guard lo.isFinite, hi.isFinite else { return [] }
        return TickMath.linear(min(lo, hi), max(lo, hi), maxCount: maxCount).values
    }

    /// Ticks for a log axis over lo...hi (data units; both must be > 0).
    public static func logarithmic(from lo: Double, to hi: Double, maxCount: Int) -> [Double] {
        guard lo.isFinite, hi.isFinite else { return [] }
        return TickMath.log(min(lo, hi), max(lo, hi), maxCount: maxCount).values
    }

    /// Ticks on whole time units over lo...hi seconds; with `utcOffset`, aligned to local time.
    public static func time(from lo: Double, to hi: Double, maxCount: Int, utcOffset: Int = 0) -> [Double] {
        guard lo.isFinite, hi.isFinite else { return [] }
        return TickMath.time(min(lo, hi), max(lo, hi), maxCount: maxCount, offset: Double(utcOffset)).values
    }
}

/// Tick values and their spacing (0 when uneven, e.g. log decades: each label formats itself).
struct TickSet {
    var values: [Double]
    var step: Double
    static let none = TickSet(values: [], step: 0)
}

enum TickMath {
    /// Index range of multiples of `step` inside lo...hi (tolerating rounding at the ends), or
    /// nil when there are too many to index.
    static func indices(_ lo: Double, _ hi: Double, _ step: Double) -> (lo: Int, hi: Int)? {
        guard step > 0, step.isFinite else { return nil }
        let qLo = lo / step, qHi = hi / step
        guard qLo.isFinite, qHi.isFinite, abs(qLo) < 1e15, abs(qHi) < 1e15 else { return nil }
        let kLo = (qLo - max(1e-9, abs(qLo) * 1e-14)).rounded(.up)
        let kHi = (qHi + max(1e-9, abs(qHi) * 1e-14)).rounded(.down)
        return (Int(kLo), Int(kHi))
    }

    static func count(_ lo: Double, _ hi: Double, _ step: Double) -> Int? {
        guard let k = indices(lo, hi, step) else { return nil }
        return max(0, k.hi - k.lo + 1)
    }

    /// m × 10^e computed so decimal steps give exactly rounded values (3 × 0.1 → 0.3).
    static func multiple(_ k: Int, m: Double, e: Int) -> Double {
        e < 0 ? Double(k) * m / CMath.pow10(-e) : Double(k) * m * CMath.pow10(e)
    }

    static func linear(_ lo: Double, _ hi: Double, maxCount: Int) -> TickSet {
        guard lo.isFinite, hi.isFinite, maxCount >= 1 else { return .none }
        if lo == hi {
            let e = lo == 0 ? 0 : Int(CMath.log10(abs(lo)).rounded(.down))
            return TickSet(values: [lo], step: CMath.pow10(e))
        }
        let half = hi * 0.5 - lo * 0.5          // the span / 2, finite even for ±1e308
        let e0 = Int((CMath.log10(half) + CMath.log10(2)).rounded(.down))
        func candidate(_ ms: [Double]) -> (m: Double, e: Int, n: Int)? {
            for e in (e0 - 2)...(e0 + 2) {
                for m in ms {
                    let step = m * CMath.pow10(e)
                    if let n = count(lo, hi, step), n <= maxCount { return (m, e, n) }
                }
            }
            return nil
        }
        guard var best = candidate([1, 2, 5]) else { return .none }
        let minCount = min(3, maxCount)
        if best.n < minCount {
            // 1-2-5 jumps from too many to too few (e.g. 0.3...14.8 with six at most): 2.5 fits.
            search: for e in (e0 - 2)...(e0 + 2) {
                if let n = count(lo, hi, 2.5 * CMath.pow10(e)), n >= minCount, n <= maxCount {
                    best = (2.5, e, n)
                    break search
                }
            }
        }
        guard let k = indices(lo, hi, best.m * CMath.pow10(best.e)), k.hi >= k.lo else {
            return TickSet(values: [], step: best.m * CMath.pow10(best.e))
        }
        let values = (k.lo...k.hi).map { multiple($0, m: best.m, e: best.e) }
        return TickSet(values: values, step: best.m * CMath.pow10(best.e))
    }

    /// lo, hi in data units (> 0).
    static func log(_ lo: Double, _ hi: Double, maxCount: Int) -> TickSet {
        guard lo > 0, hi >= lo, hi.isFinite, maxCount >= 1 else { return .none }
        let dLo = CMath.log10(lo), dHi = CMath.log10(hi)
        let pLo = Int((dLo - 1e-9).rounded(.up)), pHi = Int((dHi + 1e-9).rounded(.down))
        let decades = pHi - pLo + 1
        if decades >= 2 {
            // Every s-th power of ten, s from 1, 2, 5, 10, 20, ... (a decade count is at most ~650).
            var powers = Array(pLo...pHi)
            for s in [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] {
                powers = (pLo...pHi).filter { $0 % s == 0 }
                if powers.count <= maxCount { break }
            }
            return TickSet(values: powers.map { CMath.pow10($0) }, step: 0)
        }
        // Less than two powers in range: 1, 2, 5 × 10^p.
        var values: [Double] = []
        for p in (pLo - 1)...(pHi + 1) {
            for m in [1.0, 2, 5] {
                let v = multiple(1, m: m, e: p)
                if v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12) { values.append(v) }
            }
        }
        if values.count >= 2 && values.count <= maxCount { return TickSet(values: values, step: 0) }
        if values.count > maxCount {
            let ones = values.filter { CMath.log10($0).rounded() == CMath.log10($0) }
            let thin = stride(from: 0, to: values.count, by: 2).map { values[$0] }
            let pick = ones.count >= 2 && ones.count <= maxCount ? ones : thin
            if pick.count <= maxCount { return TickSet(values: pick, step: 0) }
        }
        return linear(lo, hi, maxCount: maxCount)
    }

    /// Whole time units: 1, 2, 5, 10, 15, 30 s; 1, 2, 5, 10, 15, 30 min; 1, 2, 3, 6, 12 h;
    /// 1, 2, 5, 10, ... days (decimal steps below a second). `offset` shifts the grid (time zone).
    static let timeSteps: [Double] = {
        var steps: [Double] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]
        steps += [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200]
        var day = 86400.0
        for _ in 0..<6 {
            steps += [day, day * 2, day * 5]
            day *= 10
        }
        return steps
    }()

    static func time(_ lo: Double, _ hi: Double, maxCount: Int, offset: Double) -> TickSet {
        guard lo.isFinite, hi.isFinite, maxCount >= 1 else { return .none }
        let sLo = lo + offset, sHi = hi + offset
        for step in timeSteps {
            guard let n = count(sLo, sHi, step), n <= maxCount else { continue }
            guard let k = indices(sLo, sHi, step), k.hi >= k.lo else { return TickSet(values: [], step: step) }
            return TickSet(values: (k.lo...k.hi).map { Double($0) * step - offset }, step: step)
        }
        return linear(lo, hi, maxCount: maxCount)
    }
}
