/// One share of a split: a fixed number of cells, or a weight for what fixed shares leave.
public enum SplitSize: Hashable, Sendable {
    /// Exactly this many cells (fewer if the space runs out; earlier shares are served first).
    case fixed(Int)
    /// A share of the remaining cells in proportion to the weight (`.ratio(1), .ratio(2)` gives
    /// one third and two thirds). Weights must be positive; others count as 0.
    case ratio(Double)
}

/// Splitting rectangles into columns or rows, and the "terminal too small" rule.
public enum Layout {
    /// Below this size the workbench shows `renderTooSmall` instead of its panes.
    public static let minimumSize = Size(width: 40, height: 12)

    public static func isTooSmall(_ size: Size, minimum: Size = minimumSize) -> Bool {
        size.width < minimum.width || size.height < minimum.height
    }

    /// Lengths for `sizes` that add up to exactly `total` when any ratio share is present
    /// (otherwise to the fixed sizes, clipped to `total`), with `gap` cells between neighbours.
    /// Ratio shares are rounded by largest remainder, so no cell is lost or doubled.
    public static func lengths(_ sizes: [SplitSize], total: Int, gap: Int = 0) -> [Int] {
        guard !sizes.isEmpty else { return [] }
        var remaining = max(0, total - max(0, gap) * (sizes.count - 1))
        var out = [Int](repeating: 0, count: sizes.count)
        for (i, s) in sizes.enumerated() {
            if case let .fixed(n) = s {
                let take = min(max(0, n), remaining)
                out[i] = take
                remaining -= take
            }
        }
        var weights: [(index: Int, weight: Double)] = []
        for (i, s) in sizes.enumerated() {
            if case let .ratio(w) = s { weights.append((i, w.isFinite && w > 0 ? w : 0)) }
        }
        let sum = weights.reduce(0) { $0 + $1.weight }
        guard sum > 0, remaining > 0 else { return out }
        var given = 0
        var remainders: [(index: Int, frac: Double)] = []
        for (i, w) in weights {
            let exact = Double(remaining) * w / sum
            let whole = Int(exact.rounded(.down))
            out[i] = whole
            given += whole
            remainders.append((i, exact - Double(whole)))
        }
        remainders.sort { $0.frac != $1.frac ? $0.frac > $1.frac : $0.index < $1.index }
        var k = 0
        while given < remaining && !remainders.isEmpty {
            out[remainders[k % remainders.count].index] += 1
            given += 1
            k += 1
        }
        return out
    }
}

extension Rect {
    /// Side-by-side columns, left to right, `gap` cells apart.
    public func columns(_ sizes: [SplitSize], gap: Int = 0) -> [Rect] {
        var cx = x
        return Layout.lengths(sizes, total: width, gap: gap).map { w in
            defer { cx += w + max(0, gap) }
            return Rect(x: cx, y: y, width: w, height: height)
        }
    }

    /// Stacked rows, top to bottom, `gap` cells apart.
    public func rows(_ sizes: [SplitSize], gap: Int = 0) -> [Rect] {
        var cy = y
        return Layout.lengths(sizes, total: height, gap: gap).map { h in
            defer { cy += h + max(0, gap) }
            return Rect(x: x, y: cy, width: width, height: h)
        }
    }
}

extension CellGrid {
    /// Clears the grid and centres a notice that the terminal is smaller than `minimum` (what
    /// the workbench shows instead of its panes when `Layout.isTooSmall`). Lines that do not
    /// fit are cut; the first line is kept longest.
    public mutating func renderTooSmall(minimum: Size = Layout.minimumSize, quitKey: String = "q") {
        clear()
        let lines: [(String, Style)] = [
            ("Terminal too small", Style(.warning, .bold)),
            ("need \(minimum.width)×\(minimum.height), have \(width)×\(height)", .text),
            ("enlarge the window or press \(quitKey) to quit", Style(.dim)),
        ]
        let shown = Array(lines.prefix(height))
        let top = (height - shown.count) / 2
        for (i, (line, style)) in shown.enumerated() {
            let t = TextWidth.truncated(line, to: width)
            let x = max(0, (width - TextWidth.of(t)) / 2)
            put(t, x: x, y: top + i, style: style, maxWidth: width)
        }
    }
}
