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
        case .trainingSetting:
            overlay = .picker(Picker(purpose: purpose, title: "Training settings (Enter: change, for the next run)",
                                     items: trainingSettingItems, emptyText: "a learner trains in one go: no settings here"))
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
            if p.purpose == .openSession, let item = p.selected {
                switch key {
                case .character("d"):
                    guard item.value != status.sessionName else {
                        status.show("\(item.value) is open: open another session before deleting it", warning: true)
                        return []
                    }
                    overlay = .confirm(.deleteSession(item.value),
                                       message: "Delete session \(item.value) with all its runs? This cannot be undone.")
                    return []
                case .character("e"):
                    overlay = nil
                    promptEditor = LineEditor(text: item.value + "-model")
                    bottom = .prompt(.exportSession(item.value))
                    return []
                default: break
                }
            }
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
        case let .openData(flow):
            return handleOpenData(flow, key)
        case var .metrics(view):
            overlay = view.handle(action, key: key, page: helpRows) ? .metrics(view) : nil
        case let .confirm(purpose, _):
            // Ctrl-C says yes only to quitting (pressed again to leave); nothing is deleted by it.
            let yes: Bool = switch key {
            case .character("y"), .character("Y"), .enter: true
            case .control("c"): purpose == .quit
            default: false
            }
            switch key {
            case _ where yes:
                overlay = nil
                switch purpose {
                case .quit: return requestQuit(ask: false)
                case let .deleteSession(name):
                    status.show("deleting \(name)…")
                    return [.call(.deleteSession(name))]
                case let .deleteRun(id): return [.call(.deleteRun(id))]
                }
            case .character("n"), .character("N"), .escape, .character("q"), .control("c"):
                overlay = nil
                if case .deleteSession = purpose { return global(.openSession) }
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
        case .trainingSetting:
            // The setting's command on the `:` line, with the value to type after it.
            commandEditor.clear()
            commandEditor.setText(item.value + " ")
            bottom = .command
            let usage = Commands.table.first { $0.name == item.value }?.usage ?? ""
            status.show(":\(item.value) \(usage)  (Enter applies it to the next run; Esc cancels)")
            return []
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
            let c = Commands.complete(commandEditor.text, arguments: argumentCandidates)
            commandEditor.setText(c.text)
            // Several candidates: list them all (the status line ends with … if they overflow).
            if c.candidates.count > 1 {
                status.show("\(c.candidates.count) candidates: " + c.candidates.joined(separator: "  "))
            } else if c.candidates.isEmpty {
                status.show("no completion for \"\(commandEditor.text)\"", warning: true)
            }
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
            case let .exportSession(name):
                guard !value.isEmpty else {
                    status.show("the export needs a folder", warning: true)
                    return []
                }
                status.show("exporting \(name) to \(value)…")
                return [.call(.exportSession(name, to: value))]
            }
        case .escape, .control("c"):
            bottom = .hints
        default:
            promptEditor.handle(key)
        }
        return []
    }

    /// The optimiser box's settings as the model shows them, each with the `:` command that
    /// changes it. A learner has none of these.
    var trainingSettingItems: [PickerItem] {
        guard let m = model.model, !m.fit.isEmpty else { return [] }
        let fit = Dictionary(m.fit.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        let lr = m.optimizerSettings.first { $0.name == "lr" }?.value ?? ""
        let others = m.optimizerSettings.filter { $0.name != "lr" }.map { "\($0.name) \($0.value)" }.joined(separator: " ")
        let training = Dictionary(m.training.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        return [
            PickerItem(value: "optimizer", label: "Optimizer", detail: ([m.optimizer] + (others.isEmpty ? [] : [others])).joined(separator: " ")),
            PickerItem(value: "lr", label: "Learning rate", detail: lr),
            PickerItem(value: "schedule", label: "Schedule", detail: Double(lr) == nil ? lr : "constant"),
            PickerItem(value: "batch", label: "Batch size", detail: fit["batch size"] ?? ""),
            PickerItem(value: "epochs", label: "Epochs", detail: fit["epochs"] ?? ""),
            PickerItem(value: "earlystop", label: "Early stopping", detail: training["callbacks"] ?? "off"),
            PickerItem(value: "plateau", label: "Reduce LR on plateau", detail: training["callbacks"].map { $0.contains("ReduceLROnPlateau") ? "on" : "off" } ?? "off"),
            PickerItem(value: "classweight", label: "Class weights", detail: training["class weights"] ?? "off"),
            PickerItem(value: "checkpoint", label: "Checkpoint", detail: "best or last"),
        ]
    }

    /// What a command's argument can be, for Tab: the presets and learners, themes, layer
    /// types and panes this workbench offers, else the words of the command's usage.
    func argumentCandidates(_ command: String) -> [String] {
        switch command {
        case "preset": return presets.map(\.name)
        case "theme": return themeNames
        case "add": return layerTypes.map(\.kind.rawValue)
        case "focus": return PaneKind.allCases.map { $0.title.lowercased() }
        case "zoo": return Commands.zoo
        case "filter": return dataset.dataset?.labels ?? []
        default: return Commands.argumentWords(command)
        }
    }

    /// The help overlay: the key table, then the commands.
    public var helpLines: [String] {
        keyMap.helpLines() + [""] + Commands.helpLines()
    }
}
