import TerminalUI

/// What a picker chooses.
public enum PickerPurpose: Hashable, Sendable {
    case openSession
    /// A layer type to insert at this index.
    case addLayer(at: Int)
    case preset
    case theme
    /// A run of the leaderboard, to open in the console.
    case run
    /// A training setting (the optimiser box): its `:` command, to edit on the command line.
    case trainingSetting
}

/// One line of a picker.
public struct PickerItem: Hashable, Sendable {
    /// What the choice sends back (a session, preset, theme or layer type name).
    public var value: String
    public var label: String
    public var detail: String

    public init(value: String, label: String? = nil, detail: String = "") {
        self.value = value
        self.label = label ?? value
        self.detail = detail
    }
}

/// A list to choose one item from, drawn over the panes.
public struct Picker: Hashable, Sendable {
    public var purpose: PickerPurpose
    public var title: String
    public var items: [PickerItem]
    public var selection: Int
    /// Shown instead of the list while it is empty ("loading…", "no saved sessions").
    public var emptyText: String

    public init(purpose: PickerPurpose, title: String, items: [PickerItem], selection: Int = 0,
                emptyText: String = "nothing to choose") {
        self.purpose = purpose
        self.title = title
        self.items = items
        self.selection = items.isEmpty ? 0 : min(max(0, selection), items.count - 1)
        self.emptyText = emptyText
    }

    public var selected: PickerItem? { items.indices.contains(selection) ? items[selection] : nil }

    mutating func move(_ delta: Int) {
        guard !items.isEmpty else { return }
        selection = min(max(0, selection + delta), items.count - 1)
    }
}

/// What a yes/no question decides.
public enum ConfirmPurpose: Hashable, Sendable {
    case quit
    /// Delete this saved session.
    case deleteSession(String)
    /// Delete this run and its kept files.
    case deleteRun(String)
}

/// The overlays that take the keys while shown.
public enum Overlay: Hashable, Sendable {
    /// The key list; `scroll` is the first line shown.
    case help(scroll: Int)
    case picker(Picker)
    case confirm(ConfirmPurpose, message: String)
    /// Opening a data file: the file picker, the columns and summary, the session name.
    case openData(OpenDataFlow)
    /// The console's run on the validation data: per-class scores and the confusion matrix.
    case metrics(MetricsView)
}

/// What a one-line prompt in the bottom row asks for.
public enum PromptPurpose: Hashable, Sendable {
    case newSession
    /// The folder to export this session's model to.
    case exportSession(String)

    var label: String {
        switch self {
        case .newSession: return "New session name: "
        case let .exportSession(name): return "Export \(name)'s model to folder: "
        }
    }
}

/// The bottom row: key hints, the `:` command line, or a prompt.
public enum BottomLine: Hashable, Sendable {
    case hints
    case command
    case prompt(PromptPurpose)
}

enum OverlayRenderer {
    /// A framed box in the overlay colours, centred; returns its inside.
    static func frame(_ grid: inout CellGrid, in area: Rect, size: Size, title: String) -> Rect {
        let r = area.centered(Size(width: min(size.width, area.width), height: min(size.height, area.height)))
        grid.fill(r, style: Style(.overlay))
        grid.box(r, title: title, focused: true)
        return r.inset(by: 1)
    }

    /// Draws the help from line `scroll` on (clamped to the lines there are).
    static func help(_ grid: inout CellGrid, area: Rect, lines: [String], scroll: Int) {
        let width = min(area.width - 2, max(40, (lines.map { TextWidth.of($0) }.max() ?? 0) + 4))
        let inner = frame(&grid, in: area, size: Size(width: width, height: area.height - 2),
                          title: "Help — Esc closes, ↑↓ scroll")
        guard inner.height > 0 else { return }
        let maxScroll = max(0, lines.count - inner.height)
        let top = min(max(0, scroll), maxScroll)
        for row in 0..<inner.height {
            let i = top + row
            guard i < lines.count else { break }
            let line = lines[i]
            let heading = !line.isEmpty && !line.hasPrefix(" ")
            Draw.text(&grid, " " + line, x: inner.x, y: inner.y + row, width: inner.width,
                      style: heading ? Style(.overlay, .bold) : Style(.overlay))
        }
        if maxScroll > 0 {
            let mark = top < maxScroll ? "↓ more" : "end"
            Draw.text(&grid, mark, x: inner.maxX - TextWidth.of(mark) - 1, y: inner.maxY - 1, width: 8, style: Style(.overlay, .dim))
        }
    }

    static func picker(_ grid: inout CellGrid, area: Rect, picker: Picker) {
        let rows = max(1, picker.items.count)
        let widest = picker.items.map { TextWidth.of($0.label) + ($0.detail.isEmpty ? 0 : TextWidth.of($0.detail) + 3) }.max() ?? 0
        let hint = picker.purpose == .openSession ? "Enter open · d delete · e export · Esc cancel" : "Enter choose · Esc cancel"
        let width = min(area.width - 2, max(36, widest + 6, TextWidth.of(picker.title) + 8, TextWidth.of(hint) + 3))
        let inner = frame(&grid, in: area, size: Size(width: width, height: min(area.height - 2, rows + 3)),
                          title: picker.title)
        guard inner.height > 0 else { return }
        let listRows = max(1, inner.height - 1)
        if picker.items.isEmpty {
            Draw.text(&grid, " " + picker.emptyText, x: inner.x, y: inner.y, width: inner.width, style: Style(.overlay, .dim))
        } else {
            let top = min(max(0, picker.selection - listRows + 1), max(0, picker.items.count - listRows))
            let labelWidth = min(inner.width - 4, picker.items.map { TextWidth.of($0.label) }.max() ?? 0)
            for row in 0..<listRows {
                let i = top + row
                guard i < picker.items.count else { break }
                let item = picker.items[i]
                let selected = i == picker.selection
                let style = selected ? Style(.selection) : Style(.overlay)
                let y = inner.y + row
                grid.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: style)
                var x = grid.put(selected ? " ▸ " : "   ", x: inner.x, y: y, style: style, maxWidth: inner.width)
                x = Draw.text(&grid, TextWidth.padded(item.label, to: labelWidth), x: x, y: y,
                              width: inner.maxX - x, style: style)
                if !item.detail.isEmpty {
                    Draw.text(&grid, "  " + item.detail, x: x, y: y, width: inner.maxX - x,
                              style: selected ? style : Style(.overlay, .dim))
                }
            }
        }
        if inner.height > 1 {
            Draw.text(&grid, " " + hint, x: inner.x, y: inner.maxY - 1, width: inner.width, style: Style(.overlay, .dim))
        }
    }

    static func confirm(_ grid: inout CellGrid, area: Rect, message: String) {
        let text = message + "  (y/n)"
        let width = min(area.width - 2, TextWidth.of(text) + 6)
        // A question wider than the screen wraps at spaces rather than losing its end.
        let lines = wrapped(text, width: max(1, width - 4))
        let inner = frame(&grid, in: area, size: Size(width: width, height: min(area.height, lines.count + 2)),
                          title: "Confirm")
        guard inner.height > 0 else { return }
        for (row, line) in lines.prefix(inner.height).enumerated() {
            Draw.text(&grid, " " + line, x: inner.x, y: inner.y + row, width: inner.width, style: Style(.overlay, .bold))
        }
    }

    /// `text` broken at spaces into lines of at most `width` columns (a word wider than that
    /// is cut into pieces).
    static func wrapped(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            let candidate = line.isEmpty ? word : line + " " + word
            if TextWidth.of(candidate) <= width {
                line = candidate
                continue
            }
            if !line.isEmpty { lines.append(line) }
            var rest = word
            while TextWidth.of(rest) > width {
                var piece = ""
                for c in rest {
                    if TextWidth.of(piece + String(c)) > width { break }
                    piece.append(c)
                }
                if piece.isEmpty { break }
                lines.append(piece)
                rest = String(rest.dropFirst(piece.count))
            }
            line = rest
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }
}
