import TerminalUI

/// The metrics overlay (`M`, `:metrics`): per-class precision / recall / F1 / support with
/// their macro and weighted averages, then the confusion matrix as counts or as shares of
/// each true class's row (`n` toggles). ↑↓ scroll the lines, ←→ the matrix's columns when
/// there are more classes than fit.
public struct MetricsView: Hashable, Sendable {
    /// nil until the service answers.
    public var snapshot: MetricsSnapshot?
    /// Shown instead of the tables while there is no snapshot ("loading…", or why not).
    public var message: String
    /// Row-normalised shares instead of counts.
    public var normalised = false
    /// The first line shown.
    public var scroll = 0
    /// The first matrix column shown.
    public var columnScroll = 0

    public init(snapshot: MetricsSnapshot? = nil, message: String = "computing on the validation data…") {
        self.snapshot = snapshot
        self.message = message
    }

    /// Handles a key; false: the overlay closes.
    mutating func handle(_ action: KeyAction?, key: Key, page: Int) -> Bool {
        switch (action, key) {
        case (_, .character("n")), (_, .character("%")): normalised.toggle()
        case (.up?, _): scroll = max(0, scroll - 1)
        case (.down?, _): scroll += 1
        case (.pageUp?, _): scroll = max(0, scroll - page)
        case (.pageDown?, _): scroll += page
        case (.top?, _): scroll = 0
        case (.bottom?, _): scroll = Int.max / 2
        case (.left?, _): columnScroll = max(0, columnScroll - 1)
        case (.right?, _): columnScroll += 1
        case (.escape?, _), (.quit?, _), (.enter?, _), (_, .character("M")): return false
        default: break
        }
        return true
    }
}

/// One drawn line of the overlay: pieces of text, each in its style.
struct StyledLine {
    var pieces: [(text: String, style: Style)] = []

    mutating func add(_ text: String, _ style: Style = Style(.overlay)) { pieces.append((text, style)) }
}

enum MetricsRenderer {
    /// The widest a class name is shown (longer ones end in "…").
    static let nameWidth = 14

    /// Draws the overlay over `area`; clamps nothing in `view` (drawing only reads).
    static func draw(_ grid: inout CellGrid, area: Rect, view: MetricsView) {
        let title = "Metrics — \(view.normalised ? "row %" : "counts") (n) · ↑↓←→ scroll · Esc closes"
        let width = max(40, area.width - 2)
        let inner = OverlayRenderer.frame(&grid, in: area, size: Size(width: width, height: area.height - 2), title: title)
        guard inner.height > 0, inner.width > 0 else { return }
        guard let s = view.snapshot else {
            Draw.text(&grid, " " + view.message, x: inner.x, y: inner.y, width: inner.width, style: Style(.overlay, .dim))
            return
        }
        let lines = self.lines(s, view: view, width: inner.width - 1)
        let maxScroll = max(0, lines.count - inner.height)
        let top = min(max(0, view.scroll), maxScroll)
        for row in 0..<inner.height {
            let i = top + row
            guard i < lines.count else { break }
            var x = inner.x + 1
            for piece in lines[i].pieces where x < inner.maxX {
                x = Draw.text(&grid, piece.text, x: x, y: inner.y + row, width: inner.maxX - x, style: piece.style)
            }
        }
        if maxScroll > 0 {
            // On the frame's bottom edge, clear of the tables.
            let mark = top < maxScroll ? " ↓ more " : " end "
            Draw.text(&grid, mark, x: inner.maxX - TextWidth.of(mark) - 1, y: inner.maxY, width: 8, style: Style(.overlay, .dim))
        }
    }

    /// The most matrix columns that fit beside the row labels in `width`.
    static func visibleColumns(_ s: MetricsSnapshot, normalised: Bool, width: Int) -> Int {
        let (labelW, cellW) = widths(s, normalised: normalised)
        return max(1, (width - labelW) / cellW)
    }

    static func widths(_ s: MetricsSnapshot, normalised: Bool) -> (label: Int, cell: Int) {
        let labelW = min(nameWidth, max(5, s.classes.map { TextWidth.of($0.name) }.max() ?? 0)) + 1
        let digits = String(s.confusion.joined().max() ?? 0).count
        // Wide enough for the numbers, and for up to 7 cells of a column's class name.
        let names = min(8, (s.classes.map { TextWidth.of($0.name) }.max() ?? 0) + 1)
        return (labelW, max(normalised ? 6 : 5, digits + 2, names))
    }

    static func name(_ s: String, _ width: Int) -> String { TextWidth.truncated(s, to: width) }

    static func lines(_ s: MetricsSnapshot, view: MetricsView, width: Int) -> [StyledLine] {
        let plain = Style(.overlay), bold = Style(.overlay, .bold), dim = Style(.overlay, .dim)
        var out: [StyledLine] = []
        func line(_ text: String, _ style: Style = Style(.overlay)) {
            var l = StyledLine()
            l.add(text, style)
            out.append(l)
        }
        line(s.title, bold)
        line("accuracy \(Fmt.fixed(s.accuracy, 3)) · macro F1 \(Fmt.fixed(s.macro.f1, 3)) · weighted F1 \(Fmt.fixed(s.weighted.f1, 3)) · \(s.exampleCount) examples")
        line("")
        // Per-class scores.
        let nameW = min(nameWidth, max(12, s.classes.map { TextWidth.of($0.name) }.max() ?? 0))
        func row(_ label: String, _ p: Double, _ r: Double, _ f: Double, _ support: Int, style: Style) {
            let cells = [Fmt.fixed(p, 3), Fmt.fixed(r, 3), Fmt.fixed(f, 3)].map { TextWidth.padded("", to: 9 - $0.count) + $0 }
            line(TextWidth.padded(name(label, nameW), to: nameW) + cells.joined() + lpad(String(support), 9), style)
        }
        line(TextWidth.padded("class", to: nameW) + "precision   recall       F1  support", dim)
        for c in s.classes { row(c.name, c.precision, c.recall, c.f1, c.support, style: plain) }
        let total = s.classes.reduce(0) { $0 + $1.support }
        row("macro avg", s.macro.precision, s.macro.recall, s.macro.f1, total, style: bold)
        row("weighted avg", s.weighted.precision, s.weighted.recall, s.weighted.f1, total, style: bold)
        line("")
        // The confusion matrix, its columns from `columnScroll` on.
        let (labelW, cellW) = widths(s, normalised: view.normalised)
        let k = s.classes.count
        let fits = max(1, (width - labelW) / cellW)
        let first = min(max(0, view.columnScroll), max(0, k - fits))
        let last = min(k, first + fits)
        var caption = "confusion matrix: rows true, columns predicted"
        if first > 0 || last < k { caption = "confusion matrix, rows true · columns \(first + 1)–\(last) of \(k) (←→)" }
        line(caption, dim)
        var header = StyledLine()
        header.add(TextWidth.padded("", to: labelW))
        for c in first..<last { header.add(lpad(name(s.classes[c].name, cellW - 1), cellW), dim) }
        out.append(header)
        for t in 0..<k {
            var l = StyledLine()
            l.add(TextWidth.padded(name(s.classes[t].name, labelW - 1), to: labelW), bold)
            for p in first..<last {
                let n = s.count(truth: t, predicted: p)
                let text: String
                if view.normalised {
                    text = s.rowShare(truth: t, predicted: p).map { Fmt.fixed($0 * 100, 0) + "%" } ?? "–"
                } else {
                    text = String(n)
                }
                // Only the number is coloured: the diagonal right, other counts wrong.
                let style = t == p ? Style(.positive, .bold) : (n > 0 ? Style(.negative) : dim)
                l.add(TextWidth.padded("", to: cellW - TextWidth.of(text)))
                l.add(text, style)
            }
            out.append(l)
        }
        return out
    }

    static func lpad(_ s: String, _ n: Int) -> String { TextWidth.padded("", to: n - TextWidth.of(s)) + s }
}
