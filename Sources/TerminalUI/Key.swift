/// A mouse button or wheel movement.
public enum MouseButton: Hashable, Sendable {
    case left, middle, right, wheelUp, wheelDown
}

/// One input event from the terminal.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    /// A printable character (including space).
    case character(Character)
    /// A control combination, by its lower-case letter: Ctrl-C is `.control("c")`.
    case control(Character)
    /// F1…F24.
    case function(Int)
    case up, down, left, right
    case home, end, pageUp, pageDown, insert, delete
    case tab
    /// Shift-Tab (ncurses' KEY_BTAB).
    case backTab
    case escape, enter, backspace
    /// The terminal changed size; ask the backend for the new size.
    case resize
    /// A mouse press or wheel step at a cell.
    case mouse(x: Int, y: Int, button: MouseButton)

    /// The key for a character code as a terminal sends it in raw mode: control codes become
    /// Tab, Enter, Esc, Backspace or `.control`; nil for codes that are not characters.
    public init?(code: UInt32) {
        switch code {
        case 9: self = .tab
        case 10, 13: self = .enter
        case 27: self = .escape
        case 8, 127: self = .backspace
        case 0: self = .control(" ")
        case 1...26:
            guard let s = Unicode.Scalar(code + 96) else { return nil }
            self = .control(Character(s))
        case 28...31:
            guard let s = Unicode.Scalar(code + 64) else { return nil }
            self = .control(Character(s))
        default:
            guard let s = Unicode.Scalar(code), !(0x80..<0xA0).contains(code) else { return nil }
            self = .character(Character(s))
        }
    }

    /// Parses a key as written in key-map files: a single character ("t", "T", "?", "space"),
    /// "ctrl-x" (also "c-x", "^x"), "F1"…"F24", or a name: up, down, left, right, home, end,
    /// pageup (pgup), pagedown (pgdn), insert, delete, tab, shift-tab (backtab), esc (escape),
    /// enter (return), backspace. Names are case-insensitive; single characters are not.
    public init?(spec: String) {
        if spec.count == 1, let c = spec.first {
            guard c.unicodeScalars.allSatisfy({ TextWidth.of($0) != nil }), TextWidth.of(c) > 0 else { return nil }
            self = .character(c)
            return
        }
        let s = spec.lowercased()
        for prefix in ["ctrl-", "ctrl+", "c-", "^"] where s.hasPrefix(prefix) {
            let rest = s.dropFirst(prefix.count)
            guard rest.count == 1, let c = rest.first, c.isASCII,
                  c.isLetter || "@[\\]^_ ".contains(c) else { return nil }
            self = .control(c)
            return
        }
        if s.hasPrefix("f"), let n = Int(s.dropFirst()), (1...24).contains(n) {
            self = .function(n)
            return
        }
        guard let named = Key.names[s] else { return nil }
        self = named
    }

    private static let names: [String: Key] = [
        "space": .character(" "), "up": .up, "down": .down, "left": .left, "right": .right,
        "home": .home, "end": .end, "pageup": .pageUp, "pgup": .pageUp, "page-up": .pageUp,
        "pagedown": .pageDown, "pgdn": .pageDown, "page-down": .pageDown, "insert": .insert,
        "ins": .insert, "delete": .delete, "del": .delete, "tab": .tab, "shift-tab": .backTab,
        "backtab": .backTab, "s-tab": .backTab, "esc": .escape, "escape": .escape, "enter": .enter,
        "return": .enter, "backspace": .backspace, "bs": .backspace,
    ]

    /// A short label for the status bar and help: "t", "Ctrl-C", "F1", "↑", "Tab", "Space"…
    public var label: String {
        switch self {
        case let .character(c): return c == " " ? "Space" : String(c)
        case let .control(c): return c == " " ? "Ctrl-Space" : "Ctrl-" + String(c).uppercased()
        case let .function(n): return "F\(n)"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .insert: return "Ins"
        case .delete: return "Del"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .escape: return "Esc"
        case .enter: return "Enter"
        case .backspace: return "Backspace"
        case .resize: return "Resize"
        case let .mouse(x, y, button): return "Mouse \(button) (\(x), \(y))"
        }
    }

    /// The key as `init(spec:)` reads it back ("t", "ctrl-c", "f1", "up", "shift-tab"…).
    public var spec: String {
        switch self {
        case let .character(c): return c == " " ? "space" : String(c)
        case let .control(c): return "ctrl-" + String(c)
        case let .function(n): return "f\(n)"
        case .up: return "up"
        case .down: return "down"
        case .left: return "left"
        case .right: return "right"
        case .home: return "home"
        case .end: return "end"
        case .pageUp: return "pageup"
        case .pageDown: return "pagedown"
        case .insert: return "insert"
        case .delete: return "delete"
        case .tab: return "tab"
        case .backTab: return "shift-tab"
        case .escape: return "esc"
        case .enter: return "enter"
        case .backspace: return "backspace"
        case .resize: return "resize"
        case .mouse: return "mouse"
        }
    }

    public var description: String { label }

    /// True for keys that type text (printable characters).
    public var isText: Bool {
        if case .character = self { return true }
        return false
    }
}
