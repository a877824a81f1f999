import TerminalUI

/// All view state of the workbench and how it changes: the model and update of the UI loop.
/// `update` turns one `AppEvent` into new state plus `Effect`s for the app to carry out; it
/// never touches the terminal or the service, so tests drive it directly.
public struct WorkbenchState {
    public var keyMap: KeyMap
    public internal(set) var size: Size
    public internal(set) var focus: PaneKind = .dataset
    /// Where Esc in the console goes back to.
    public internal(set) var focusBeforeConsole: PaneKind = .dataset
    /// The focused pane fills the screen.
    public internal(set) var zoomed = false
    public internal(set) var overlay: Overlay?
    public internal(set) var bottom: BottomLine = .hints
    /// The `:` line (kept between uses for its history).
    public internal(set) var commandEditor = LineEditor()
    public internal(set) var promptEditor = LineEditor()

    public var dataset = DatasetPane()
    public var model = ModelPane()
    public var chart = ChartPane()
    public var console = ConsolePane()
    public internal(set) var status = StatusSnapshot()

    public internal(set) var presets: [PresetInfo] = []
    /// What the layer picker offers, named by the service.
    public internal(set) var layerTypes: [LayerType] = []
    public internal(set) var themeNames: [String] = []
    public internal(set) var themeName: String?
    /// The theme last applied to the terminal (the built-in default is the dark theme).
    var themeOnScreen: String? = Theme.default.name
    /// The first snapshot has arrived.
    public internal(set) var isLoaded = false
    public internal(set) var isQuitting = false

    /// The view as last saved (or loaded), and the last change not saved yet with when it
    /// was first seen in that form (the loop's clock).
    var savedView: WorkbenchViewState?
    var viewChange: (view: WorkbenchViewState, at: Double)?

    /// Prediction requests are numbered; an answer older than the one shown is dropped.
    public internal(set) var latestPredictionID = 0
    public internal(set) var shownPredictionID = 0

    public init(size: Size, keyMap: KeyMap = .standard) {
        self.size = size
        self.keyMap = keyMap
    }

    /// Where keys go now.
    public var keyContext: KeyContext {
        if overlay != nil { return .help }
        if bottom != .hints { return .commandLine }
        return keyContext(of: focus)
    }

    func keyContext(of kind: PaneKind) -> KeyContext {
        switch kind {
        case .dataset: return dataset.keyContext
        case .model: return model.keyContext
        case .chart: return chart.keyContext
        case .console: return console.keyContext
        }
    }

    // MARK: Update

    public mutating func update(_ event: AppEvent) -> [Effect] {
        let effects = react(to: event)
        fitToScreen()
        return effects
    }

    mutating func react(to event: AppEvent) -> [Effect] {
        switch event {
        case let .key(key): return handleKey(key)
        case let .resize(s):
            size = s
            return []
        case let .tick(now):
            let save = saveViewIfSettled(now: now)
            // While training, re-classify the console line now and then so it follows the model.
            if status.state == .training && !console.text.isEmpty { return save + predict(console.text) }
            return save
        case let .frame(now):
            chart.frame(at: now)
            return saveViewIfSettled(now: now)
        case let .service(e): return apply(e)
        case let .reply(r): return apply(r)
        }
    }

    // MARK: Keys

    mutating func handleKey(_ key: Key) -> [Effect] {
        if case .resize = key { return [] }
        if case let .mouse(x, y, _) = key { return click(x: x, y: y) }
        if let o = overlay { return handleOverlay(o, key) }
        switch bottom {
        case .command: return handleCommandLine(key)
        case let .prompt(p): return handlePrompt(p, key)
        case .hints: break
        }
        let context = keyContext(of: focus)
        let action = keyMap.action(for: key, context: context)
        if Layout.isTooSmall(size) {
            // Nothing to see: only quitting works.
            return action == .quit || action == .quitConfirm ? global(action) : []
        }
        let response = handle(focus, action, key: key)
        if response.consumed { return route(response.requests) }
        return global(action)
    }

    /// Gives a key (and what the key map made of it) to the pane of `kind`.
    mutating func handle(_ kind: PaneKind, _ action: KeyAction?, key: Key) -> PaneResponse {
        switch kind {
        case .dataset: return dataset.handle(action, key: key)
        case .model: return model.handle(action, key: key)
        case .chart: return chart.handle(action, key: key)
        case .console: return console.handle(action, key: key)
        }
    }

    /// Actions that belong to no pane (or that the focused pane left alone).
    mutating func global(_ action: KeyAction?) -> [Effect] {
        guard let action else { return [] }
        switch action {
        case .focusNext: setFocus(focus.next)
        case .focusPrevious: setFocus(focus.previous)
        case .focusDataset: setFocus(.dataset)
        case .focusModel: setFocus(.model)
        case .focusChart: setFocus(.chart)
        case .focusConsole: setFocus(.console)
        case .zoom: zoomed.toggle()
        case .help: overlay = .help(scroll: 0)
        case .commandLine:
            commandEditor.clear()
            bottom = .command
        case .nextTheme: return nextTheme()
        case .quit: return requestQuit(ask: status.state.isActive)
        case .quitConfirm: return requestQuit(ask: true)
        case .train: return startTraining()
        case .pauseResume:
            switch status.state {
            case .training: return [.call(.pauseTraining)]
            case .paused: return [.call(.resumeTraining)]
            default: status.show("nothing to pause: press t to train", warning: true)
            }
        case .step: return [.call(.stepTraining)]
        case .stop: return stopTraining()
        case .save: return [.call(.save)]
        case .openSession:
            overlay = .picker(Picker(purpose: .openSession, title: "Open session", items: [], emptyText: "loading…"))
            return [.call(.listSessions)]
        case .leaderboard:
            return openLeaderboard()
        case .openData:
            return openData(nil)
        case .metrics:
            return openMetrics()
        case .newSession:
            promptEditor = LineEditor()
            bottom = .prompt(.newSession)
        case .escape:
            if zoomed { zoomed = false }
        default:
            // A pane's action while another pane has the focus: nothing to do.
            break
        }
        return []
    }

    /// `t` / `:train [N]`: says what really happens when there is nothing to start.
    mutating func startTraining(epochs: Int? = nil) -> [Effect] {
        switch status.state {
        case .training:
            status.show("already training: space pauses, x stops", warning: true)
            return []
        case .paused where epochs == nil:
            return [.call(.resumeTraining)]
        default:
            return [.call(epochs.map { .trainEpochs($0) } ?? .startTraining)]
        }
    }

    /// `x` / `:stop`: only a run that trains or is paused can stop.
    mutating func stopTraining() -> [Effect] {
        guard status.state.isActive else {
            status.show("nothing to stop: no run is training (t trains)", warning: true)
            return []
        }
        return [.call(.stopTraining)]
    }

    mutating func setFocus(_ kind: PaneKind) {
        if kind == .console && focus != .console { focusBeforeConsole = focus }
        focus = kind
    }

    mutating func requestQuit(ask: Bool) -> [Effect] {
        if ask {
            let message = status.state.isActive ? "Training is running. Quit anyway?" : "Quit the workbench?"
            overlay = .confirm(.quit, message: message)
            return []
        }
        isQuitting = true
        return saveViewNow() + [.quit]
    }

    mutating func nextTheme() -> [Effect] {
        guard !themeNames.isEmpty else {
            status.show("no themes to switch to", warning: true)
            return []
        }
        let i = themeName.flatMap { themeNames.firstIndex(of: $0) } ?? -1
        return [.call(.setTheme(themeNames[(i + 1) % themeNames.count]))]
    }

    /// Carries out what a pane asked for.
    mutating func route(_ requests: [PaneRequest]) -> [Effect] {
        var effects: [Effect] = []
        for r in requests {
            switch r {
            case let .call(c): effects.append(.call(c))
            case let .predict(text): effects += predict(text)
            case let .message(text, warning): status.show(text, warning: warning)
            case let .pick(purpose): openPicker(purpose)
            case let .sendToConsole(text):
                console.setText(text)
                setFocus(.console)
                effects += predict(text)
            case .leaveConsole:
                setFocus(focusBeforeConsole == .console ? .dataset : focusBeforeConsole)
            }
        }
        return effects
    }

    mutating func predict(_ text: String) -> [Effect] {
        latestPredictionID += 1
        if text.isEmpty {
            shownPredictionID = latestPredictionID
            console.show(nil)
            return []
        }
        return [.call(.predict(id: latestPredictionID, text: text))]
    }

    // MARK: Service events and replies

    mutating func apply(_ e: ServiceEvent) -> [Effect] {
        status.apply(e)
        switch e {
        case .runStarted:
            chart.apply(e)
            console.runLabel = nil   // a new run: the service answers with it again
        case .batch:
            chart.apply(e)
        case .epochEnded, .learnerTrained:
            chart.apply(e)
            if !console.text.isEmpty { return predict(console.text) }
        case let .datasetLoaded(d):
            dataset.setDataset(d)
            console.classNames = d.labels
        case let .modelChanged(m):
            model.setModel(m)
            if !console.text.isEmpty { return predict(console.text) }
        case let .misclassified(m):
            dataset.setMisclassified(m)
        case let .sessionLoaded(s):
            return load(s)
        case .stateChanged, .checkpointSaved, .warning, .message, .serving:
            break
        }
        return []
    }

    mutating func apply(_ r: ServiceReply) -> [Effect] {
        switch r {
        case let .snapshot(s):
            return load(s)
        case let .command(call, result):
            switch result {
            case let .done(message):
                if let message { status.show(message) } else if let d = Self.doneText(call) { status.show(d) }
                // The list again, without the session deleted.
                if case .deleteSession = call, overlay == nil { return global(.openSession) }
                switch call {
                case let .renameRun(id, name): chart.renameRun(id, to: name)
                case let .deleteRun(id): chart.removeRun(id)
                default: break
                }
                if case let .useInConsole(run) = call {
                    console.runLabel = run == nil ? nil : message.map { $0.hasPrefix("console: ") ? String($0.dropFirst(9)) : $0 }
                    if !console.text.isEmpty { return predict(console.text) }
                }
            case let .refused(reason):
                status.show(reason, warning: true)
            }
        case let .sessions(list):
            if case let .picker(p)? = overlay, p.purpose == .openSession {
                let items = list.map { PickerItem(value: $0.name, detail: $0.name == status.sessionName ? "(open) " + $0.detail : $0.detail) }
                overlay = .picker(Picker(purpose: .openSession, title: p.title, items: items,
                                         selection: list.firstIndex { $0.name == status.sessionName } ?? 0,
                                         emptyText: "no saved sessions: N starts one"))
            }
        case let .leaderboard(entries):
            if case let .picker(p)? = overlay, p.purpose == .run {
                overlay = .picker(Picker(purpose: .run, title: p.title, items: entries.map(\.pickerItem),
                                         selection: entries.firstIndex { $0.isInConsole } ?? 0,
                                         emptyText: "no runs yet: press t to train"))
            }
        case let .metrics(result):
            if case var .metrics(view)? = overlay {
                switch result {
                case let .ready(s): view.snapshot = s
                case let .refused(reason): view.message = reason
                }
                overlay = .metrics(view)
            }
        case let .session(result):
            switch result {
            case let .loaded(s):
                // A session made from the data flow: the flow is done.
                if case .openData? = overlay { overlay = nil }
                return load(s)
            case let .refused(reason):
                status.show(reason, warning: true)
                if case var .openData(flow)? = overlay {
                    flow.refused(reason)
                    overlay = .openData(flow)
                }
            }
        case let .edit(edit, result):
            switch result {
            case let .applied(m):
                model.applied(edit, model: m)
                status.show("model: \(describe(edit))")
                let next = route(model.resumeWaiting())
                if !console.text.isEmpty { return next + predict(console.text) }
                return next
            case let .refused(reason):
                model.refused(edit)
                status.show("refused: \(reason)", warning: true)
                return route(model.resumeWaiting())
            }
        case let .theme(name, result):
            switch result {
            case let .applied(theme):
                themeName = name
                themeOnScreen = name
                status.show("theme \(name)")
                return [.applyTheme(theme)]
            case let .refused(reason):
                status.show(reason, warning: true)
            }
        case .directory, .dataPreview:
            return applyData(r)
        case let .prediction(id, _, snapshot):
            // Latest wins: anything older than what is shown is dropped.
            guard id > shownPredictionID else { return [] }
            if let snapshot {
                shownPredictionID = id
                console.show(snapshot)
            }
        }
        return []
    }

    /// The name the service gives a layer type (its type name if it gave none).
    public func displayName(_ kind: LayerKind) -> String {
        layerTypes.first { $0.kind == kind }?.displayName ?? kind.rawValue
    }

    /// An edit in words, with layer types by the names the service gives them.
    func describe(_ edit: ModelEdit) -> String {
        if case let .addLayer(kind, at) = edit { return "add \(displayName(kind)) at \(at)" }
        return edit.description
    }

    static func doneText(_ call: ServiceCall) -> String? {
        switch call {
        case .startTraining: return "training started"
        case let .trainEpochs(n): return "training \(n) epoch\(n == 1 ? "" : "s")"
        case .pauseTraining: return "paused"
        case .resumeTraining: return "resumed"
        case .stepTraining: return "one batch trained"
        case .stopTraining: return "stopped"
        case .save: return "saved"
        case .useInConsole: return "console: the current run"
        case let .deleteSession(name): return "deleted session \(name)"
        default: return nil
        }
    }
}
