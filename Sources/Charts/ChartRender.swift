/// What a cell shows, so the caller can colour it.
public enum ChartRole: Sendable, Hashable {
    case empty
    /// Axis lines and tick marks.
    case axis
    /// Tick labels and notices ("no data yet", "chart too small").
    case label
    case title
    /// A legend entry (marker, name and latest value) of the series with this colour slot.
    case legend(slot: Int)
    /// Plot dots. When several layers touch a cell their dots are OR-ed and the last drawn
    /// layer (highest z-order: faint raw layers first, then solid lines in series order) owns it.
    case series(slot: Int, faint: Bool)
}

public struct ChartCell: Sendable, Hashable {
    public var char: Character
    public var role: ChartRole

    public init(char: Character, role: ChartRole) {
        self.char = char
        self.role = role
    }

    public static let empty = ChartCell(char: " ", role: .empty)
}

/// A rectangle of cells: x (column) and y (row) from the top-left corner.
public struct ChartRect: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// A rendered chart: exactly `width × height` cells, row-major.
public struct ChartRender: Sendable {
    public let width: Int
    public let height: Int
    /// Row-major: the cell at column x, row y is `cells[y * width + x]`.
    public let cells: [ChartCell]
    /// Where the plot area is (for mapping a cursor column back to x); nil when no plot was drawn.
    public let plotArea: ChartRect?
    /// The x range shown across the plot area (after zoom/auto-fit); nil when no plot was drawn.
    public let xRange: ClosedRange<Double>?
    /// The y range shown, in data units (also on a log scale); nil when no plot was drawn.
    public let yRange: ClosedRange<Double>?

    init(width: Int, height: Int, cells: [ChartCell], plotArea: ChartRect?,
         xRange: ClosedRange<Double>?, yRange: ClosedRange<Double>?) {
        self.width = width
        self.height = height
        self.cells = cells
        self.plotArea = plotArea
        self.xRange = xRange
        self.yRange = yRange
    }

    /// The cell at column x, row y; an empty cell outside the chart.
    public subscript(x: Int, y: Int) -> ChartCell {
        guard x >= 0, x < width, y >= 0, y < height else { return .empty }
        return cells[y * width + x]
    }

    /// The cells of row y (empty outside the chart).
    public func row(_ y: Int) -> ArraySlice<ChartCell> {
        guard y >= 0, y < height else { return [] }
        return cells[(y * width)..<((y + 1) * width)]
    }

    /// Row y as runs of cells sharing a role, for drawing with one colour per run.
    public func segments(row y: Int) -> [(role: ChartRole, text: String)] {
        var out: [(role: ChartRole, text: String)] = []
        for cell in row(y) {
            if let last = out.last, last.role == cell.role {
                out[out.count - 1].text.append(cell.char)
            } else {
                out.append((role: cell.role, text: String(cell.char)))
            }
        }
        return out
    }

    /// Each row as a string of exactly `width` characters (trailing spaces kept).
    public func lines() -> [String] {
        (0..<height).map { y in String(row(y).map(\.char)) }
    }

    /// The rows joined by "\n".
    public func text() -> String {
        lines().joined(separator: "\n")
    }
}
