/// Number, duration and clock formatting for tick labels and legend values, without
/// Foundation (deterministic, locale-free).
enum Format {
    /// Decimals needed to write multiples of `step` exactly (0.25 → 2, 5 → 0, 1e-5 → 5).
    static func decimals(for step: Double) -> Int {
        guard step.isFinite, step > 0 else { return 0 }
        for d in 0...12 {
            let s = step * CMath.pow10(d)
            if abs(s - s.rounded()) <= 1e-6 * max(1, s) { return d }
        }
        return 12
    }

    /// `v` with exactly `decimals` digits after the point; exponent form when too large.
    static func fixed(_ v: Double, decimals: Int) -> String {
        guard v.isFinite else { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
        let d = min(max(decimals, 0), 15)
        let scaled = (v * CMath.pow10(d)).rounded()
        guard abs(scaled) < 9e15 else { return exponent(v, decimals: 3, trim: true) }
        let n = Int64(scaled)
        var digits = String(n.magnitude)
        if d > 0 {
            if digits.count <= d { digits = String(repeating: "0", count: d + 1 - digits.count) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -d))
        }
        return (n < 0 ? "-" : "") + digits
    }

    /// `v` as mantissa "e" exponent: 2.5e-5, 1e18.
    static func exponent(_ v: Double, decimals: Int, trim: Bool = false) -> String {
        guard v.isFinite else { return fixed(v, decimals: 0) }
        guard v != 0 else { return "0" }
        var e = Int(CMath.log10(abs(v)).rounded(.down))
        var m = mantissa(v, e)
        let d = min(max(decimals, 0), 15)
        let scale = CMath.pow10(d)
        if abs((m * scale).rounded() / scale) >= 10 { e += 1; m = mantissa(v, e) }
        var text = fixed(m, decimals: d)
        if trim { text = trimZeros(text) }
        return text + "e" + String(e)
    }

    private static func mantissa(_ v: Double, _ e: Int) -> Double {
        e < -290 ? (v * 1e20) / CMath.pow10(e + 20) : v / CMath.pow10(e)
    }

    /// Drops trailing zeros after a decimal point, and the point itself: "0.500" → "0.5".
    static func trimZeros(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = Substring(s)
        while t.last == "0" { t = t.dropLast() }
        if t.last == "." { t = t.dropLast() }
        return String(t)
    }

    /// Labels for evenly spaced ticks `values` (spacing `step`), all in one style: fixed
    /// decimals; SI suffixes from 10k (20k, 1.5M); exponents beyond 1e15 or below 1e-3.
    static func tickLabels(_ values: [Double], step: Double) -> [String] {
        let maxAbs = values.reduce(0) { max($0, abs($1)) }
        guard maxAbs > 0, maxAbs.isFinite else { return values.map { _ in "0" } }
        if maxAbs >= 1e15 || maxAbs < 1e-3 {
            return values.map { v in
                guard v != 0 else { return "0" }
                let e = Int(CMath.log10(abs(v)).rounded(.down))
                let d = min(decimals(for: step / CMath.pow10(e)), 6)
                return exponent(v, decimals: d)
            }
        }
        if maxAbs >= 1e4 {
            let (unit, suffix): (Double, String) =
                maxAbs < 1e6 ? (1e3, "k") : maxAbs < 1e9 ? (1e6, "M") : maxAbs < 1e12 ? (1e9, "G") : (1e12, "T")
            let d = decimals(for: step / unit)
            return values.map { v in v == 0 ? "0" : fixed(v / unit, decimals: d) + suffix }
        }
        let d = decimals(for: step)
        return values.map { fixed($0, decimals: d) }
    }

    /// One value in its own shortest tick style (log-scale ticks: 0.001, 1e-5, 20k).
    static func compact(_ v: Double) -> String {
        tickLabels([v], step: abs(v))[0]
    }

    /// About `digits` significant digits, trailing zeros dropped (legend values: 0.3412).
    static func significant(_ v: Double, digits: Int = 4) -> String {
        guard v.isFinite else { return fixed(v, decimals: 0) }
        guard v != 0 else { return "0" }
        let a = abs(v)
        if a >= 1e-3 && a < 1e5 {
            let e = Int(CMath.log10(a).rounded(.down))
            return trimZeros(fixed(v, decimals: max(0, digits - 1 - e)))
        }
        return exponent(v, decimals: digits - 1, trim: true)
    }

    /// Seconds as 45s, 1m30s, 2h, 1h5m, 1d4h (components that are zero are left out).
    static func duration(_ t: Double, step: Double) -> String {
        guard t.isFinite else { return fixed(t, decimals: 0) }
        let sign = t < 0 ? "-" : ""
        let a = abs(t)
        if step < 1 && a < 60 { return sign + trimZeros(fixed(a, decimals: decimals(for: step))) + "s" }
        guard a < 9e15 else { return sign + exponent(a, decimals: 2, trim: true) + "s" }
        let s = Int64(a.rounded())
        guard s > 0 else { return "0s" }
        let parts: [(Int64, String)] = [(s / 86400, "d"), (s % 86400 / 3600, "h"), (s % 3600 / 60, "m"), (s % 60, "s")]
        return sign + parts.filter { $0.0 > 0 }.map { "\($0.0)\($0.1)" }.joined()
    }

    /// Epoch seconds as HH:MM (HH:MM:SS when the step is under a minute), shifted by `offset`.
    static func clock(_ t: Double, step: Double, offset: Int) -> String {
        guard t.isFinite, abs(t) < 9e15 else { return fixed(t, decimals: 0) }
        let s = Int64((t + Double(offset)).rounded(.down))
        let tod = ((s % 86400) + 86400) % 86400
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let hm = two(tod / 3600) + ":" + two(tod % 3600 / 60)
        return step < 60 ? hm + ":" + two(tod % 60) : hm
    }
}
