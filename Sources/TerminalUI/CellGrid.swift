/// One screen cell: a grapheme, its display width and its style.
///
/// A wide character (width 2) fills two cells: the left one holds the grapheme, the right one
/// is a *continuation* cell (empty grapheme, width 0). The grid keeps that pairing intact:
/// overwriting either half of a wide character turns the other half into a space.
public struct Cell: Hashable, Sendable {
    public var grapheme: String
    /// 1 for most characters, 2 for the left half of a wide one, 0 for its right half.
    public var width: UInt8
    public var style: Style

    public init(_ grapheme: String, width: UInt8 = 1, style: Style = .text) {
        self.grapheme = grapheme
        self.width = width
        self.style = style
    }

    public static let blank = Cell(" ")

    public static func space(_ style: Style) -> Cell { Cell(" ", style: style) }

    public static func continuation(_ style: Style) -> Cell { Cell("", width: 0, style: style) }

    public var isContinuation: Bool { width == 0 }
}

/// A horizontal stretch of cells that changed between two frames: the backend writes `cells`
/// starting at column `x` of `row`. A run never starts on a continuation cell and never ends
/// on the left half of a wide character.
public struct Run: Hashable, Sendable {
    public var row: Int
    public var x: Int
    public var cells: [Cell]

    public init(row: Int, x: Int, cells: [Cell]) {
        self.row = row
        self.x = x
        self.cells = cells
    }
}

/// An in-memory screen: panes render into it, the backend copies what changed to the terminal,
/// tests read it back as text. Every write is clipped to the grid.
public struct CellGrid: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = max(0, width)
        self.height = max(0, height)
        let f = fill.width == 1 ? fill : Cell.blank
        cells = [Cell](repeating: f, count: self.width * self.height)
    }

    public init(size: Size, fill: Cell = .blank) {
        self.init(width: size.width, height: size.height, fill: fill)
    }

    public var size: Size { Size(width: width, height: height) }
    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// The cell at (x, y), or nil outside the grid.
    public subscript(x: Int, y: Int) -> Cell? {
        guard x >= 0, x < width, y >= 0, y < height else { return nil }
        return cells[y * width + x]
    }

    // MARK: Writing

    /// Writes `text` from column `x` of row `y`, using at most `maxWidth` cells (and never past
    /// the right edge). A wide character that does not fit in the space left is replaced by a
    /// space, so it never spills onto a border. Characters left of column 0 are clipped.
    /// Returns the column after the last cell written (or that would have been written).
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .text,
                             maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        let limit = min(width, maxWidth.map { x + max(0, $0) } ?? width)
        var cx = x
        for ch in text {
            if cx >= limit { break }
            let (g, w) = TextWidth.cell(for: ch)
            if w == 0 { continue }
            if cx + w > limit {
                // Does not fit: blank out the cells it would have taken up to the limit.
                while cx < limit {
                    if cx >= 0 { set(x: cx, y: y, .space(style)) }
                    cx += 1
                }
                break
            }
            if cx < 0 {
                // Straddles the left edge: show the visible part as spaces.
                var i = 0
                while i < cx + w {
                    set(x: i, y: y, .space(style))
                    i += 1
                }
                cx += w
                continue
            }
            if w == 2 {
                set(x: cx, y: y, Cell(g, width: 2, style: style))
                // `set` repaired the neighbours; write the continuation directly so the repair
                // does not undo the lead just written.
                clearOverlap(x: cx + 1, y: y, keepingLeadAt: cx)
                cells[y * width + cx + 1] = .continuation(style)
            } else {
                set(x: cx, y: y, Cell(g, width: 1, style: style))
            }
            cx += w
        }
        return cx
    }

    /// Sets every cell of `rect` (clipped to the grid) to `character` in `style`. A wide or
    /// zero-width `character` is replaced by a space.
    public mutating func fill(_ rect: Rect, with character: Character = " ", style: Style = .text) {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return }
        let (g, w) = TextWidth.cell(for: character)
        let cell = w == 1 ? Cell(g, style: style) : .space(style)
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { set(x: x, y: y, cell) }
        }
    }

    /// Clears the whole grid to blanks in `style`.
    public mutating func clear(style: Style = .text) {
        let c = Cell.space(style)
        for i in cells.indices { cells[i] = c }
    }

    /// A horizontal line of `length` cells from (x, y).
    public mutating func hline(x: Int, y: Int, length: Int, style: Style = Style(.border),
                               character: Character = "─") {
        fill(Rect(x: x, y: y, width: length, height: 1), with: character, style: style)
    }

    /// A vertical line of `length` cells from (x, y).
    public mutating func vline(x: Int, y: Int, length: Int, style: Style = Style(.border),
                               character: Character = "│") {
        fill(Rect(x: x, y: y, width: 1, height: length), with: character, style: style)
    }

    /// Box-drawing characters for one kind of frame.
    public struct BoxGlyphs: Hashable, Sendable {
        public var horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight: Character
        public init(horizontal: Character, vertical: Character, topLeft: Character,
                    topRight: Character, bottomLeft: Character, bottomRight: Character) {
            self.horizontal = horizontal
            self.vertical = vertical
            self.topLeft = topLeft
            self.topRight = topRight
            self.bottomLeft = bottomLeft
            self.bottomRight = bottomRight
        }
        public static let light = BoxGlyphs(horizontal: "─", vertical: "│", topLeft: "┌",
                                            topRight: "┐", bottomLeft: "└", bottomRight: "┘")
        /// Used for the focused pane, so focus shows without colour too.
        public static let heavy = BoxGlyphs(horizontal: "━", vertical: "┃", topLeft: "┏",
                                            topRight: "┓", bottomLeft: "┗", bottomRight: "┛")
    }

    /// Draws a frame on the edge of `rect` (clipped to the grid), with `title` in the top edge
    /// (truncated with "…" to fit between the corners). A focused box uses heavy lines and the
    /// focused roles. The inside is left untouched; it is `rect.inset(by: 1)`.
    public mutating func box(_ rect: Rect, title: String? = nil, focused: Bool = false) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let g = focused ? BoxGlyphs.heavy : BoxGlyphs.light
        let style = Style(focused ? .borderFocused : .border)
        let x1 = rect.maxX - 1, y1 = rect.maxY - 1
        hline(x: rect.x + 1, y: rect.y, length: rect.width - 2, style: style, character: g.horizontal)
        hline(x: rect.x + 1, y: y1, length: rect.width - 2, style: style, character: g.horizontal)
        vline(x: rect.x, y: rect.y + 1, length: rect.height - 2, style: style, character: g.vertical)
        vline(x: x1, y: rect.y + 1, length: rect.height - 2, style: style, character: g.vertical)
        putClipped(g.topLeft, x: rect.x, y: rect.y, style: style)
        putClipped(g.topRight, x: x1, y: rect.y, style: style)
        putClipped(g.bottomLeft, x: rect.x, y: y1, style: style)
        putClipped(g.bottomRight, x: x1, y: y1, style: style)
        if let title, !title.isEmpty, rect.width >= 5 {
            // " title " between "┌─" and "─┐".
            let room = rect.width - 4
            let shown = TextWidth.truncated(" " + title + " ", to: room)
            let titleStyle = focused ? Style(.titleFocused, .bold) : Style(.title)
            // Start one cell in so the title is framed by a line on the left.
            put(shown, x: rect.x + 2, y: rect.y, style: titleStyle, maxWidth: room)
        }
    }

    // MARK: Reading

    /// Row `y` as text (continuation cells skipped), exactly `width` cells wide; "" outside.
    public func text(row y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var s = ""
        for x in 0..<width {
            let c = cells[y * width + x]
            if !c.isContinuation { s += c.grapheme }
        }
        return s
    }

    /// All rows joined by newlines.
    public func text() -> String {
        (0..<height).map { text(row: $0) }.joined(separator: "\n")
    }

    /// The styles of row `y`, one per cell (continuation cells included).
    public func styles(row y: Int) -> [Style] {
        guard y >= 0, y < height else { return [] }
        return cells[(y * width)..<(y * width + width)].map(\.style)
    }

    // MARK: Diffing

    /// The runs of cells that differ from `previous`, row by row, left to right. Applying them
    /// to `previous` gives `self`. When the sizes differ every row of `self` is one run (the
    /// backend clears the screen first).
    public func diff(from previous: CellGrid) -> [Run] {
        var runs: [Run] = []
        guard previous.width == width, previous.height == height else {
            for y in 0..<height where width > 0 {
                runs.append(Run(row: y, x: 0, cells: Array(cells[(y * width)..<(y * width + width)])))
            }
            return runs
        }
        for y in 0..<height {
            let base = y * width
            var x = 0
            while x < width {
                if cells[base + x] == previous.cells[base + x] {
                    x += 1
                    continue
                }
                var start = x
                var end = x + 1
                while end < width && cells[base + end] != previous.cells[base + end] { end += 1 }
                // Whole wide characters only.
                if start > 0 && cells[base + start].isContinuation { start -= 1 }
                if end < width && cells[base + end - 1].width == 2 { end += 1 }
                if let last = runs.last, last.row == y, last.x + last.cells.count >= start {
                    // Widening touched the previous run: merge.
                    let from = last.x + last.cells.count
                    if end > from {
                        runs[runs.count - 1].cells.append(contentsOf: cells[(base + from)..<(base + end)])
                    }
                } else {
                    runs.append(Run(row: y, x: start, cells: Array(cells[(base + start)..<(base + end)])))
                }
                x = end
            }
        }
        return runs
    }

    /// Copies `runs` (from `diff(from: self)`) into the grid; cells outside are ignored.
    public mutating func apply(_ runs: [Run]) {
        for run in runs where run.row >= 0 && run.row < height {
            for (i, c) in run.cells.enumerated() {
                let x = run.x + i
                if x >= 0 && x < width { cells[run.row * width + x] = c }
            }
        }
    }

    // MARK: Cell-level writes that keep wide characters whole

    /// Sets one narrow cell or the left half of a wide one, first turning any wide character
    /// it would cut in half into spaces.
    private mutating func set(x: Int, y: Int, _ cell: Cell) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        clearOverlap(x: x, y: y, keepingLeadAt: nil)
        cells[y * width + x] = cell
    }

    private mutating func putClipped(_ character: Character, x: Int, y: Int, style: Style) {
        let (g, w) = TextWidth.cell(for: character)
        set(x: x, y: y, w == 1 ? Cell(g, style: style) : .space(style))
    }

    /// Before cell (x, y) is overwritten: if it is half of a wide character, the other half
    /// becomes a space (in that character's style). `keepingLeadAt` names a lead just written
    /// whose continuation is about to be written at (x, y).
    private mutating func clearOverlap(x: Int, y: Int, keepingLeadAt lead: Int?) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let i = y * width + x
        let c = cells[i]
        if c.isContinuation, x > 0, lead != x - 1, cells[i - 1].width == 2 {
            cells[i - 1] = .space(cells[i - 1].style)
        }
        if c.width == 2, x + 1 < width {
            cells[i + 1] = .space(c.style)
        }
    }
}
