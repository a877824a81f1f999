/// What a line editor shows in a field `width` cells wide.
public struct LineView: Hashable, Sendable {
    /// The visible text, at most `width` cells.
    public var text: String
    /// The cursor's column inside the field (0..<width).
    public var cursorColumn: Int
    /// Text is hidden left / right of the field.
    public var clippedLeft: Bool
    public var clippedRight: Bool

    public init(text: String, cursorColumn: Int, clippedLeft: Bool, clippedRight: Bool) {
        self.text = text
        self.cursorColumn = cursorColumn
        self.clippedLeft = clippedLeft
        self.clippedRight = clippedRight
    }
}

/// A one-line text editor as a value: the console's input and the command line. Readline-style
/// keys (Ctrl-A/E/U/W/K), history on Up/Down that keeps the unfinished line as a draft, and
/// cursor positions in cells so wide characters line up.
public struct LineEditor: Hashable, Sendable {
    public private(set) var characters: [Character]
    /// Insertion point, 0...characters.count.
    public private(set) var cursor: Int
    /// Submitted lines, oldest first.
    public private(set) var history: [String]
    /// The history entry being shown, or nil while editing the draft.
    public private(set) var historyIndex: Int?
    /// The line being typed before Up was pressed; Down past the newest entry brings it back.
    public private(set) var draft: [Character]
    public var historyLimit: Int

    public init(text: String = "", history: [String] = [], historyLimit: Int = 200) {
        characters = Array(text)
        cursor = characters.count
        self.history = Array(history.suffix(max(0, historyLimit)))
        historyIndex = nil
        draft = []
        self.historyLimit = max(0, historyLimit)
    }

    public var text: String { String(characters) }
    public var isEmpty: Bool { characters.isEmpty }

    // MARK: Editing

    public mutating func insert(_ c: Character) {
        characters.insert(c, at: cursor)
        cursor += 1
    }

    public mutating func insert(_ s: String) {
        let new = Array(s)
        characters.insert(contentsOf: new, at: cursor)
        cursor += new.count
    }

    /// Deletes the character before the cursor.
    public mutating func backspace() {
        guard cursor > 0 else { return }
        characters.remove(at: cursor - 1)
        cursor -= 1
    }

    /// Deletes the character under the cursor.
    public mutating func deleteForward() {
        guard cursor < characters.count else { return }
        characters.remove(at: cursor)
    }

    public mutating func moveLeft() { cursor = max(0, cursor - 1) }
    public mutating func moveRight() { cursor = min(characters.count, cursor + 1) }
    public mutating func moveHome() { cursor = 0 }
    public mutating func moveEnd() { cursor = characters.count }

    /// Ctrl-U: deletes from the start of the line to the cursor.
    public mutating func deleteToStart() {
        characters.removeSubrange(0..<cursor)
        cursor = 0
    }

    /// Ctrl-K: deletes from the cursor to the end of the line.
    public mutating func deleteToEnd() {
        characters.removeSubrange(cursor..<characters.count)
    }

    /// Ctrl-W: deletes the word before the cursor (and the spaces between it and the cursor).
    public mutating func deleteWordBackward() {
        var start = cursor
        while start > 0 && characters[start - 1].isWhitespace { start -= 1 }
        while start > 0 && !characters[start - 1].isWhitespace { start -= 1 }
        characters.removeSubrange(start..<cursor)
        cursor = start
    }

    /// Replaces the whole text and puts the cursor at the end.
    public mutating func setText(_ text: String) {
        characters = Array(text)
        cursor = characters.count
    }

    public mutating func clear() { setText("") }

    // MARK: History

    /// Up: the previous history entry (saving the line being typed as the draft first).
    public mutating func historyPrevious() {
        guard !history.isEmpty else { return }
        if let i = historyIndex {
            guard i > 0 else { return }
            historyIndex = i - 1
        } else {
            draft = characters
            historyIndex = history.count - 1
        }
        if let i = historyIndex { load(Array(history[i])) }
    }

    /// Down: the next history entry, or the draft after the newest one.
    public mutating func historyNext() {
        guard let i = historyIndex else { return }
        if i + 1 < history.count {
            historyIndex = i + 1
            load(Array(history[i + 1]))
        } else {
            historyIndex = nil
            load(draft)
            draft = []
        }
    }

    /// Enter: returns the line, adds it to the history (unless empty or equal to the newest
    /// entry) and starts a fresh line.
    public mutating func submit() -> String {
        let line = text
        if !line.isEmpty && history.last != line && historyLimit > 0 {
            history.append(line)
            if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
        }
        historyIndex = nil
        draft = []
        clear()
        return line
    }

    private mutating func load(_ chars: [Character]) {
        characters = chars
        cursor = chars.count
    }

    // MARK: Keys

    /// Applies an editing key; returns false for keys it does not handle (Enter, Esc, Tab, …),
    /// which the caller dispatches through the key map.
    @discardableResult
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case let .character(c): insert(c)
        case .backspace: backspace()
        case .delete, .control("d"): deleteForward()
        case .left, .control("b"): moveLeft()
        case .right, .control("f"): moveRight()
        case .home, .control("a"): moveHome()
        case .end, .control("e"): moveEnd()
        case .control("u"): deleteToStart()
        case .control("k"): deleteToEnd()
        case .control("w"): deleteWordBackward()
        case .up, .control("p"): historyPrevious()
        case .down, .control("n"): historyNext()
        default: return false
        }
        return true
    }

    // MARK: Display

    /// The cursor's position in cells from the start of the line.
    public var cursorColumn: Int {
        var w = 0
        for c in characters[0..<cursor] { w += TextWidth.of(c) }
        return w
    }

    /// The part of the line to show in a field `width` cells wide. The view starts at the
    /// beginning while the cursor fits; otherwise it scrolls so the cursor sits in the last
    /// column. A wide character cut by the left edge is dropped (its cell shows a space).
    public func view(width: Int) -> LineView {
        guard width > 0 else {
            return LineView(text: "", cursorColumn: 0, clippedLeft: !characters.isEmpty, clippedRight: false)
        }
        let widths = characters.map { TextWidth.of($0) }
        let cursorCol = widths[0..<cursor].reduce(0, +)
        let total = widths.reduce(0, +)
        let offset = max(0, cursorCol - (width - 1))
        var out = ""
        var col = 0  // column in the whole line
        var used = 0
        var clippedRight = false
        for (i, c) in characters.enumerated() {
            let w = widths[i]
            defer { col += w }
            if col < offset {
                if col + w > offset {
                    // Straddles the left edge.
                    let visible = col + w - offset
                    out += String(repeating: " ", count: visible)
                    used += visible
                }
                continue
            }
            if used + w > width {
                clippedRight = true
                break
            }
            out.append(c)
            used += w
        }
        if total - offset > used { clippedRight = true }
        return LineView(text: out, cursorColumn: cursorCol - offset, clippedLeft: offset > 0,
                        clippedRight: clippedRight)
    }
}
