import TerminalUI

extension WorkbenchState {
    /// Where each pane goes on a screen of `size`: two columns, dataset over model on the
    /// left, chart over console on the right; the last two rows are the status line and the
    /// hint / command row. Zoomed, the focused pane takes the whole area.
    public func paneRects() -> [PaneKind: Rect] {
        let main = Rect(x: 0, y: 0, width: size.width, height: max(0, size.height - 2))
        if zoomed { return [focus: main] }
        let cols = main.columns([.ratio(2), .ratio(3)])
        let left = cols[0].rows([.ratio(1), .ratio(1)])
        let right = cols[1].rows([.ratio(3), .ratio(2)])
        return [.dataset: left[0], .model: left[1], .chart: right[0], .console: right[1]]
    }

    /// Draws the whole screen; returns the grid and where the text cursor goes (nil: hidden).
    /// Reads the state and changes nothing.
    public func render() -> (grid: CellGrid, cursor: Point?) {
        var grid = CellGrid(size: size)
        guard !Layout.isTooSmall(size) else {
            grid.renderTooSmall(quitKey: keyMap.keys(for: .quit).first?.label ?? "Ctrl-C")
            if case let .confirm(_, message)? = overlay {
                OverlayRenderer.confirm(&grid, area: grid.bounds, message: message)
            }
            return (grid, nil)
        }
        var cursor: Point?
        for (kind, rect) in paneRects().sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let c = renderPane(kind, into: &grid, rect: rect)
            if kind == focus { cursor = c }
        }
        let statusY = size.height - 2
        renderStatus(into: &grid, y: statusY)
        if let c = renderBottom(into: &grid, y: size.height - 1) { cursor = c }

        if let o = overlay {
            let area = Rect(x: 0, y: 0, width: size.width, height: size.height - 1)
            switch o {
            case let .help(scroll):
                OverlayRenderer.help(&grid, area: area, lines: helpLines, scroll: scroll)
            case let .picker(p):
                OverlayRenderer.picker(&grid, area: area, picker: p)
            case let .confirm(_, message):
                OverlayRenderer.confirm(&grid, area: area, message: message)
            case let .openData(flow):
                OpenDataRenderer.render(&grid, area: area, flow: flow)
            case let .metrics(view):
                MetricsRenderer.draw(&grid, area: area, view: view)
            }
            cursor = nil
        }
        return (grid, cursor)
    }

    func renderPane(_ kind: PaneKind, into grid: inout CellGrid, rect: Rect) -> Point? {
        let focused = kind == focus
        var title = "\(kind.rawValue + 1) \(kind.title)"
        let sub: String
        switch kind {
        case .dataset: sub = dataset.subtitle
        case .model: sub = model.subtitle
        case .chart: sub = chart.subtitle
        case .console: sub = console.subtitle
        }
        if !sub.isEmpty { title += " · " + sub }
        if zoomed { title += " · z restores" }
        grid.box(rect, title: title, focused: focused)
        let inner = rect.inset(by: 1)
        switch kind {
        case .dataset: return dataset.render(into: &grid, rect: inner, focused: focused)
        case .model: return model.render(into: &grid, rect: inner, focused: focused)
        case .chart: return chart.render(into: &grid, rect: inner, focused: focused)
        case .console: return console.render(into: &grid, rect: inner, focused: focused)
        }
    }

    /// The help overlay's text rows on this screen (its frame and title take the rest).
    var helpRows: Int { max(1, size.height - 5) }

    /// Brings what depends on the screen size in line with the state after an event: the
    /// panes' scroll and page sizes, the help overlay's scroll. Drawing then only reads.
    mutating func fitToScreen() {
        guard !Layout.isTooSmall(size) else { return }
        for (kind, rect) in paneRects() {
            let inner = rect.inset(by: 1)
            switch kind {
            case .dataset: dataset.fit(rect: inner)
            case .model: model.fit(rect: inner)
            case .chart, .console: break
            }
        }
        if case let .help(scroll)? = overlay {
            overlay = .help(scroll: min(max(0, scroll), max(0, helpLines.count - helpRows)))
        }
        if case var .metrics(view)? = overlay, let s = view.snapshot {
            // As drawn: the frame takes two rows and two columns, a margin one more column.
            let rows = max(1, size.height - 5), width = max(40, size.width - 2) - 3
            view.scroll = min(max(0, view.scroll), max(0, MetricsRenderer.lines(s, view: view, width: width).count - rows))
            view.columnScroll = min(view.columnScroll, max(0, s.classes.count - MetricsRenderer.visibleColumns(s, normalised: view.normalised, width: width)))
            overlay = .metrics(view)
        }
    }

    /// The pieces of the status line, left to right.
    public var statusParts: [String] {
        var parts = [status.sessionName.isEmpty ? "workbench" : status.sessionName, status.state.description]
        if status.epochs > 0 && (status.epoch > 0 || status.batch > 0) {
            var p = "epoch \(status.epoch)/\(status.epochs)"
            if status.batchesPerEpoch > 0 { p += " · batch \(status.batch)/\(status.batchesPerEpoch)" }
            parts.append(p)
        }
        if let r = status.samplesPerSecond, status.state == .training { parts.append(Fmt.rate(r)) }
        if let eta = status.eta, status.state.isActive { parts.append("ETA " + Fmt.duration(eta)) }
        if let s = status.serving { parts.append("serving \(s.address) · \(Fmt.requestRate(s.requestsPerSecond))") }
        return parts
    }

    func renderStatus(into grid: inout CellGrid, y: Int) {
        let row = Rect(x: 0, y: y, width: size.width, height: 1)
        grid.fill(row, style: Style(.statusBar))
        var parts = statusParts
        // The message matters more than the rate and ETA: drop those (never the session and
        // state) until the message has room for its first words, then it ends with … if cut.
        let separator = 3
        let wanted = min(TextWidth.of(status.lastMessage), 24)
        func width(_ ps: [String]) -> Int { 1 + ps.map(TextWidth.of).reduce(0, +) + separator * (ps.count - 1) }
        while !status.lastMessage.isEmpty, parts.count > 2, width(parts) + separator + wanted + 1 > row.maxX { parts.removeLast() }
        var x = 1
        for (i, part) in parts.enumerated() {
            guard x < row.maxX else { break }
            if i > 0 { x = grid.put(" │ ", x: x, y: y, style: Style(.statusText), maxWidth: row.maxX - x) }
            let style: Style = i == 1 ? Style(.statusKey) : (i == 0 ? Style(.statusBar, .bold) : Style(.statusText))
            x = Draw.text(&grid, part, x: x, y: y, width: row.maxX - x, style: style)
        }
        if !status.lastMessage.isEmpty && x + separator + 1 < row.maxX {
            x = grid.put(" │ ", x: x, y: y, style: Style(.statusText), maxWidth: row.maxX - x)
            Draw.text(&grid, status.lastMessage, x: x, y: y, width: row.maxX - x - 1,
                      style: status.messageIsWarning ? Style(.warning, .bold) : Style(.statusText))
        }
    }

    /// The hints for the focused pane (or the open overlay), from the key map.
    public var hints: [KeyHint] {
        if let o = overlay {
            switch o {
            case .help: return [KeyHint(key: "↑↓", label: "scroll"), KeyHint(key: "Esc", label: "close")]
            case let .picker(p) where p.purpose == .openSession:
                return [KeyHint(key: "↑↓", label: "move"), KeyHint(key: "Enter", label: "open"), KeyHint(key: "d", label: "delete"),
                        KeyHint(key: "e", label: "export"), KeyHint(key: "Esc", label: "cancel")]
            case .picker: return [KeyHint(key: "↑↓", label: "move"), KeyHint(key: "Enter", label: "choose"),
                                  KeyHint(key: "Esc", label: "cancel")]
            case .confirm: return [KeyHint(key: "y", label: "yes"), KeyHint(key: "n", label: "no")]
            case let .openData(flow): return flow.hints
            case .metrics: return [KeyHint(key: "n", label: "counts/row %"), KeyHint(key: "↑↓←→", label: "scroll"),
                                   KeyHint(key: "Esc", label: "close")]
            }
        }
        switch focus {
        case .dataset: return dataset.commands(keyMap)
        case .model: return model.commands(keyMap)
        case .chart: return chart.commands(keyMap)
        case .console: return console.commands(keyMap)
        }
    }

    func renderBottom(into grid: inout CellGrid, y: Int) -> Point? {
        let row = Rect(x: 0, y: y, width: size.width, height: 1)
        grid.fill(row, style: Style(.statusBar))
        let editor: LineEditor
        let label: String
        switch bottom {
        case .hints:
            var x = 1
            for h in hints {
                let width = TextWidth.of(h.key) + 1 + TextWidth.of(h.label)
                guard x + width < row.maxX else { break }
                x = grid.put(h.key, x: x, y: y, style: Style(.statusKey))
                x = grid.put(" " + h.label, x: x, y: y, style: Style(.statusText))
                x += 2
            }
            return nil
        case .command:
            editor = commandEditor
            label = ":"
        case let .prompt(p):
            editor = promptEditor
            label = p.label
        }
        let x = grid.put(label, x: 0, y: y, style: Style(.statusKey), maxWidth: row.width)
        let view = editor.view(width: max(1, row.maxX - x))
        grid.put(view.text, x: x, y: y, style: Style(.statusBar), maxWidth: row.maxX - x)
        return Point(x: x + view.cursorColumn, y: y)
    }
}
