/// The key table. One list of `KeyBinding`s drives dispatch (`action(for:context:)`), the
/// status bar (`hints(for:)`) and the help overlay (`helpLines()`), so they never disagree.
/// A user file can rebind actions (`applyingOverrides`).
public struct KeyMap: Hashable, Sendable {
    public private(set) var bindings: [KeyBinding]

    public init(bindings: [KeyBinding]) {
        self.bindings = bindings
    }

    /// The built-in bindings.
    public static let standard = KeyMap(bindings: [
        // General
        KeyBinding(.focusNext, [.tab], group: .general, help: "Focus the next pane"),
        KeyBinding(.focusPrevious, [.backTab], group: .general, help: "Focus the previous pane"),
        KeyBinding(.focusDataset, [.character("1")], group: .general, help: "Focus the dataset pane"),
        KeyBinding(.focusModel, [.character("2")], group: .general, help: "Focus the model pane"),
        KeyBinding(.focusChart, [.character("3")], group: .general, help: "Focus the chart pane"),
        KeyBinding(.focusConsole, [.character("4")], group: .general, help: "Focus the console"),
        KeyBinding(.zoom, [.character("z")], group: .general, hint: "zoom", help: "Zoom the focused pane to full screen and back"),
        KeyBinding(.help, [.character("?"), .function(1)], group: .general, hint: "help", help: "Show or hide this help"),
        KeyBinding(.commandLine, [.character(":")], group: .general, help: "Open the command line"),
        KeyBinding(.nextTheme, [.character("T")], group: .general, help: "Switch to the next colour theme"),
        KeyBinding(.quit, [.character("q")], group: .general, hint: "quit", help: "Quit"),
        KeyBinding(.quitConfirm, [.control("c")], group: .general, help: "Quit (asks first)"),
        // Training and sessions
        KeyBinding(.train, [.character("t")], group: .training, hint: "train", help: "Start training"),
        KeyBinding(.pauseResume, [.character("p")], group: .training, hint: "pause", help: "Pause or resume training"),
        KeyBinding(.step, [.character("n")], group: .training, hint: "step", help: "Train one batch while paused"),
        KeyBinding(.stop, [.character("x")], group: .training, hint: "stop", help: "Stop training after the current batch (weights are kept)"),
        KeyBinding(.save, [.character("s")], group: .training, help: "Save the session"),
        KeyBinding(.openSession, [.character("o")], group: .training, help: "Open a session"),
        KeyBinding(.newSession, [.character("N")], group: .training, help: "Start a new session"),
        KeyBinding(.openData, [.character("D")], group: .training, help: "Open a data file as a new session (CSV, TSV, JSONL…)"),
        KeyBinding(.leaderboard, [.character("R")], group: .training, hint: "runs",
                   help: "Runs ranked by validation accuracy; Enter: the console uses one"),
        KeyBinding(.metrics, [.character("M")], group: .training, help: "Metrics: per-class F1, confusion matrix"),
        // Navigation
        KeyBinding(.up, [.up, .character("k")], group: .navigation, help: "Move up"),
        KeyBinding(.down, [.down, .character("j")], group: .navigation, help: "Move down"),
        KeyBinding(.left, [.left, .character("h")], group: .navigation, help: "Move left"),
        KeyBinding(.right, [.right, .character("l")], group: .navigation, help: "Move right"),
        KeyBinding(.top, [.character("g"), .home], group: .navigation, help: "Go to the top"),
        KeyBinding(.bottom, [.character("G"), .end], group: .navigation, help: "Go to the bottom"),
        KeyBinding(.pageUp, [.pageUp], group: .navigation, help: "Page up"),
        KeyBinding(.pageDown, [.pageDown], group: .navigation, help: "Page down"),
        KeyBinding(.search, [.character("/")], group: .navigation, help: "Search"),
        KeyBinding(.escape, [.escape], group: .navigation, help: "Close, cancel or leave the input"),
        KeyBinding(.enter, [.enter], group: .navigation, help: "Open, confirm or submit; in the chart, show only the selected run (again: all)"),
        // Dataset pane
        KeyBinding(.filterLabel, [.character("f")], context: .dataset, group: .dataset, hint: "label", help: "Show one label, the next, … then all"),
        KeyBinding(.filterMisclassified, [.character("m")], context: .dataset, group: .dataset, hint: "wrong", help: "Show only misclassified examples (after an evaluation)"),
        KeyBinding(.searchNext, [.control("n")], context: .dataset, group: .dataset, help: "Next search match"),
        KeyBinding(.searchPrevious, [.control("p")], context: .dataset, group: .dataset, help: "Previous search match"),
        // Model pane
        KeyBinding(.addLayer, [.character("a")], context: .model, group: .model, hint: "add", help: "Add a layer below the selection"),
        KeyBinding(.deleteLayer, [.character("d")], context: .model, group: .model, hint: "delete", help: "Delete the selected layer"),
        KeyBinding(.editLayer, [.character("e")], context: .model, group: .model, hint: "edit", help: "Edit the selected layer"),
        KeyBinding(.moveLayerUp, [.character("K")], context: .model, group: .model, hint: "move up", help: "Move the selected layer up"),
        KeyBinding(.moveLayerDown, [.character("J")], context: .model, group: .model, hint: "move down", help: "Move the selected layer down"),
        KeyBinding(.pickPreset, [.character("P")], context: .model, group: .model, hint: "preset", help: "Replace the model with a preset"),
        KeyBinding(.trainingSettings, [.character("O")], context: .model, group: .model, help: "Training settings: optimiser, learning rate, batch size, epochs, callbacks"),
        KeyBinding(.undo, [.character("u")], context: .model, group: .model, help: "Undo the last model edit"),
        KeyBinding(.redo, [.control("r")], context: .model, group: .model, help: "Redo the model edit undone"),
        // Chart pane
        KeyBinding(.smoothingUp, [.character("+"), .character("=")], context: .chart, group: .chart, hint: "smooth", help: "More smoothing (the legend: last raw value, then ~ smoothed)"),
        KeyBinding(.smoothingDown, [.character("-")], context: .chart, group: .chart, help: "Less smoothing"),
        KeyBinding(.logScale, [.character("y")], context: .chart, group: .chart, hint: "log y", help: "Toggle a logarithmic y axis"),
        KeyBinding(.xAxisMode, [.character("X")], context: .chart, group: .chart, hint: "x axis", help: "Cycle the x axis: step → relative time → wall clock"),
        KeyBinding(.renderMode, [.character("b")], context: .chart, group: .chart, help: "Cycle drawing: braille → block → half block → ASCII"),
        KeyBinding(.zoomIn, [.character("]")], context: .chart, group: .chart, help: "Zoom in on the x axis"),
        KeyBinding(.zoomOut, [.character("[")], context: .chart, group: .chart, help: "Zoom out on the x axis"),
        KeyBinding(.panLeft, [.character("<"), .character("H")], context: .chart, group: .chart, help: "Pan left"),
        KeyBinding(.panRight, [.character(">"), .character("L")], context: .chart, group: .chart, help: "Pan right"),
        KeyBinding(.resetZoom, [.character("r"), .character("0")], context: .chart, group: .chart, hint: "reset", help: "Reset zoom and pan"),
        KeyBinding(.followLive, [.character("f")], context: .chart, group: .chart, hint: "follow", help: "Follow the newest points, or freeze the view"),
        KeyBinding(.toggleRun, [.character(" ")], context: .chart, group: .chart, hint: "hide run", help: "Hide or show the selected run"),
        KeyBinding(.chartMetric, [.character("v")], context: .chart, group: .chart, help: "Show loss and accuracy, loss only, or accuracy only"),
        KeyBinding(.chartGranularity, [.character("e")], context: .chart, group: .chart, hint: "batch/epoch", help: "Plot per batch or per epoch"),
    ])

    // MARK: Dispatch

    /// The action `key` triggers in `context`, or nil. Bindings of the context win over global
    /// ones; in text-entry contexts global bindings on printable characters do not fire (the
    /// character is text), while control, function and navigation keys still do.
    public func action(for key: Key, context: KeyContext) -> KeyAction? {
        if let b = bindings.first(where: { $0.context == context && $0.keys.contains(key) }) {
            return b.action
        }
        if context.isTextEntry && key.isText { return nil }
        return bindings.first(where: { $0.context == nil && $0.keys.contains(key) })?.action
    }

    /// The keys bound to `action` (empty if unbound).
    public func keys(for action: KeyAction) -> [Key] {
        bindings.first(where: { $0.action == action })?.keys ?? []
    }

    /// The binding of `action`.
    public func binding(for action: KeyAction) -> KeyBinding? {
        bindings.first(where: { $0.action == action })
    }

    // MARK: Status bar and help

    /// The status-bar hints for `context`: the context's own hinted bindings first, then the
    /// global ones, each with the first key that works there. Unbound actions are left out.
    public func hints(for context: KeyContext) -> [KeyHint] {
        let own = bindings.filter { $0.context == context }
        let global = bindings.filter { $0.context == nil }
        return (own + global).compactMap { b in
            guard let label = b.hint else { return nil }
            let usable = b.keys.first { !(context.isTextEntry && b.context == nil && $0.isText) }
            guard let key = usable else { return nil }
            return KeyHint(key: key.label, label: label)
        }
    }

    /// The help overlay: a heading per group, then one line per binding with its keys in a
    /// column and its description. Unbound actions show "(unbound)".
    public func helpLines() -> [String] {
        func keyText(_ b: KeyBinding) -> String {
            b.keys.isEmpty ? "(unbound)" : b.keys.map(\.label).joined(separator: ", ")
        }
        let column = bindings.map { TextWidth.of(keyText($0)) }.max() ?? 0
        var lines: [String] = []
        for group in KeyGroup.allCases {
            let rows = bindings.filter { $0.group == group }
            guard !rows.isEmpty else { continue }
            if !lines.isEmpty { lines.append("") }
            lines.append(group.rawValue)
            for b in rows {
                lines.append("  " + TextWidth.padded(keyText(b), to: column) + "  " + b.help)
            }
        }
        return lines
    }

    // MARK: Conflicts and overrides

    /// Pairs of actions that share a key where both can fire (global vs anything, or the same
    /// context), as (key, first action, second action) in table order.
    public func conflicts() -> [(key: Key, first: KeyAction, second: KeyAction)] {
        var out: [(Key, KeyAction, KeyAction)] = []
        for (i, a) in bindings.enumerated() {
            for b in bindings[(i + 1)...] {
                guard a.context == nil || b.context == nil || a.context == b.context else { continue }
                for k in a.keys where b.keys.contains(k) { out.append((k, a.action, b.action)) }
            }
        }
        return out
    }

    /// This map with the bindings of the key-map file text `toml` (`path` names it in errors):
    ///
    ///     [keys]
    ///     train = "r"              # replaces all keys of the action
    ///     help = ["?", "F1"]       # several keys
    ///     step = []                # unbound
    ///
    /// Names are `KeyAction` raw values; keys are written as `Key(spec:)` reads them. An
    /// unknown section or action, a key that cannot be read, or a key that ends up bound to
    /// two actions in the same place is an error naming the file and the dotted key.
    public func applyingOverrides(_ toml: String, path: String) throws -> KeyMap {
        let table = try TOMLFile.parse(toml, path: path)
        var map = self
        var changed: [KeyAction] = []
        for section in table.keys.sorted() {
            guard section == "keys" else {
                throw TerminalUIError.unknownKey(path: path, key: section, known: ["keys"])
            }
            guard let keys = table[section]?.table else {
                throw TerminalUIError.invalidValue(path: path, key: section, expected: "a table ([keys])",
                                                   found: table[section].map(TOMLFile.describe) ?? "nothing")
            }
            for name in keys.keys.sorted() {
                guard let value = keys[name] else { continue }
                let dotted = "keys.\(name)"
                guard let action = KeyAction(rawValue: name),
                      let index = map.bindings.firstIndex(where: { $0.action == action }) else {
                    throw TerminalUIError.unknownKey(path: path, key: dotted, known: KeyAction.allCases.map(\.rawValue))
                }
                var items: [TOMLValue] = []
                if let a = value.array {
                    for item in a { items.append(item) }
                } else {
                    items = [value]
                }
                var parsed: [Key] = []
                for item in items {
                    guard let s = item.string, let k = Key(spec: s) else {
                        throw TerminalUIError.invalidValue(
                            path: path, key: dotted,
                            expected: "a key such as \"t\", \"T\", \"ctrl-r\", \"F5\", \"tab\", \"up\", \"space\" (or a list of them)",
                            found: TOMLFile.describe(item))
                    }
                    if !parsed.contains(k) { parsed.append(k) }
                }
                map.bindings[index].keys = parsed
                changed.append(action)
            }
        }
        if let c = map.conflicts().first {
            // Name the rebound action (the user's key), or the first if both were rebound.
            let (mine, other) = changed.contains(c.second) && !changed.contains(c.first)
                ? (c.second, c.first) : (c.first, c.second)
            throw TerminalUIError.invalidValue(
                path: path, key: "keys.\(mine.rawValue)",
                expected: "a key not already bound to another action where both apply",
                found: "\"\(c.key.spec)\", also bound to \(other.rawValue)")
        }
        return map
    }

    /// The standard map (or `base`) with the overrides in the file at `path`.
    public static func load(overridesAt path: String, base: KeyMap = .standard) throws -> KeyMap {
        try base.applyingOverrides(TOMLFile.read(path), path: path)
    }
}
