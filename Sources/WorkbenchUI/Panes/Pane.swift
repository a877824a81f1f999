import TerminalUI

/// The four panes, in focus order.
public enum PaneKind: Int, CaseIterable, Hashable, Sendable {
    case dataset, model, chart, console

    public var title: String {
        switch self {
        case .dataset: return "Dataset"
        case .model: return "Model"
        case .chart: return "Chart"
        case .console: return "Console"
        }
    }

    /// The key context of the pane when no inline prompt is open.
    public var keyContext: KeyContext {
        switch self {
        case .dataset: return .dataset
        case .model: return .model
        case .chart: return .chart
        case .console: return .console
        }
    }

    /// The pane whose context `context` is.
    public init?(context: KeyContext) {
        guard let k = PaneKind.allCases.first(where: { $0.keyContext == context }) else { return nil }
        self = k
    }

    public var next: PaneKind { PaneKind(rawValue: (rawValue + 1) % 4) ?? .dataset }
    public var previous: PaneKind { PaneKind(rawValue: (rawValue + 3) % 4) ?? .dataset }
}

/// What a pane asks of the rest of the app. Panes never call each other or the service:
/// they return requests and the app state routes them (gitui's internal event queue).
public enum PaneRequest: Hashable, Sendable {
    /// Send this to the service.
    case call(ServiceCall)
    /// Classify this console line (the state numbers the request).
    case predict(String)
    /// A line for the status bar.
    case message(String, warning: Bool)
    /// Open a picker overlay.
    case pick(PickerPurpose)
    /// Put this text into the console and classify it.
    case sendToConsole(String)
    /// Give the focus back to the pane that had it before the console.
    case leaveConsole
}

/// A pane's answer to a key: whether it used it, and what it asks for.
public struct PaneResponse: Hashable, Sendable {
    public var consumed: Bool
    public var requests: [PaneRequest]

    public init(consumed: Bool, requests: [PaneRequest] = []) {
        self.consumed = consumed
        self.requests = requests
    }

    public static let ignored = PaneResponse(consumed: false)
    public static let consumed = PaneResponse(consumed: true)
    public static func consumed(_ requests: PaneRequest...) -> PaneResponse {
        PaneResponse(consumed: true, requests: requests)
    }
    public static func warning(_ text: String) -> PaneResponse {
        PaneResponse(consumed: true, requests: [.message(text, warning: true)])
    }
}

/// One pane: its state, its keys and its drawing (gitui's component: event, commands, draw).
public protocol Pane {
    static var kind: PaneKind { get }
    /// Where keys go right now: the pane's own context, or `.commandLine` while an inline
    /// prompt (search, layer setting) takes text.
    var keyContext: KeyContext { get }
    /// Extra words after the pane's name in its frame ("reviews.tsv", "3 runs").
    var subtitle: String { get }
    /// Handles a key; `action` is what the key map made of it in `keyContext` (nil: none).
    mutating func handle(_ action: KeyAction?, key: Key) -> PaneResponse
    /// The status-bar hints while the pane has the focus.
    func commands(_ keyMap: KeyMap) -> [KeyHint]
    /// Draws the inside of the pane (the frame is drawn by the app) and returns where the
    /// text cursor goes, if the pane takes text. Drawing reads the pane and changes nothing:
    /// what depends on the pane's size (scroll, page) is settled in the update loop.
    func render(into grid: inout CellGrid, rect: Rect, focused: Bool) -> Point?
}

extension Pane {
    public func commands(_ keyMap: KeyMap) -> [KeyHint] {
        if keyContext == .commandLine { return PromptHints.standard }
        return keyMap.hints(for: keyContext)
    }
}

enum PromptHints {
    static let standard = [KeyHint(key: "Enter", label: "ok"), KeyHint(key: "Esc", label: "cancel")]
}

/// Small drawing helpers shared by the panes.
enum Draw {
    static let eighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// A horizontal bar `width` cells wide, filled to `fraction` (0...1) with eighth-cell
    /// precision; the rest is drawn as light dots in the empty-bar role.
    static func bar(_ grid: inout CellGrid, x: Int, y: Int, width: Int, fraction: Double,
                    fill: Style = Style(.barFill), empty: Style = Style(.barEmpty)) {
        guard width > 0 else { return }
        let f = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        let total = Int((f * Double(width) * 8).rounded())
        let full = total / 8, part = total % 8
        var cx = x
        if full > 0 { cx = grid.put(String(repeating: "█", count: full), x: cx, y: y, style: fill) }
        if part > 0 && full < width { cx = grid.put(String(eighths[part - 1]), x: cx, y: y, style: fill) }
        let rest = x + width - cx
        if rest > 0 { grid.put(String(repeating: "·", count: rest), x: cx, y: y, style: empty) }
    }

    /// A one-row sparkline of `values` squeezed or stretched into `width` cells.
    static func sparkline(_ values: [Int], width: Int) -> String {
        guard width > 0, !values.isEmpty else { return "" }
        let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        var cols = [Double](repeating: 0, count: min(width, values.count))
        for (i, v) in values.enumerated() {
            let c = i * cols.count / values.count
            cols[c] += Double(max(0, v))
        }
        let top = cols.max() ?? 0
        return String(cols.map { v -> Character in
            guard top > 0, v > 0 else { return " " }
            return levels[min(7, max(0, Int((v * 8 / top).rounded(.up)) - 1))]
        })
    }

    /// Text centred in `rect`'s row `y` (relative to the rect).
    static func centred(_ grid: inout CellGrid, _ text: String, rect: Rect, row: Int, style: Style = Style(.dim)) {
        guard row >= 0, row < rect.height else { return }
        let t = TextWidth.truncated(text, to: rect.width)
        grid.put(t, x: rect.x + max(0, (rect.width - TextWidth.of(t)) / 2), y: rect.y + row, style: style,
                 maxWidth: rect.width)
    }

    /// `text` written from (x, y), at most `width` cells, cut with "…".
    @discardableResult
    static func text(_ grid: inout CellGrid, _ text: String, x: Int, y: Int, width: Int, style: Style = .text) -> Int {
        guard width > 0 else { return x }
        return grid.put(TextWidth.truncated(text, to: width), x: x, y: y, style: style, maxWidth: width)
    }

    /// Fills a row of `rect` with spaces in `style`.
    static func fillRow(_ grid: inout CellGrid, rect: Rect, row: Int, style: Style) {
        grid.fill(Rect(x: rect.x, y: rect.y + row, width: rect.width, height: 1), style: style)
    }

    /// The lower-case form of one character when it is one character, else the character.
    static func lowercased(_ c: Character) -> Character {
        let s = c.lowercased()
        return s.count == 1 ? (s.first ?? c) : c
    }

    /// Case-insensitive matches of `query` in `text`, as character-offset ranges.
    static func matches(of query: String, in text: String) -> [Range<Int>] {
        let q = query.map(lowercased)
        guard !q.isEmpty else { return [] }
        let t = text.map(lowercased)
        guard t.count >= q.count else { return [] }
        var out: [Range<Int>] = []
        var i = 0
        while i + q.count <= t.count {
            if Array(t[i..<(i + q.count)]) == q {
                out.append(i..<(i + q.count))
                i += q.count
            } else {
                i += 1
            }
        }
        return out
    }
}
