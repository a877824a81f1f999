import TerminalUI

/// Draws the data flow's overlay (`OpenDataFlow`): a framed box over the panes, one step at a
/// time. Lines are cut to the box; a warning line is drawn in the warning colour.
enum OpenDataRenderer {
    /// A line of the box and how it is drawn.
    struct Line {
        var text: String
        var style: Style = Style(.overlay)
    }

    static func render(_ grid: inout CellGrid, area: Rect, flow: OpenDataFlow) {
        let size = Size(width: min(area.width - 2, 100), height: max(3, area.height - 2))
        switch flow.step {
        case .browse:
            let title = "Open data — " + (flow.listing?.path ?? "…")
            let inner = OverlayRenderer.frame(&grid, in: area, size: size, title: TextWidth.truncated(title, to: size.width - 4))
            browse(&grid, inner: inner, flow: flow)
        case let .inspect(path, _, preview):
            let inner = OverlayRenderer.frame(&grid, in: area, size: size, title: "Data — " + fileName(path))
            var lines = preview.map { describe($0, width: inner.width) } ?? [Line(text: "reading \(path)…", style: Style(.overlay, .dim))]
            if let problem = flow.problem { lines.append(Line(text: "✗ " + problem, style: Style(.warning, .bold))) }
            draw(&grid, lines, in: inner)
        case let .name(preview, editor):
            let inner = OverlayRenderer.frame(&grid, in: area, size: size, title: "New session — " + fileName(preview.path))
            var lines = describe(preview, width: inner.width)
            if let problem = flow.problem { lines.append(Line(text: "✗ " + problem, style: Style(.warning, .bold))) }
            // The name row goes at the bottom; the summary above it is cut to fit.
            let label = " Session name: "
            draw(&grid, lines, in: Rect(x: inner.x, y: inner.y, width: inner.width, height: max(0, inner.height - 2)))
            guard inner.height >= 1 else { return }
            let y = inner.maxY - 1
            var x = grid.put(label, x: inner.x, y: y, style: Style(.overlay, .bold), maxWidth: inner.width)
            let view = editor.view(width: max(1, inner.maxX - x - 1))
            grid.fill(Rect(x: x, y: y, width: max(0, inner.maxX - x), height: 1), style: Style(.input))
            x = grid.put(view.text, x: x, y: y, style: Style(.input), maxWidth: inner.maxX - x)
            let cursorX = inner.x + TextWidth.of(label) + view.cursorColumn
            if cursorX < inner.maxX {
                let under = grid[cursorX, y].map { $0.grapheme.isEmpty ? " " : $0.grapheme } ?? " "
                grid.put(under, x: cursorX, y: y, style: Style(.input, .reverse), maxWidth: 1)
            }
        }
    }

    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    static func browse(_ grid: inout CellGrid, inner: Rect, flow: OpenDataFlow) {
        var rowsHeight = inner.height
        if let problem = flow.problem, inner.height > 1 {
            rowsHeight -= 1
            Draw.text(&grid, " ✗ " + problem, x: inner.x, y: inner.maxY - 1, width: inner.width, style: Style(.warning, .bold))
        }
        guard flow.listing != nil else {
            if flow.problem == nil {
                Draw.text(&grid, " loading…", x: inner.x, y: inner.y, width: inner.width, style: Style(.overlay, .dim))
            }
            return
        }
        let rows = flow.rows
        // The selected data file's first examples under the list, as the reader parses them.
        if let preview = flow.filePreview, preview.path == flow.selectedDataFile, rowsHeight >= 8 {
            var lines = [Line(text: " Preview · \(preview.format)" + (preview.summary.map { " · \($0.examples) examples, \($0.classes.count) \($0.classes.count == 1 ? "class" : "classes")" } ?? ""),
                              style: Style(.overlay, .bold))]
            if let problem = preview.problem {
                lines.append(Line(text: " ✗ " + problem, style: Style(.warning, .bold)))
            }
            let labelWidth = min(16, preview.rows.map { TextWidth.of(flat($0.label)) }.max() ?? 0)
            for r in preview.rows {
                lines.append(Line(text: "   " + TextWidth.padded(TextWidth.truncated(flat(r.label), to: labelWidth), to: labelWidth) + " │ " + flat(r.text)))
            }
            if let n = preview.summary?.warnings.count, n > 0 {
                lines.append(Line(text: " ⚠ \(n) warning\(n == 1 ? "" : "s"): Enter to see them", style: Style(.warning, .bold)))
            }
            let height = min(lines.count + 1, rowsHeight / 2)
            rowsHeight -= height
            let y = inner.y + rowsHeight
            Draw.text(&grid, String(repeating: "─", count: inner.width), x: inner.x, y: y, width: inner.width, style: Style(.overlay, .dim))
            draw(&grid, lines, in: Rect(x: inner.x, y: y + 1, width: inner.width, height: height - 1))
        }
        if rows.isEmpty {
            Draw.text(&grid, " no readable files here (⌫ goes up)", x: inner.x, y: inner.y, width: inner.width, style: Style(.overlay, .dim))
            return
        }
        let top = min(max(0, flow.selection - rowsHeight + 1), max(0, rows.count - rowsHeight))
        for row in 0..<max(0, rowsHeight) {
            let i = top + row
            guard i < rows.count else { break }
            let entry = rows[i]
            let selected = i == flow.selection
            let base: Style = selected ? Style(.selection)
                : entry.isDirectory ? Style(.overlay, .bold) : entry.isDataFile ? Style(.overlay) : Style(.overlay, .dim)
            let y = inner.y + row
            grid.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: selected ? Style(.selection) : Style(.overlay))
            let size = entry.size.map(Self.bytes) ?? ""
            let nameWidth = max(1, inner.width - 3 - TextWidth.of(size) - 2)
            let name = entry.isDirectory ? entry.name + "/" : entry.name
            let x = grid.put(selected ? " ▸ " : "   ", x: inner.x, y: y, style: base, maxWidth: inner.width)
            Draw.text(&grid, name, x: x, y: y, width: nameWidth, style: base)
            if !size.isEmpty {
                Draw.text(&grid, size, x: inner.maxX - TextWidth.of(size) - 1, y: y, width: TextWidth.of(size),
                          style: selected ? base : Style(.overlay, .dim))
            }
        }
    }

    /// 1234 → "1.2 KB".
    static func bytes(_ n: Int) -> String {
        if n < 1000 { return "\(n) B" }
        let units = ["KB", "MB", "GB", "TB"]
        var v = Double(n) / 1000, u = 0
        while v >= 1000 && u < units.count - 1 { v /= 1000; u += 1 }
        return Fmt.fixed(v, 1) + " " + units[u]
    }

    /// The preview's lines: how the file is read, the first examples, the summary, warnings.
    static func describe(_ p: DataPreview, width: Int) -> [Line] {
        var lines: [Line] = []
        var how = " Format: \(p.format)"
        if let h = p.reading.header { how += h ? " · with a header" : " · no header" }
        lines.append(Line(text: how))
        if !p.columns.isEmpty {
            let key = p.format == "jsonl" ? "key" : "column"
            lines.append(Line(text: " Text \(key): \(p.reading.textColumn ?? "?")   Label \(key): \(p.reading.labelColumn ?? "?")",
                              style: Style(.overlay, .bold)))
            lines.append(Line(text: " Columns: " + p.columns.map { c in
                c == p.reading.textColumn ? "\(c) (text)" : c == p.reading.labelColumn ? "\(c) (label)" : c
            }.joined(separator: "  "), style: Style(.overlay, .dim)))
        }
        if let s = p.summary {
            lines.append(Line(text: ""))
            lines.append(Line(text: " \(s.examples) examples · \(s.classes.count) \(s.classes.count == 1 ? "class" : "classes") · balance \(Fmt.fixed(s.balance, 2)) (smallest / largest class)",
                              style: Style(.overlay, .bold)))
            let shown = s.classes.prefix(8).map { "\(flat($0.label)) \($0.count)" }.joined(separator: ", ")
            lines.append(Line(text: " Classes: " + shown + (s.classes.count > 8 ? ", … \(s.classes.count - 8) more" : "")))
            lines.append(Line(text: " Text length (characters): p50 \(s.lengthP50) · p90 \(s.lengthP90) · p99 \(s.lengthP99) · max \(s.lengthMax)"))
            for w in s.warnings {
                for (i, part) in wrap(w, width: width - 4).enumerated() {
                    lines.append(Line(text: (i == 0 ? " ⚠ " : "   ") + part, style: Style(.warning, .bold)))
                }
            }
            if !s.warnings.isEmpty {
                lines.append(Line(text: " Enter goes on anyway · t / l / h change how the file is read", style: Style(.overlay, .dim)))
            }
        }
        if !p.rows.isEmpty {
            lines.append(Line(text: ""))
            lines.append(Line(text: " First examples (label │ text)", style: Style(.overlay, .bold)))
            let labelWidth = min(16, p.rows.map { TextWidth.of(flat($0.label)) }.max() ?? 0)
            for r in p.rows {
                lines.append(Line(text: "   " + TextWidth.padded(TextWidth.truncated(flat(r.label), to: labelWidth), to: labelWidth)
                                  + " │ " + flat(r.text)))
            }
        }
        return lines
    }

    /// Words in lines of at most `width` columns (a longer word is cut when drawn).
    static func wrap(_ s: String, width: Int) -> [String] {
        var lines: [String] = [], line = ""
        for word in s.split(separator: " ") {
            if line.isEmpty { line = String(word) } else if TextWidth.of(line) + 1 + TextWidth.of(String(word)) <= width { line += " " + word } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// A cell's text on one line: line breaks and tabs as spaces.
    static func flat(_ s: String) -> String {
        String(s.map { $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\r\n" ? " " : $0 })
    }

    static func draw(_ grid: inout CellGrid, _ lines: [Line], in rect: Rect) {
        for (row, line) in lines.prefix(max(0, rect.height)).enumerated() {
            Draw.text(&grid, line.text, x: rect.x, y: rect.y + row, width: rect.width, style: line.style)
        }
    }
}
