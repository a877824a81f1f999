@testable import Charts

/// Test helpers: cells by role, plot rows as text.
extension ChartRender {
    /// Indices of cells drawn by a series (any slot, faint or not).
    var seriesCells: Set<Int> {
        Set(cells.indices.filter { if case .series = cells[$0].role { true } else { false } })
    }

    func cells(where match: (ChartRole) -> Bool) -> [(x: Int, y: Int, cell: ChartCell)] {
        cells.indices.filter { match(cells[$0].role) }.map { (x: $0 % width, y: $0 / width, cell: cells[$0]) }
    }

    func hasSeries(slot: Int, faint: Bool? = nil) -> Bool {
        cells.contains { cell in
            if case .series(let s, let f) = cell.role { s == slot && (faint == nil || faint == f) } else { false }
        }
    }
}

/// A deterministic generator (SplitMix64) for noisy test data.
struct TestRandom {
    var state: UInt64
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}

/// Plain-arithmetic sine-like curve (the test target has no libm import).
func wave(_ x: Double) -> Double {
    var t = x
    while t > 3.141592653589793 { t -= 6.283185307179586 }
    while t < -3.141592653589793 { t += 6.283185307179586 }
    var term = t, sum = 0.0
    for k in 1...20 {
        sum += term
        term *= -t * t / (Double(2 * k) * Double(2 * k + 1))
    }
    return sum
}
