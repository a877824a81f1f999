import Testing
import TerminalUI

@Suite struct KeyTests {
    @Test func rawCodes() {
        #expect(Key(code: 3) == .control("c"))
        #expect(Key(code: 1) == .control("a"))
        #expect(Key(code: 9) == .tab)
        #expect(Key(code: 13) == .enter)
        #expect(Key(code: 10) == .enter)
        #expect(Key(code: 27) == .escape)
        #expect(Key(code: 127) == .backspace)
        #expect(Key(code: 8) == .backspace)
        #expect(Key(code: 0x41) == .character("A"))
        #expect(Key(code: 0x4E2D) == .character("中"))
        #expect(Key(code: 0x9B) == nil)
        #expect(Key(code: 0xD800) == nil)
    }

    @Test func specsRoundTrip() {
        let cases: [(String, Key)] = [
            ("t", .character("t")), ("T", .character("T")), ("?", .character("?")),
            ("space", .character(" ")), ("ctrl-r", .control("r")), ("C-x", .control("x")),
            ("^C", .control("c")), ("F1", .function(1)), ("f12", .function(12)),
            ("Up", .up), ("pgdn", .pageDown), ("PageUp", .pageUp), ("shift-tab", .backTab),
            ("backtab", .backTab), ("Esc", .escape), ("return", .enter), ("tab", .tab),
            ("backspace", .backspace), ("del", .delete), ("中", .character("中")),
        ]
        for (spec, key) in cases {
            #expect(Key(spec: spec) == key, "\(spec)")
            #expect(Key(spec: key.spec) == key, "\(key.spec)")
        }
        for bad in ["", "ctrl-", "ctrl-ab", "f0", "f25", "hyper-x", "tt", "\u{1B}", "\u{301}"] {
            #expect(Key(spec: bad) == nil, "\(bad)")
        }
        #expect(Key.control("c").label == "Ctrl-C")
        #expect(Key.character(" ").label == "Space")
        #expect(Key.backTab.label == "Shift-Tab")
    }
}

@Suite struct KeyMapTests {
    let map = KeyMap.standard

    @Test func everyActionHasOneBindingAndNoConflicts() {
        for action in KeyAction.allCases {
            #expect(map.bindings.filter { $0.action == action }.count == 1, "\(action)")
            #expect(!map.keys(for: action).isEmpty, "\(action) has no key")
        }
        #expect(map.conflicts().isEmpty)
    }

    @Test func dispatchFromTheTable() {
        #expect(map.action(for: .character("t"), context: .dataset) == .train)
        #expect(map.action(for: .character("q"), context: .chart) == .quit)
        #expect(map.action(for: .control("c"), context: .model) == .quitConfirm)
        #expect(map.action(for: .tab, context: .dataset) == .focusNext)
        #expect(map.action(for: .backTab, context: .dataset) == .focusPrevious)
        #expect(map.action(for: .character("3"), context: .model) == .focusChart)
        #expect(map.action(for: .function(1), context: .model) == .help)
        #expect(map.action(for: .character("?"), context: .model) == .help)
        #expect(map.action(for: .character("j"), context: .dataset) == .down)
        #expect(map.action(for: .down, context: .dataset) == .down)
        #expect(map.action(for: .character("G"), context: .dataset) == .bottom)
        #expect(map.action(for: .character("N"), context: .dataset) == .newSession)
        #expect(map.action(for: .character("T"), context: .dataset) == .nextTheme)
        // Pane keys only in their pane.
        #expect(map.action(for: .character("a"), context: .model) == .addLayer)
        #expect(map.action(for: .character("a"), context: .chart) == nil)
        #expect(map.action(for: .character("K"), context: .model) == .moveLayerUp)
        #expect(map.action(for: .character("J"), context: .model) == .moveLayerDown)
        #expect(map.action(for: .character("+"), context: .chart) == .smoothingUp)
        #expect(map.action(for: .character("-"), context: .chart) == .smoothingDown)
        #expect(map.action(for: .character("b"), context: .chart) == .renderMode)
        #expect(map.action(for: .character("+"), context: .model) == nil)
        #expect(map.action(for: .character("7"), context: .model) == nil)
        #expect(map.action(for: .mouse(x: 1, y: 1, button: .left), context: .model) == nil)
    }

    @Test func textEntryContextsKeepCharactersForText() {
        // Typing "t" in the console is text, not "train"; control and named keys still work.
        #expect(map.action(for: .character("t"), context: .console) == nil)
        #expect(map.action(for: .character("q"), context: .commandLine) == nil)
        #expect(map.action(for: .character("?"), context: .console) == nil)
        #expect(map.action(for: .control("c"), context: .console) == .quitConfirm)
        #expect(map.action(for: .function(1), context: .console) == .help)
        #expect(map.action(for: .tab, context: .console) == .focusNext)
        #expect(map.action(for: .escape, context: .commandLine) == .escape)
        #expect(map.action(for: .enter, context: .console) == .enter)
    }

    @Test func hintsComeFromTheSameTable() {
        let model = map.hints(for: .model)
        #expect(model.first == KeyHint(key: "a", label: "add"))
        #expect(model.contains(KeyHint(key: "t", label: "train")))
        #expect(model.contains(KeyHint(key: "?", label: "help")))
        #expect(!model.contains { $0.label == "smooth" })
        let chart = map.hints(for: .chart)
        #expect(chart.first == KeyHint(key: "+", label: "smooth"))
        // In the console "?" types text, so help is offered as F1, and "t train" is left out.
        let console = map.hints(for: .console)
        #expect(console.contains(KeyHint(key: "F1", label: "help")))
        #expect(!console.contains { $0.label == "train" })
        // Every hint's key dispatches to an action whose hint it is.
        for context in KeyContext.allCases {
            for h in map.hints(for: context) {
                let binding = map.bindings.first { $0.hint == h.label && $0.applies(in: context) }
                let key = binding?.keys.first { $0.label == h.key }
                #expect(key.flatMap { map.action(for: $0, context: context) } == binding?.action, "\(context) \(h)")
            }
        }
    }

    @Test func helpIsGeneratedFromTheTable() {
        let lines = map.helpLines()
        #expect(lines.first == "General")
        for group in KeyGroup.allCases { #expect(lines.contains(group.rawValue)) }
        #expect(lines.contains { $0.hasPrefix("  ?, F1 ") && $0.hasSuffix("  Show or hide this help") })
        #expect(lines.contains { $0.hasPrefix("  Ctrl-C ") && $0.hasSuffix("Quit (asks first)") })
        #expect(lines.contains { $0.hasPrefix("  ↑, k ") && $0.hasSuffix("Move up") })
        // One line per binding, all descriptions in one column.
        let rows = lines.filter { $0.hasPrefix("  ") }
        #expect(rows.count == map.bindings.count)
        let column = Set(rows.map { row -> Int in
            let b = map.bindings.first { row.hasSuffix("  " + $0.help) }
            return TextWidth.of(row) - TextWidth.of(b?.help ?? "")
        })
        #expect(column.count == 1)
    }

    @Test func overridesRebindDispatchHintsAndHelp() throws {
        let m = try map.applyingOverrides("""
            [keys]
            train = "Y"
            help = ["h", "F2"]
            left = "left"
            step = []
            quit_confirm = "ctrl-q"
            """, path: "keys.toml")
        #expect(m.action(for: .character("Y"), context: .dataset) == .train)
        #expect(m.action(for: .character("t"), context: .dataset) == nil)
        #expect(m.action(for: .character("h"), context: .dataset) == .help)
        #expect(m.action(for: .function(2), context: .dataset) == .help)
        #expect(m.action(for: .function(1), context: .dataset) == nil)
        #expect(m.action(for: .character("n"), context: .dataset) == nil)
        #expect(m.action(for: .control("q"), context: .console) == .quitConfirm)
        #expect(m.action(for: .control("c"), context: .console) == nil)
        #expect(m.hints(for: .dataset).contains(KeyHint(key: "Y", label: "train")))
        #expect(!m.hints(for: .dataset).contains { $0.label == "step" })
        #expect(m.helpLines().contains { $0.hasPrefix("  (unbound) ") && $0.hasSuffix("Train one batch while paused") })
        // A file with nothing to change.
        #expect(try map.applyingOverrides("", path: "k.toml") == map)
    }

    @Test func overrideErrorsNameFileAndKey() throws {
        #expect(uiError { _ = try map.applyingOverrides("[keys]\ntrian = \"r\"", path: "k.toml") }
                == .unknownKey(path: "k.toml", key: "keys.trian", known: KeyAction.allCases.map(\.rawValue)))
        #expect(uiError { _ = try map.applyingOverrides("[bindings]\ntrain = \"r\"", path: "k.toml") }
                == .unknownKey(path: "k.toml", key: "bindings", known: ["keys"]))
        guard case let .invalidValue(path, key, _, found)? = uiError({
            _ = try map.applyingOverrides("[keys]\ntrain = \"hyper-r\"", path: "k.toml")
        }) else {
            Issue.record("expected an invalid value")
            return
        }
        #expect(path == "k.toml" && key == "keys.train" && found == "\"hyper-r\"")
        guard case let .invalidValue(_, key2, _, found2)? = uiError({
            _ = try map.applyingOverrides("[keys]\nsave = [\"s\", 5]", path: "k.toml")
        }) else {
            Issue.record("expected an invalid value")
            return
        }
        #expect(key2 == "keys.save" && found2 == "5")
        // A key taken by another action where both apply: the rebound action is named.
        let conflict = uiError { _ = try map.applyingOverrides("[keys]\ntrain = \"q\"", path: "k.toml") }
        #expect(conflict == .invalidValue(path: "k.toml", key: "keys.train",
                                          expected: "a key not already bound to another action where both apply",
                                          found: "\"q\", also bound to quit"))
        // A global key may not be shadowed by a pane's key either.
        let shadowed = uiError { _ = try map.applyingOverrides("[keys]\ntrain = \"r\"", path: "k.toml") }
        #expect(shadowed?.description == "k.toml: keys.train: expected a key not already bound to another action where both apply, found \"r\", also bound to reset_zoom")
        // Moving quit away first makes it legal; pane keys may repeat across panes.
        let m = try map.applyingOverrides("[keys]\ntrain = \"q\"\nquit = \"Q\"\nadd_layer = \"r\"", path: "k.toml")
        #expect(m.action(for: .character("q"), context: .model) == .train)
        #expect(m.action(for: .character("r"), context: .model) == .addLayer)
        #expect(m.action(for: .character("r"), context: .chart) == .resetZoom)
        guard case .syntax? = uiError({ _ = try map.applyingOverrides("[keys\n", path: "k.toml") }) else {
            Issue.record("expected a syntax error")
            return
        }
    }

    @Test func overrideFileOnDisk() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.write("keys.toml", "[keys]\nstop = \"X\"\nx_axis_mode = \"m\"\n")
        let m = try KeyMap.load(overridesAt: path)
        #expect(m.action(for: .character("X"), context: .dataset) == .stop)
        #expect(m.action(for: .character("m"), context: .chart) == .xAxisMode)
        let bad = try dir.write("bad.toml", "[keys]\nstop = 1\n")
        let e = uiError { _ = try KeyMap.load(overridesAt: bad) }
        #expect(e?.description.hasPrefix(bad + ": keys.stop: expected a key such as") == true)
    }
}
