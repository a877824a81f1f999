/// The plot area as a grid of dots (`cols × cw` by `rows × ch`), packed into one bit mask per
/// cell. Each cell remembers the last layer that set one of its dots: layers are drawn in
/// z-order, so the topmost layer owns the cell's colour while the dots of all layers are OR-ed.
struct DotCanvas {
    let cols: Int
    let rows: Int
    let cw: Int
    let ch: Int
    let dotsW: Int
    let dotsH: Int
    private(set) var mask: [UInt8]
    private(set) var owner: [Int32]
    /// Bit of the dot at (sx, sy) inside its cell, indexed `sy * cw + sx`.
    private let bits: [UInt8]
    /// The layer drawing now.
    var layer: Int32 = 0

    init(cols: Int, rows: Int, mode: ChartMode) {
        self.cols = max(0, cols)
        self.rows = max(0, rows)
        (cw, ch) = mode.dotsPerCell
        dotsW = self.cols * cw
        dotsH = self.rows * ch
        mask = [UInt8](repeating: 0, count: self.cols * self.rows)
        owner = [Int32](repeating: -1, count: self.cols * self.rows)
        switch mode {
        // Braille dots 1-2-3-7 down the left column, 4-5-6-8 down the right (ISO 11548-1).
        case .braille: bits = [0x01, 0x08, 0x02, 0x10, 0x04, 0x20, 0x40, 0x80]
        case .block: bits = [1, 2, 4, 8]     // upper-left, upper-right, lower-left, lower-right
        case .halfBlock: bits = [1, 2]       // upper, lower
        case .ascii: bits = [1]
        }
    }

    /// Sets the dot at column x, row y (from the top); dots outside the canvas are ignored.
    @inline(__always) mutating func set(_ x: Int, _ y: Int) {
        guard x >= 0, y >= 0, x < dotsW, y < dotsH else { return }
        let cell = (y / ch) * cols + x / cw
        mask[cell] |= bits[(y % ch) * cw + x % cw]
        owner[cell] = layer
    }

    /// The dots of column x from row `top` down to row `bottom` (clipped to the canvas).
    mutating func vertical(x: Int, top: Double, bottom: Double) {
        let lo = max(0, top), hi = min(Double(dotsH - 1), bottom)
        guard lo <= hi, x >= 0, x < dotsW else { return }
        for y in Int(lo)...Int(hi) { set(x, y) }
    }

    /// A Bresenham line between two dot positions, which may lie far outside the canvas: the
    /// segment is first clipped (Liang–Barsky), so the cost is bounded by the canvas size.
    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) {
        guard dotsW > 0, dotsH > 0, x0.isFinite, y0.isFinite, x1.isFinite, y1.isFinite else { return }
        let maxX = Double(dotsW - 1), maxY = Double(dotsH - 1)
        var (ax, ay, bx, by) = (x0, y0, x1, y1)
        if !(ax >= 0 && ax <= maxX && ay >= 0 && ay <= maxY && bx >= 0 && bx <= maxX && by >= 0 && by <= maxY) {
            let dx = bx - ax, dy = by - ay
            var t0 = 0.0, t1 = 1.0
            for (p, q) in [(-dx, ax), (dx, maxX - ax), (-dy, ay), (dy, maxY - ay)] {
                if p == 0 {
                    if q < 0 { return }
                } else {
                    let r = q / p
                    if p < 0 {
                        if r > t1 { return }
                        t0 = max(t0, r)
                    } else {
                        if r < t0 { return }
                        t1 = min(t1, r)
                    }
                }
            }
            (ax, ay, bx, by) = (ax + t0 * dx, ay + t0 * dy, ax + t1 * dx, ay + t1 * dy)
        }
        var x = Int(min(max(ax.rounded(), 0), maxX)), y = Int(min(max(ay.rounded(), 0), maxY))
        let ex = Int(min(max(bx.rounded(), 0), maxX)), ey = Int(min(max(by.rounded(), 0), maxY))
        let dx = abs(ex - x), dy = -abs(ey - y)
        let sx = x < ex ? 1 : -1, sy = y < ey ? 1 : -1
        var err = dx + dy
        while true {
            set(x, y)
            if x == ex && y == ey { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// The character of a cell's dot mask.
    static func glyph(_ mask: UInt8, mode: ChartMode, faint: Bool) -> Character {
        switch mode {
        case .braille: Character(Unicode.Scalar(0x2800 + UInt32(mask)) ?? " ")
        case .block: quadrants[Int(mask & 15)]
        case .halfBlock: halves[Int(mask & 3)]
        case .ascii: mask == 0 ? " " : (faint ? "." : "*")
        }
    }

    /// Indexed by upper-left 1 | upper-right 2 | lower-left 4 | lower-right 8.
    static let quadrants: [Character] = [" ", "▘", "▝", "▀", "▖", "▌", "▞", "▛", "▗", "▚", "▐", "▜", "▄", "▙", "▟", "█"]
    static let halves: [Character] = [" ", "▀", "▄", "█"]
}

/// Maps values of lo...hi onto n slots (dot columns, dot rows, cells) without overflow, even
/// for ranges near ±Double.greatestFiniteMagnitude.
struct AxisMap {
    private let lo2: Double
    private let span2: Double
    let n: Int

    init(lo: Double, hi: Double, n: Int) {
        lo2 = lo * 0.5
        span2 = hi * 0.5 - lo * 0.5
        self.n = n
    }

    /// The continuous position of v, 0 at lo and n at hi, limited to ±1e7 (far enough for
    /// clipping lines to points outside the range).
    @inline(__always) func position(_ v: Double) -> Double {
        let d = v * 0.5 - lo2
        let p = d * Double(n)
        var f = p.isFinite ? p / span2 : d / span2 * Double(n)
        if !f.isFinite { f = f.isNaN ? 0 : (f > 0 ? 1e7 : -1e7) }
        return min(max(f, -1e7), 1e7)
    }

    /// The slot of v: floor of its position; values inside the range (hi included) land in
    /// 0..<n, values outside keep their (out of range) slot.
    @inline(__always) func slot(_ v: Double) -> Double {
        let p = position(v)
        let f = p.rounded(.down)
        return p >= 0 && p <= Double(n) ? min(f, Double(n - 1)) : f
    }

    /// The slot of v clamped into 0..<n.
    func clampedSlot(_ v: Double) -> Int {
        Int(min(max(slot(v), 0), Double(max(n - 1, 0))))
    }
}
