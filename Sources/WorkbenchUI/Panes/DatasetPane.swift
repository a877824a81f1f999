import Basics
import TerminalUI

/// The data set: file name, examples per label as bars, the token-length histogram, the
/// vocabulary size, and a scrollable example list with incremental search (`/`, Ctrl-N/P),
/// a label filter (`f` cycles) and, after an evaluation, a misclassified-only view (`m`).
public struct DatasetPane: Pane {
    public static let kind = PaneKind.dataset

    public private(set) var dataset: DatasetSnapshot?
    public private(set) var misclassified: MisclassifiedExamples?
    /// Index into the labels, or nil for all.
    public private(set) var labelFilter: Int?
    public private(set) var showMisclassified = false
    /// The search text (kept after the prompt closes, for Ctrl-N/P and highlighting).
    public private(set) var query = "" {
        didSet { if query != oldValue { recount() } }
    }
    /// Open while typing a search.
    public private(set) var searchEditor: LineEditor?
    /// Row (in `rows`) of the selected example.
    public private(set) var selection = 0
    /// The first example row shown; kept in step with the selection by `fit(rect:)`.
    public private(set) var scroll = 0
    private var selectionBeforeSearch = 0
    /// The examples listed, after the filters.
    public private(set) var rows: [DatasetExample] = [] {
        didSet { recount() }
    }
    /// How many listed examples match the search (kept up to date, not counted per frame).
    public private(set) var matchCount = 0
    /// Rows of the list in the pane's last known rect (for paging), set by `fit(rect:)`.
    private var listHeight = 10

    public init(dataset: DatasetSnapshot? = nil) {
        self.dataset = dataset
        rebuild()
    }

    public var keyContext: KeyContext { searchEditor == nil ? .dataset : .commandLine }

    public var subtitle: String { dataset?.fileName ?? "" }

    public func commands(_ keyMap: KeyMap) -> [KeyHint] {
        if searchEditor != nil {
            return [KeyHint(key: "Enter", label: "keep"), KeyHint(key: "Ctrl-N", label: "next"),
                    KeyHint(key: "Esc", label: "cancel")]
        }
        return keyMap.hints(for: .dataset)
    }

    // MARK: Data

    public mutating func setDataset(_ d: DatasetSnapshot?) {
        dataset = d
        if let f = labelFilter, f >= (d?.labelCounts.count ?? 0) { labelFilter = nil }
        rebuild()
    }

    public mutating func setMisclassified(_ m: MisclassifiedExamples?) {
        misclassified = m
        if m == nil { showMisclassified = false }
        rebuild()
    }

    /// Forgets the search and its prompt (another session's examples are coming).
    public mutating func clearSearch() {
        searchEditor = nil
        query = ""
    }

    private var labels: [String] { dataset?.labels ?? [] }

    private mutating func rebuild() {
        let source = showMisclassified ? (misclassified?.examples ?? []) : (dataset?.examples ?? [])
        if let f = labelFilter, labels.indices.contains(f) {
            let name = labels[f]
            rows = source.filter { $0.label == name }
        } else {
            rows = source
        }
        selection = rows.isEmpty ? 0 : min(selection, rows.count - 1)
    }

    // MARK: Keys

    public mutating func handle(_ action: KeyAction?, key: Key) -> PaneResponse {
        if searchEditor != nil { return handleSearch(action, key: key) }
        switch action {
        case .up?: move(-1)
        case .down?: move(1)
        case .pageUp?: move(-max(1, listHeight - 1))
        case .pageDown?: move(max(1, listHeight - 1))
        case .top?: move(-rows.count)
        case .bottom?: move(rows.count)
        case .search?:
            searchEditor = LineEditor(text: "")
            selectionBeforeSearch = selection
            query = ""
        case .searchNext?: return findNext(from: selection + 1, forward: true)
        case .searchPrevious?: return findNext(from: selection - 1, forward: false)
        case .filterLabel?:
            guard !labels.isEmpty else { return .warning("no labels to filter by") }
            if let f = labelFilter { labelFilter = f + 1 < labels.count ? f + 1 : nil } else { labelFilter = 0 }
            selection = 0
            scroll = 0
            rebuild()
            return .consumed(.message(labelFilter.map { "showing label \(labels[$0])" } ?? "showing all labels", warning: false))
        case .filterMisclassified?:
            guard misclassified != nil else { return .warning("no misclassified examples yet: train or evaluate first") }
            showMisclassified.toggle()
            selection = 0
            scroll = 0
            rebuild()
            return .consumed(.message(showMisclassified ? "showing misclassified examples" : "showing all examples", warning: false))
        case .enter?:
            guard rows.indices.contains(selection) else { return .consumed }
            return .consumed(.sendToConsole(rows[selection].text))
        case .escape?:
            guard !query.isEmpty else { return .ignored }
            query = ""
        default:
            return .ignored
        }
        return .consumed
    }

    private mutating func handleSearch(_ action: KeyAction?, key: Key) -> PaneResponse {
        guard var editor = searchEditor else { return .ignored }
        switch key {
        case .enter:
            searchEditor = nil
            return matchCount == 0 && !query.isEmpty ? .warning("no match for \"\(query)\"") : .consumed
        case .escape:
            searchEditor = nil
            query = ""
            selection = selectionBeforeSearch
            return .consumed
        case .control("n"), .down:
            return findNext(from: selection + 1, forward: true)
        case .control("p"), .up:
            return findNext(from: selection - 1, forward: false)
        default:
            guard editor.handle(key) else {
                // Keys the editor does not take (Tab, F1, Ctrl-C…) close the search first.
                searchEditor = nil
                return .ignored
            }
            searchEditor = editor
            if editor.text != query {
                query = editor.text
                // Incremental: the first match at or after where the search began.
                _ = findNext(from: selectionBeforeSearch, forward: true)
            }
            return .consumed
        }
    }

    /// `:search text`: selects the first match after the selection and keeps the query.
    mutating func search(_ text: String) -> PaneResponse {
        searchEditor = nil
        query = text
        guard !text.isEmpty else { return .consumed }
        return findNext(from: selection, forward: true)
    }

    /// `:filter label` (nil or "all": every label).
    mutating func setLabelFilter(_ name: String?) -> PaneResponse {
        if let name, name != "all" {
            guard let i = labels.firstIndex(of: name) else {
                return .warning("no label \"\(name)\" (labels: \(labels.joined(separator: ", ")))")
            }
            labelFilter = i
        } else {
            labelFilter = nil
        }
        selection = 0
        scroll = 0
        rebuild()
        return .consumed
    }

    private mutating func move(_ delta: Int) {
        guard !rows.isEmpty else { return }
        selection = min(max(0, selection + delta), rows.count - 1)
    }

    private func matchesQuery(_ e: DatasetExample) -> Bool {
        !Draw.matches(of: query, in: e.text).isEmpty || !Draw.matches(of: query, in: e.label).isEmpty
    }

    private mutating func recount() {
        matchCount = query.isEmpty ? 0 : rows.reduce(0) { $0 + (matchesQuery($1) ? 1 : 0) }
    }

    /// Selects the next (or previous) match starting at row `start`, wrapping around.
    private mutating func findNext(from start: Int, forward: Bool) -> PaneResponse {
        guard !query.isEmpty else { return .warning("no search: press / first") }
        guard !rows.isEmpty else { return .consumed }
        let n = rows.count
        for k in 0..<n {
            let i = ((forward ? start + k : start - k) % n + n) % n
            if matchesQuery(rows[i]) {
                selection = i
                return .consumed
            }
        }
        return .warning("no match for \"\(query)\"")
    }

    // MARK: Drawing

    /// Where the parts of the pane go inside `rect`: the rows of the summary, label bars,
    /// histogram, list header, and the example list.
    struct Geometry {
        var labelRows = 0
        var labelsShown = 0
        var histogram = false
        var header = false
        var listTop = 0
        var listHeight = 1
        var bottom = 0
    }

    func geometry(_ rect: Rect) -> Geometry {
        var g = Geometry()
        var y = rect.y + 1
        g.bottom = rect.maxY - (searchEditor != nil ? 1 : 0)
        if let d = dataset {
            let spare = g.bottom - y - 5
            g.labelRows = min(d.labelCounts.count, max(0, spare > 0 ? min(spare / 2 + 1, 8) : 0))
            if g.labelRows > 0 {
                g.labelsShown = d.labelCounts.count > g.labelRows ? g.labelRows - 1 : g.labelRows
                y += g.labelsShown + (g.labelsShown < d.labelCounts.count ? 1 : 0)
            }
            if !d.lengthHistogram.isEmpty && g.bottom - y >= 4 {
                g.histogram = true
                y += 1
            }
        }
        if g.bottom - y >= 2 {
            g.header = true
            y += 1
        }
        g.listTop = y
        g.listHeight = max(1, g.bottom - y)
        return g
    }

    /// The first row shown for a list of `height` rows: the scroll moved just enough to show
    /// the selection.
    static func clampedScroll(_ scroll: Int, selection: Int, height: Int, count: Int) -> Int {
        var top = scroll
        if selection < top { top = selection }
        if selection >= top + height { top = selection - height + 1 }
        return min(max(0, top), max(0, count - height))
    }

    /// The pane is drawn in `rect` (from the update loop, after every event): the page size
    /// and the scroll follow, so drawing reads them and changes nothing.
    public mutating func fit(rect: Rect) {
        guard dataset != nil else { return }
        let g = geometry(rect)
        listHeight = g.listHeight
        scroll = Self.clampedScroll(scroll, selection: selection, height: g.listHeight, count: rows.count)
    }

    /// Selects the example drawn on screen row `y` of a pane drawn in `rect` (a mouse click);
    /// false when none is there.
    @discardableResult
    public mutating func click(row y: Int, rect: Rect) -> Bool {
        guard dataset != nil, !rows.isEmpty else { return false }
        let g = geometry(rect)
        guard y >= g.listTop, y < g.listTop + g.listHeight else { return false }
        let i = Self.clampedScroll(scroll, selection: selection, height: g.listHeight, count: rows.count) + (y - g.listTop)
        guard i < rows.count else { return false }
        selection = i
        return true
    }

    public func render(into grid: inout CellGrid, rect: Rect, focused: Bool) -> Point? {
        guard rect.width > 0, rect.height > 0 else { return nil }
        guard let d = dataset else {
            Draw.centred(&grid, "no data set loaded", rect: rect, row: rect.height / 2)
            return nil
        }
        let g = geometry(rect)
        var y = rect.y
        let bottom = g.bottom
        let w = rect.width

        // Summary line.
        var x = Draw.text(&grid, d.fileName, x: rect.x, y: y, width: w, style: Style(.accent, .bold))
        let summary = "  \(Digits.grouped(d.exampleCount)) examples · vocab \(Digits.grouped(d.vocabularySize))"
        x = Draw.text(&grid, summary, x: x, y: y, width: rect.maxX - x, style: Style(.dim))
        y += 1

        // Label bars: as many as fit while leaving room for the list.
        if g.labelRows > 0 {
            let shown = g.labelsShown
            let top = d.labelCounts.max { $0.count < $1.count }?.count ?? 0
            let total = max(1, d.labelCounts.reduce(0) { $0 + $1.count })
            let nameW = min(max(4, d.labelCounts.map { TextWidth.of($0.label) }.max() ?? 0), max(4, w / 3))
            let countW = d.labelCounts.map { Digits.grouped($0.count).count }.max() ?? 1
            let barW = max(0, w - nameW - countW - 10)
            for (i, lc) in d.labelCounts.prefix(shown).enumerated() {
                let filtered = labelFilter == i
                let nameStyle = filtered ? Style(.accent, .bold) : Style.text
                var cx = Draw.text(&grid, TextWidth.padded(lc.label, to: nameW), x: rect.x, y: y, width: nameW, style: nameStyle)
                cx += 1
                Draw.bar(&grid, x: cx, y: y, width: barW, fraction: top > 0 ? Double(lc.count) / Double(top) : 0,
                         fill: Style(ThemeRole.series(i)))
                cx += barW + 1
                let pct = Int((Double(lc.count) * 100 / Double(total)).rounded())
                let count = String(repeating: " ", count: max(0, countW - Digits.grouped(lc.count).count)) + Digits.grouped(lc.count)
                Draw.text(&grid, count + " " + (pct < 10 ? " " : "") + (pct < 100 ? " " : "") + "\(pct)%",
                          x: cx, y: y, width: rect.maxX - cx, style: Style(.dim))
                y += 1
            }
            if shown < d.labelCounts.count {
                Draw.text(&grid, "… \(d.labelCounts.count - shown) more labels", x: rect.x, y: y, width: w, style: Style(.dim))
                y += 1
            }
        }

        // Length histogram.
        if g.histogram {
            let lo = d.lengthHistogram.first?.lowerBound ?? 0, hi = d.lengthHistogram.last?.upperBound ?? 0
            let range = " \(lo)–\(hi)"
            var cx = Draw.text(&grid, "tokens ", x: rect.x, y: y, width: w, style: Style(.dim))
            let sparkW = max(0, min(d.lengthHistogram.count * 2, rect.maxX - cx - TextWidth.of(range)))
            cx = grid.put(Draw.sparkline(d.lengthHistogram.map(\.count), width: sparkW), x: cx, y: y,
                          style: Style(.barFill), maxWidth: sparkW)
            Draw.text(&grid, range, x: cx, y: y, width: rect.maxX - cx, style: Style(.dim))
            y += 1
        }

        // The list header: filters and search state.
        if g.header {
            var parts: [String] = [showMisclassified ? "misclassified" : "examples"]
            if let f = labelFilter, labels.indices.contains(f) { parts.append("label \(labels[f])") }
            parts.append("\(Digits.grouped(rows.count)) shown")
            if !query.isEmpty { parts.append("/\(query): \(matchCount) match\(matchCount == 1 ? "" : "es")") }
            let head = "─ " + parts.joined(separator: " · ") + " "
            grid.hline(x: rect.x, y: y, length: w, style: Style(.border))
            Draw.text(&grid, head, x: rect.x, y: y, width: w, style: Style(.dim))
            y += 1
        }

        // Example rows.
        let listHeight = g.listHeight
        if rows.isEmpty {
            if bottom > y {
                Draw.text(&grid, showMisclassified ? "no misclassified examples" : "no examples", x: rect.x, y: y,
                          width: w, style: Style(.dim))
            }
        } else {
            let scroll = Self.clampedScroll(self.scroll, selection: selection, height: listHeight, count: rows.count)
            let labelW = min(max(3, rows.prefix(scroll + listHeight).dropFirst(scroll)
                .map { TextWidth.of(label(for: $0)) }.max() ?? 0), max(3, w / 2))
            for row in 0..<listHeight {
                let i = scroll + row
                guard i < rows.count, y + row < bottom else { break }
                drawExample(&grid, rows[i], x: rect.x, y: y + row, width: w, labelWidth: labelW,
                            selected: i == selection, focused: focused)
            }
        }

        // The search prompt.
        if let editor = searchEditor {
            let py = rect.maxY - 1
            grid.fill(Rect(x: rect.x, y: py, width: w, height: 1), style: Style(.input))
            let px = grid.put("/", x: rect.x, y: py, style: Style(.accent, .bold))
            let view = editor.view(width: max(1, w - 1))
            grid.put(view.text, x: px, y: py, style: Style(.input), maxWidth: w - 1)
            return Point(x: px + view.cursorColumn, y: py)
        }
        return nil
    }

    /// The label column: "pos", or "pos→neg 0.91" for a misclassified example.
    private func label(for e: DatasetExample) -> String {
        guard let p = e.predictedLabel, p != e.label || showMisclassified else { return e.label }
        return e.label + "→" + p + (e.probability.map { " " + Fmt.probability($0) } ?? "")
    }

    private func drawExample(_ grid: inout CellGrid, _ e: DatasetExample, x: Int, y: Int, width: Int,
                             labelWidth: Int, selected: Bool, focused: Bool) {
        let base: Style = selected ? (focused ? Style(.selection) : Style(.text, .reverse)) : .text
        if selected { grid.fill(Rect(x: x, y: y, width: width, height: 1), style: base) }
        let labelText = TextWidth.padded(label(for: e), to: labelWidth)
        let labelStyle = selected ? base : (e.isMisclassified ? Style(.negative) : Style(.accent))
        var cx = grid.put(labelText, x: x, y: y, style: labelStyle, maxWidth: labelWidth)
        cx = grid.put(" ", x: cx, y: y, style: base)
        let room = x + width - cx
        guard room > 0 else { return }
        // One line: line breaks and tabs become spaces; cut to the room left with "…".
        let flat = String(e.text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
        let shown = TextWidth.truncated(flat, to: room)
        let ranges = Draw.matches(of: query, in: shown)
        if ranges.isEmpty {
            grid.put(shown, x: cx, y: y, style: base, maxWidth: room)
            return
        }
        let chars = Array(shown)
        var pos = 0
        let hit = Style(.accent, selected ? [.bold, .underline] : [.bold, .reverse])
        for r in ranges {
            if r.lowerBound > pos { cx = grid.put(String(chars[pos..<r.lowerBound]), x: cx, y: y, style: base, maxWidth: x + width - cx) }
            cx = grid.put(String(chars[r]), x: cx, y: y, style: hit, maxWidth: x + width - cx)
            pos = r.upperBound
        }
        if pos < chars.count { grid.put(String(chars[pos...]), x: cx, y: y, style: base, maxWidth: x + width - cx) }
    }
}
