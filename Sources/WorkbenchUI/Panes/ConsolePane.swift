import TerminalUI

/// Type a line, see it classified as you type: each class's probability as a bar (the top
/// ones when there are many classes) and the line's tokens coloured by how much they pushed
/// the decision (green towards the predicted class, red away; stronger = bolder). Every edit
/// asks for a prediction; Enter keeps the line in the history (↑/↓), Esc leaves the console.
public struct ConsolePane: Pane {
    public static let kind = PaneKind.console

    public private(set) var editor = LineEditor()
    /// The newest answer shown (possibly for an older text than the line).
    public private(set) var prediction: ConsoleSnapshot?
    /// Class names to show before the first answer.
    public var classNames: [String] = []
    /// Most classes listed at once.
    public var topK = 10

    public init() {}

    public var keyContext: KeyContext { .console }

    /// The model answering when it is not the current run's ("run 2 svm"), from the leaderboard.
    public var runLabel: String?

    public var subtitle: String { runLabel ?? "" }

    public var text: String { editor.text }

    /// True while the shown answer is for a different text than the line.
    public var isStale: Bool { prediction.map { $0.text != editor.text } ?? !editor.isEmpty }

    public func commands(_ keyMap: KeyMap) -> [KeyHint] {
        [KeyHint(key: "Enter", label: "keep"), KeyHint(key: "↑↓", label: "history"),
         KeyHint(key: "Esc", label: "leave")] + keyMap.hints(for: .console)
    }

    // MARK: Data

    public mutating func show(_ p: ConsoleSnapshot?) {
        prediction = p
    }

    /// The line and the history as a reopened session had them.
    public mutating func restore(text: String, history: [String]) {
        editor = LineEditor(text: text, history: history)
    }

    /// Replaces the line (e.g. an example sent from the dataset pane).
    public mutating func setText(_ text: String) {
        editor.setText(text)
    }

    // MARK: Keys

    public mutating func handle(_ action: KeyAction?, key: Key) -> PaneResponse {
        switch action {
        case .escape?:
            return .consumed(.leaveConsole)
        case .enter?:
            let line = editor.submit()
            editor.setText(line)
            return .consumed
        default:
            break
        }
        // Tab, F-keys, Ctrl-C and the like are the app's; everything else edits the line.
        if action != nil && !(action == .up || action == .down || action == .left || action == .right
                              || action == .top || action == .bottom) {
            return .ignored
        }
        let before = editor.text
        guard editor.handle(key) else { return .ignored }
        return editor.text == before ? .consumed : .consumed(.predict(editor.text))
    }

    // MARK: Drawing

    public func render(into grid: inout CellGrid, rect: Rect, focused: Bool) -> Point? {
        guard rect.width > 0, rect.height > 0 else { return nil }
        // Input line.
        let prompt = focused ? "› " : "  "
        let px = grid.put(prompt, x: rect.x, y: rect.y, style: Style(.accent, .bold))
        let fieldW = max(1, rect.maxX - px)
        let view = editor.view(width: fieldW)
        if editor.isEmpty && !focused {
            Draw.text(&grid, "press 4 and type to classify", x: px, y: rect.y, width: fieldW, style: Style(.dim))
        } else {
            grid.put(view.text, x: px, y: rect.y, style: Style(.input), maxWidth: fieldW)
        }
        let cursor = focused ? Point(x: px + view.cursorColumn, y: rect.y) : nil
        guard rect.height >= 2 else { return cursor }

        var y = rect.y + 1
        guard let p = prediction, !p.probabilities.isEmpty else {
            if editor.isEmpty && !focused { return cursor }
            let text = editor.isEmpty ? "type a line to see its class probabilities" : "waiting for a model…"
            Draw.text(&grid, text, x: rect.x, y: y, width: rect.width, style: Style(.dim))
            return cursor
        }
        let stale = isStale
        if stale && rect.height >= 4 {
            Draw.text(&grid, "(for: " + p.text + ")", x: rect.x, y: y, width: rect.width, style: Style(.dim))
        }
        y += rect.height >= 4 ? 1 : 0
        // The last row: unknown tokens counted, and what the token colours mean.
        let unknown = p.unknownTokenCount
        var maxY = rect.maxY
        if (!p.tokens.isEmpty || unknown > 0) && rect.height >= 7 {
            maxY -= 1
            drawLegend(&grid, p, x: rect.x, y: maxY, width: rect.width)
        }
        if p.isUntrained {
            Draw.text(&grid, "untrained: no run has weights yet, so no probabilities (t trains)", x: rect.x, y: y,
                      width: rect.width, style: Style(.warning))
            return cursor
        }
        let area = Rect(x: rect.x, y: rect.y, width: rect.width, height: maxY - rect.y)

        // Probabilities, highest first.
        let tokenRows = p.tokens.isEmpty ? 0 : min(3, max(1, (area.maxY - y) / 3))
        let room = max(1, area.maxY - y - tokenRows - (tokenRows > 0 ? 1 : 0))
        let ranking = p.ranking
        var shown = min(ranking.count, topK, room)
        if shown < ranking.count && shown == room && shown > 1 { shown -= 1 }
        let names = p.classNames
        func name(_ i: Int) -> String { names.indices.contains(i) ? names[i] : "class \(i)" }
        let nameW = min(max(4, ranking.prefix(shown).map { TextWidth.of(name($0)) }.max() ?? 0), max(4, area.width / 3))
        let barW = max(0, area.width - nameW - 7)
        for (row, c) in ranking.prefix(shown).enumerated() {
            let top = row == 0
            let value = p.probabilities[c]
            var cx = Draw.text(&grid, TextWidth.padded(name(c), to: nameW), x: area.x, y: y, width: nameW,
                               style: top ? Style(.accent, .bold) : .text)
            cx += 1
            Draw.bar(&grid, x: cx, y: y, width: barW, fraction: value,
                     fill: Style(top ? .barFill : .dim), empty: Style(.barEmpty))
            cx += barW
            Draw.text(&grid, " " + Fmt.probability(value), x: cx, y: y, width: area.maxX - cx,
                      style: stale ? Style(.dim) : (top ? Style(.text, .bold) : .text))
            y += 1
        }
        if shown < ranking.count && y < area.maxY - tokenRows {
            Draw.text(&grid, "… \(ranking.count - shown) more classes", x: area.x, y: y, width: area.width, style: Style(.dim))
            y += 1
        }

        // Tokens coloured by attribution, wrapped.
        guard tokenRows > 0, y < area.maxY else { return cursor }
        y = max(y, area.maxY - tokenRows)
        let peak = p.tokens.map { abs($0.score.isFinite ? $0.score : 0) }.max() ?? 0
        var x = area.x
        var line = 0
        for token in p.tokens {
            let t = String(token.text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
            let w = TextWidth.of(t)
            guard w > 0 else { continue }
            if x > area.x && x + w > area.maxX {
                line += 1
                x = area.x
            }
            guard line < tokenRows, y + line < area.maxY else { break }
            x = grid.put(t, x: x, y: y + line, style: token.known ? Self.style(score: token.score, peak: peak) : Self.unknownStyle,
                         maxWidth: area.maxX - x)
            x += 1
        }
        return cursor
    }

    /// Tokens out of the model's vocabulary: dim and underlined.
    public static let unknownStyle = Style(.dim, .underline)

    /// "3 of 9 tokens unknown to this model · towards pos  away  weak  unknown", each word of
    /// the key in the style it names.
    func drawLegend(_ grid: inout CellGrid, _ p: ConsoleSnapshot, x: Int, y: Int, width: Int) {
        let maxX = x + width
        var cx = x
        let unknown = p.unknownTokenCount
        if unknown > 0 {
            let s = "\(unknown) of \(p.tokens.count) token\(p.tokens.count == 1 ? "" : "s") unknown to this model"
            cx = Draw.text(&grid, s, x: cx, y: y, width: maxX - cx, style: Style(.warning))
            cx = Draw.text(&grid, " · ", x: cx, y: y, width: maxX - cx, style: Style(.dim))
        }
        guard !p.isUntrained else { return }
        let predicted = p.predictedIndex.flatMap { p.classNames.indices.contains($0) ? p.classNames[$0] : nil }
        let key: [(String, Style)] = [(predicted.map { "towards " + $0 } ?? "towards", Style(.tokenPositive)),
                                      ("away", Style(.tokenNegative)), ("weak", Style(.dim)), ("unknown", Self.unknownStyle)]
        for (i, (word, style)) in key.enumerated() where cx < maxX {
            if i > 0 { cx = Draw.text(&grid, " ", x: cx, y: y, width: maxX - cx, style: .text) }
            cx = Draw.text(&grid, word, x: cx, y: y, width: maxX - cx, style: style)
        }
    }

    /// The colour of a token: by the sign of its score, brighter with its share of the
    /// largest magnitude in the line; scores under 15 % of it stay plain.
    public static func style(score: Double, peak: Double) -> Style {
        guard score.isFinite, peak > 0 else { return .text }
        let rel = abs(score) / peak
        if rel < 0.15 { return Style(.dim) }
        let role: ThemeRole = score > 0 ? .tokenPositive : .tokenNegative
        if rel >= 0.6 { return Style(role, .bold) }
        if rel < 0.35 { return Style(role, .dim) }
        return Style(role)
    }
}
