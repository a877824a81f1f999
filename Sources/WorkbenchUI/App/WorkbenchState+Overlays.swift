import TerminalUI

/// The overlays (help, pickers, the quit question) and the bottom line (the `:` command
/// line and prompts): how keys act while they are shown.
extension WorkbenchState {
    // MARK: Overlays

    mutating func openPicker(_ purpose: PickerPurpose) {
        switch purpose {
        case .openSession:
            overlay = .picker(Picker(purpose: purpose, title: "Open session", items: [], emptyText: "loading…"))
        case let .addLayer(at):
            let items = layerTypes.map { PickerItem(value: $0.kind.rawValue, label: $0.displayName) }
            overlay = .picker(Picker(purpose: purpose, title: "Add a layer at position \(at + 1)", items: items,
                                     emptyText: "no layer types offered"))
        case .preset:
            let items = presets.map { PickerItem(value: $0.name, detail: $0.summary) }
            let current = model.model?.preset.flatMap { p in presets.firstIndex { $0.name == p } } ?? 0
            overlay = .picker(Picker(purpose: purpose, title: "Preset (replaces the model)", items: items,
                                     selection: current, emptyText: "no presets offered"))
        case .theme:
            let items = themeNames.map { PickerItem(value: $0) }
            overlay = .picker(Picker(purpose: purpose, title: "Theme", items: items,
                                     selection: themeName.flatMap { themeNames.firstIndex(of: $0) } ?? 0))
        case .run:
            overlay = .picker(Picker(purpose: purpose, title: "Runs, best first (Enter: use in the console)", items: [],
                                     emptyText: "loading…"))
        }
    }

    /// The metrics overlay: shown at once ("computing…"), filled when the service answers.
    mutating func openMetrics() -> [Effect] {
        overlay = .metrics(MetricsView())
        return [.call(.metrics)]
    }

    /// The leaderboard overlay: shown at once, filled when the service answers.
    mutating func openLeaderboard() -> [Effect] {
        openPicker(.run)
        return [.call(.leaderboard)]
    }

    mutating func handleOverlay(_ o: Overlay, _ key: Key) -> [Effect] {
        let action = keyMap.action(for: key, context: .help)
        switch o {
        case let .help(scroll):
            let page = helpRows
            switch action {
            case .up?: overlay = .help(scroll: max(0, scroll - 1))
            case .down?: overlay = .help(scroll: min(scroll + 1, max(0, helpLines.count - page)))
            case .pageUp?: overlay = .help(scroll: max(0, scroll - page))
            case .pageDown?: overlay = .help(scroll: min(scroll + page, max(0, helpLines.count - page)))
            case .top?: overlay = .help(scroll: 0)
            case .bottom?: overlay = .help(scroll: max(0, helpLines.count - page))
            case .help?, .escape?, .quit?, .enter?: overlay = nil
            case .quitConfirm?:
                overlay = nil
                return requestQuit(ask: true)
            default: break
            }
        case var .picker(p):
            switch action {
            case .up?: p.move(-1)
            case .down?: p.move(1)
            case .pageUp?: p.move(-10)
            case .pageDown?: p.move(10)
            case .top?: p.move(-p.items.count)
            case .bottom?: p.move(p.items.count)
            case .escape?, .quit?:
                overlay = nil
                return []
            case .enter?:
                overlay = nil
                guard let item = p.selected else { return [] }
                return choose(item, for: p.purpose)
            default: break
            }
            overlay = .picker(p)
        case var .metrics(view):
            overlay = view.handle(action, key: key, page: helpRows) ? .metrics(view) : nil
        case let .confirm(purpose, _):
            switch key {
            case .character("y"), .character("Y"), .enter, .control("c"):
                overlay = nil
                switch purpose {
                case .quit: return requestQuit(ask: false)
                case let .deleteRun(id): return [.call(.deleteRun(id))]
                }
            case .character("n"), .character("N"), .escape, .character("q"):
                overlay = nil
            default: break
            }
        }
        return []
    }

    mutating func choose(_ item: PickerItem, for purpose: PickerPurpose) -> [Effect] {
        switch purpose {
        case .openSession:
            status.show("opening \(item.value)…")
            return saveViewNow() + [.call(.openSession(item.value))]
        case let .addLayer(at):
            guard let kind = LayerKind(name: item.value) else { return [] }
            return route(model.send(.addLayer(kind, at: at)).requests)
        case .preset:
            return route(model.send(.applyPreset(item.value)).requests)
        case .theme:
            return [.call(.setTheme(item.value))]
        case .run:
            status.show("loading run \(item.value) for the console…")
            return [.call(.useInConsole(item.value))]
        }
    }

    // MARK: Bottom line

    mutating func handleCommandLine(_ key: Key) -> [Effect] {
        switch key {
        case .enter:
            let line = commandEditor.submit()
            bottom = .hints
            return runCommand(line)
        case .escape:
            commandEditor.clear()
            bottom = .hints
        case .tab:
            commandEditor.setText(Commands.complete(commandEditor.text))
        case .backspace where commandEditor.isEmpty:
            bottom = .hints
        case .control("c"):
            commandEditor.clear()
            bottom = .hints
        default:
            commandEditor.handle(key)
        }
        return []
    }

    mutating func handlePrompt(_ purpose: PromptPurpose, _ key: Key) -> [Effect] {
        switch key {
        case .enter:
            let value = promptEditor.text.trimmingSpaces()
            bottom = .hints
            switch purpose {
            case .newSession:
                guard !value.isEmpty else {
                    status.show("a session needs a name", warning: true)
                    return []
                }
                status.show("creating session \(value)…")
                return saveViewNow() + [.call(.newSession(value))]
            }
        case .escape, .control("c"):
            bottom = .hints
        default:
            promptEditor.handle(key)
        }
        return []
    }

    /// The help overlay: the key table, then the commands.
    public var helpLines: [String] {
        keyMap.helpLines() + [""] + Commands.helpLines()
    }
}
