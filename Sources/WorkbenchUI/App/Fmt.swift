import Basics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Number formatting for panes and the status line.
enum Fmt {
    /// A loss or accuracy: 4 decimals below 10, fewer above; "nan"/"inf" as such.
    static func metric(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
        if abs(v) >= 1000 { return fixed(v, 0) }
        if abs(v) >= 10 { return fixed(v, 2) }
        return fixed(v, 4)
    }

    /// `v` with exactly `decimals` decimals.
    static func fixed(_ v: Double, _ decimals: Int) -> String {
        guard v.isFinite else { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
        let scale = pow(10.0, Double(decimals))
        let r = (abs(v) * scale).rounded()
        guard r < 9e15 else { return String(v) }
        let whole = Int(r / scale)
        let frac = Int(r) - whole * Int(scale)
        let sign = v < 0 && r > 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(whole) }
        var f = String(frac)
        while f.count < decimals { f = "0" + f }
        return sign + String(whole) + "." + f
    }

    /// A probability as "0.93" (two decimals).
    static func probability(_ p: Double) -> String { fixed(min(max(p.isFinite ? p : 0, 0), 1), 2) }

    /// Seconds as "45s", "3m05s", "1h02m", "2d03h".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        guard seconds < 1e9 else { return "years" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + pad2(s % 60) + "s" }
        if s < 86400 { return "\(s / 3600)h" + pad2(s % 3600 / 60) + "m" }
        return "\(s / 86400)d" + pad2(s % 86400 / 3600) + "h"
    }

    /// Samples per second: "950/s", "12.3k/s", "1.2M/s".
    static func rate(_ v: Double) -> String {
        guard v.isFinite, v >= 0 else { return "–" }
        if v < 10_000 { return Digits.grouped(Int(v.rounded())) + "/s" }
        if v < 1_000_000 { return fixed(v / 1000, 1) + "k/s" }
        return fixed(v / 1_000_000, 1) + "M/s"
    }

    /// Requests per second: "0 req/s", "12 req/s", "3.4k req/s" (one decimal below 10).
    static func requestRate(_ v: Double) -> String {
        guard v.isFinite, v >= 0 else { return "– req/s" }
        if v < 10 && v != v.rounded() { return fixed(v, 1) + " req/s" }
        if v < 10_000 { return Digits.grouped(Int(v.rounded())) + " req/s" }
        return fixed(v / 1000, 1) + "k req/s"
    }

    static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
