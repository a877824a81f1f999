import Charts
import TerminalUI

/// The `:` command line: every action by name, plus commands that take a value
/// (`:theme light`, `:smoothing 0.8`, `:preset lstm`, `:units 32`).
enum Commands {
    struct Info {
        let name: String
        let usage: String
        let help: String
    }

    /// What `:zoo` trains without arguments: every learner with its defaults, and fastText
    /// with the settings that suit small sets (as `workbench compare` does).
    static let zoo = ["logreg", "svm", "nb", "tree", "forest", "fasttext", "fasttext:epochs=25:ngrams=2"]
    /// What `:export` writes (as `workbench export --format`).
    static let exportFormats = ["onnx", "keras", "safetensors"]

    static let table: [Info] = [
        Info(name: "train", usage: "[epochs]", help: "start training (with a number: exactly that many epochs, or that many more)"),
        Info(name: "pause", usage: "", help: "pause training"),
        Info(name: "resume", usage: "", help: "resume training"),
        Info(name: "step", usage: "", help: "train one batch"),
        Info(name: "stop", usage: "", help: "stop training, keeping the weights"),
        Info(name: "save", usage: "", help: "save the session"),
        Info(name: "open", usage: "[name]", help: "open a session (no name: choose from a list)"),
        Info(name: "new", usage: "[name]", help: "start a new session"),
        Info(name: "open-data", usage: "[path]", help: "a new session from a data file: CSV, TSV, JSONL, label<TAB>text (no path: choose)"),
        Info(name: "theme", usage: "[name]", help: "switch theme (no name: the next one)"),
        Info(name: "themes", usage: "", help: "choose a theme from a list"),
        Info(name: "preset", usage: "[name]", help: "replace the model with a preset or a learner: lstm, svm, fasttext:ngrams=2… (no name: choose)"),
        Info(name: "runs", usage: "", help: "the leaderboard: the session's runs, best first"),
        Info(name: "metrics", usage: "", help: "per-class precision, recall, F1 and the confusion matrix of the console's run on the validation data"),
        Info(name: "zoo", usage: "[model …]", help: "train every learner (or those named) as runs of their own, then see :runs"),
        Info(name: "optimizer", usage: "<sgd|adam|adamw|rmsprop>[:key=value…]", help: "set the optimiser, keeping the learning rate: sgd:momentum=0.9:nesterov, adamw:weight_decay=0.004, rmsprop:rho=0.9:centered"),
        Info(name: "lr", usage: "<rate>", help: "set the learning rate (the run goes on with it from the next batch)"),
        Info(name: "epochs", usage: "<n>", help: "set the epochs planned for the run"),
        Info(name: "batch", usage: "<n>", help: "set the batch size (from the next epoch)"),
        Info(name: "schedule", usage: "<schedule|constant>", help: "set the learning-rate schedule from the current rate: exponential:decay_steps=N:decay_rate=F, piecewise:…, cosine:…"),
        Info(name: "classweight", usage: "<balanced|label=w,…|off>", help: "weigh each class's loss (Keras's class_weight)"),
        Info(name: "earlystop", usage: "<settings|off>", help: "EarlyStopping: monitor=val_loss,patience=3,min_delta=0,restore_best"),
        Info(name: "plateau", usage: "<settings|off>", help: "ReduceLROnPlateau: monitor=val_loss,factor=0.5,patience=2,min_lr=1e-6"),
        Info(name: "checkpoint", usage: "<best|last>", help: "which epoch's weights are the model (best: by the early-stopping monitor, else val_loss)"),
        Info(name: "rename-run", usage: "<run> [name]", help: "name a run (no name: back to its number)"),
        Info(name: "delete-run", usage: "<run>", help: "delete a run and its kept files (asks first)"),
        Info(name: "use", usage: "[run|current]", help: "answer the console with a run's model (no run: choose from the leaderboard)"),
        Info(name: "export", usage: "<onnx|keras|safetensors> [folder]", help: "export the console's run with its tokenizer, labels and a README (no folder: a new one in the current directory)"),
        Info(name: "add", usage: "[type]", help: "add a layer below the selected one (lstm, dense, dropout…)"),
        Info(name: "delete", usage: "", help: "delete the selected layer"),
        Info(name: "undo", usage: "", help: "undo the last model edit (u in the model pane)"),
        Info(name: "redo", usage: "", help: "redo the model edit undone (Ctrl-R in the model pane)"),
        Info(name: "units", usage: "<n>", help: "set units (filters, dim) of the selected layer"),
        Info(name: "rate", usage: "<r>", help: "set the dropout rate of the selected layer"),
        Info(name: "kernel", usage: "<n>", help: "set the kernel size of the selected layer"),
        Info(name: "activation", usage: "<name>", help: "set the activation of the selected layer"),
        Info(name: "pool", usage: "<n>", help: "set the pool size of the selected pooling layer"),
        Info(name: "merge", usage: "<concat|sum|ave|mul>", help: "set how the selected Bidirectional merges its directions"),
        Info(name: "wraps", usage: "<lstm|gru|simple_rnn>", help: "set the recurrent layer the selected Bidirectional wraps"),
        Info(name: "embeddings", usage: "<file> [freeze] | off", help: "start the Embedding from pretrained vectors (fastText .vec or GloVe .txt); freeze keeps them fixed"),
        Info(name: "smoothing", usage: "<0–0.99>", help: "chart smoothing weight"),
        Info(name: "log", usage: "[on|off]", help: "logarithmic y axis"),
        Info(name: "xaxis", usage: "[step|relative|wall]", help: "what the x axis measures"),
        Info(name: "render", usage: "[braille|block|half|ascii]", help: "how charts are drawn"),
        Info(name: "chart", usage: "[both|loss|accuracy]", help: "which charts to show"),
        Info(name: "per", usage: "[batch|epoch]", help: "plot per batch or per epoch"),
        Info(name: "follow", usage: "[on|off]", help: "follow the newest points or freeze the view"),
        Info(name: "reset", usage: "", help: "reset chart zoom and pan"),
        Info(name: "filter", usage: "[label|all]", help: "show one label's examples (no label: the next)"),
        Info(name: "wrong", usage: "", help: "show only misclassified examples, or all again"),
        Info(name: "search", usage: "<text>", help: "find examples containing text"),
        Info(name: "classify", usage: "<text>", help: "classify text in the console"),
        Info(name: "serve", usage: "[port|stop]", help: "serve the console's model over HTTP while the workbench is open (as workbench serve; default port 8080)"),
        Info(name: "focus", usage: "<dataset|model|chart|console>", help: "focus a pane"),
        Info(name: "zoom", usage: "", help: "zoom the focused pane"),
        Info(name: "help", usage: "", help: "show the keys and commands"),
        Info(name: "quit", usage: "", help: "quit (asks while training); quit! does not ask"),
    ]

    /// Every name the line accepts: the commands, then the key actions.
    static var names: [String] {
        table.map(\.name) + ["quit!"] + KeyAction.allCases.map(\.rawValue).filter { n in !table.contains { $0.name == n } }
    }

    /// What Tab did: the line completed as far as every candidate agrees, and the candidates
    /// (empty when none matched; one when it completed).
    struct Completion: Hashable {
        var text: String
        var candidates: [String]
    }

    /// The words a command's argument can be, from its usage ("[both|loss|accuracy]" or
    /// "<on|off>"); the state adds what it knows (presets, themes, layer types).
    static func argumentWords(_ command: String) -> [String] {
        guard let usage = table.first(where: { $0.name == command })?.usage,
              let open = usage.first, open == "[" || open == "<" else { return [] }
        let inside = usage.dropFirst().prefix { $0 != "]" && $0 != ">" }
        let words = inside.split(separator: "|").map(String.init)
        // "<n>", "<rate>" name a value, not words to choose from.
        return words.count > 1 ? words : []
    }

    /// Tab completion: of the command name, or of its argument when `arguments` names the
    /// words it can be. Completes the longest common prefix of the candidates; a unique one
    /// completes with a space after it.
    static func complete(_ text: String, arguments: (String) -> [String] = argumentWords) -> Completion {
        if let space = text.firstIndex(of: " ") {
            let command = String(text[..<space]).lowercased()
            let typed = String(text[text.index(after: space)...])
            guard !typed.contains(" ") else { return Completion(text: text, candidates: []) }
            let head = String(text[...space])
            let c = completeWord(typed, among: arguments(command))
            return Completion(text: head + c.text, candidates: c.candidates)
        }
        return completeWord(text.lowercased(), among: names, keepCase: text)
    }

    private static func completeWord(_ typed: String, among words: [String], keepCase: String? = nil) -> Completion {
        let lower = typed.lowercased()
        var candidates: [String] = []
        for w in words where w.lowercased().hasPrefix(lower) && !candidates.contains(w) { candidates.append(w) }
        let original = keepCase ?? typed
        guard let first = candidates.first else { return Completion(text: original, candidates: []) }
        if candidates.count == 1 { return Completion(text: first + " ", candidates: candidates) }
        var prefix = first
        for c in candidates.dropFirst() {
            while !c.lowercased().hasPrefix(prefix.lowercased()) { prefix.removeLast() }
        }
        return Completion(text: prefix.count > original.count ? prefix : original, candidates: candidates)
    }

    static func helpLines() -> [String] {
        let column = table.map { TextWidth.of(":" + $0.name + ($0.usage.isEmpty ? "" : " " + $0.usage)) }.max() ?? 0
        var lines = ["Commands (press :, Tab completes)"]
        for c in table {
            let left = ":" + c.name + (c.usage.isEmpty ? "" : " " + c.usage)
            lines.append("  " + TextWidth.padded(left, to: column) + "  " + c.help)
        }
        lines.append("  " + TextWidth.padded(":<action>", to: column) + "  any action of the key list by name (:focus_next, :zoom_in…)")
        return lines
    }

    /// "on"/"off" (and yes/no, true/false, 1/0); nil for anything else.
    static func flag(_ s: String) -> Bool? {
        switch s.lowercased() {
        case "on", "yes", "true", "1": return true
        case "off", "no", "false", "0": return false
        default: return nil
        }
    }
}

extension WorkbenchState {
    /// Runs one command line.
    mutating func runCommand(_ line: String) -> [Effect] {
        let trimmed = line.trimmingSpaces()
        guard !trimmed.isEmpty else { return [] }
        let name: String
        let argument: String
        if let space = trimmed.firstIndex(where: { $0.isWhitespace }) {
            name = String(trimmed[..<space]).lowercased()
            argument = String(trimmed[space...]).trimmingSpaces()
        } else {
            name = trimmed.lowercased()
            argument = ""
        }
        func warn(_ text: String) -> [Effect] {
            status.show(text, warning: true)
            return []
        }
        func needs(_ what: String) -> [Effect] { warn(":\(name) needs \(what)") }
        func pane(_ kind: PaneKind, _ r: PaneResponse) -> [Effect] { route(r.requests) }
        func setting(_ kind: LayerSettingKind) -> [Effect] {
            guard !argument.isEmpty else { return needs("a value") }
            switch model.edit(setting: kind, value: argument) {
            case let .success(edit): return route(model.send(edit).requests)
            case let .failure(e): return warn(e.description)
            }
        }

        switch name {
        case "train":
            if argument.isEmpty { return startTraining() }
            guard let n = Int(argument), n >= 1 else { return warn(":train takes a whole number of epochs ≥ 1, e.g. :train 3") }
            return startTraining(epochs: n)
        case "pause": return [.call(.pauseTraining)]
        case "resume": return [.call(.resumeTraining)]
        case "step": return [.call(.stepTraining)]
        case "stop": return stopTraining()
        case "save": return [.call(.save)]
        case "open":
            if argument.isEmpty { return global(.openSession) }
            return saveViewNow() + [.call(.openSession(argument))]
        case "new":
            if argument.isEmpty { return global(.newSession) }
            return saveViewNow() + [.call(.newSession(argument))]
        case "open-data", "open_data", "data":
            return openData(argument.isEmpty ? nil : argument)
        case "theme":
            if argument.isEmpty { return nextTheme() }
            return [.call(.setTheme(argument))]
        case "themes":
            openPicker(.theme)
            return []
        case "runs", "leaderboard":
            return openLeaderboard()
        case "metrics":
            return openMetrics()
        case "use":
            if argument.isEmpty { return openLeaderboard() }
            if argument == "current" { return [.call(.useInConsole(nil))] }
            return [.call(.useInConsole(argument.hasPrefix("run") ? String(argument.dropFirst(3)).trimmingSpaces() : argument))]
        case "export":
            let words = argument.split(separator: " ", maxSplits: 1).map { String($0).trimmingSpaces() }
            guard let format = words.first, Commands.exportFormats.contains(format) else {
                return warn(":export needs a format: \(Commands.exportFormats.joined(separator: ", ")) (then a folder, or none for a new one)")
            }
            return [.call(.export(format: format, folder: words.count > 1 && !words[1].isEmpty ? words[1] : nil))]
        case "rename-run", "delete-run":
            // "2 baseline", "run 2 baseline".
            var words = argument.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if words.first?.lowercased() == "run" { words.removeFirst() }
            guard let id = words.first, Int(id) != nil else {
                return warn(name == "rename-run" ? ":rename-run needs a run number and a name, e.g. :rename-run 2 baseline"
                                                 : ":delete-run needs a run number, e.g. :delete-run 2")
            }
            if name == "rename-run" { return [.call(.renameRun(id, name: words.dropFirst().joined(separator: " ")))] }
            guard chart.charts.runs.contains(where: { $0.id == id }) else { return warn("there is no run \(id)") }
            overlay = .confirm(.deleteRun(id), message: "Delete run \(id) and its kept files? This cannot be undone.")
            return []
        case "lr", "epochs", "batch":
            let change: TrainingSettingsChange
            switch name {
            case "lr":
                guard let v = Double(argument), v.isFinite, v > 0 else { return warn(":lr needs a positive number, e.g. :lr 0.001") }
                change = .learningRate(v)
            case "epochs":
                guard let v = Int(argument), v >= 1 else { return warn(":epochs needs a whole number ≥ 1") }
                change = .epochs(v)
            default:
                guard let v = Int(argument), v >= 1 else { return warn(":batch needs a whole number ≥ 1") }
                change = .batchSize(v)
            }
            return [.call(.changeSettings(change))]
        case "schedule", "classweight", "earlystop", "plateau", "checkpoint", "optimizer":
            // Parsed by the service, as the command line's flags are (errors name the field).
            guard !argument.isEmpty else {
                return warn([
                    "schedule": ":schedule needs a schedule, e.g. :schedule exponential:decay_steps=100:decay_rate=0.9 (or constant)",
                    "classweight": ":classweight needs balanced, label=weight,… or off",
                    "earlystop": ":earlystop needs settings, e.g. :earlystop monitor=val_loss,patience=3,restore_best (or off)",
                    "plateau": ":plateau needs settings, e.g. :plateau factor=0.5,patience=2 (or off)",
                    "checkpoint": ":checkpoint needs best or last",
                    "optimizer": ":optimizer needs sgd, adam, adamw or rmsprop, e.g. :optimizer sgd:momentum=0.9",
                ][name] ?? "")
            }
            let change: TrainingSettingsChange = switch name {
            case "schedule": .schedule(argument)
            case "classweight": .classWeight(argument)
            case "earlystop": .earlyStopping(argument)
            case "plateau": .reduceLROnPlateau(argument)
            case "optimizer": .optimizer(argument)
            default: .checkpoint(argument)
            }
            return [.call(.changeSettings(change))]
        case "serve":
            if argument.isEmpty { return [.call(.serve(port: nil))] }
            if argument == "stop" { return [.call(.stopServing)] }
            guard let port = Int(argument), (0...65535).contains(port) else { return warn(":serve takes a port (0 to 65535; 0: any free one) or stop") }
            return [.call(.serve(port: port))]
        case "zoo":
            let named = argument.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            return [.call(.trainLearners(named.isEmpty ? Commands.zoo : named))]
        case "preset":
            if argument.isEmpty {
                openPicker(.preset)
                return []
            }
            return route(model.send(.applyPreset(argument)).requests)
        case "add":
            let at = (model.model?.layers.isEmpty ?? true) ? 0 : model.selection + 1
            if argument.isEmpty {
                openPicker(.addLayer(at: at))
                return []
            }
            guard let kind = LayerKind(name: argument) else {
                return warn("unknown layer type \"\(argument)\" (try: \(layerTypes.map(\.kind.rawValue).joined(separator: ", ")))")
            }
            return route(model.send(.addLayer(kind, at: at)).requests)
        case "delete": return pane(.model, model.handle(.deleteLayer, key: .character("d")))
        case "embeddings":
            // The Embedding is the first layer; its vectors are a model change (a new run).
            guard !argument.isEmpty else { return needs("a word-vector file (.vec or .txt), optionally followed by freeze; or off") }
            let freeze = argument.hasSuffix(" freeze")
            let file = freeze ? String(argument.dropLast(" freeze".count)).trimmingSpaces() : argument
            if file == "off" { return route(model.send(.setVectors(layer: 0, file: nil, trainable: true)).requests) }
            return route(model.send(.setVectors(layer: 0, file: file, trainable: !freeze)).requests)
        case "units": return setting(.units)
        case "rate": return setting(.rate)
        case "kernel": return setting(.kernelSize)
        case "activation": return setting(.activation)
        case "pool": return setting(.poolSize)
        case "merge": return setting(.mergeMode)
        case "wraps": return setting(.wrappedLayer)
        case "smoothing":
            guard let v = Double(argument), v.isFinite else { return needs("a number from 0 to 0.99") }
            chart.setSmoothing(v)
            status.show("smoothing \(Fmt.fixed(chart.smoothing, 2))")
        case "log":
            if argument.isEmpty { chart.logScale.toggle() } else if let f = Commands.flag(argument) { chart.logScale = f } else { return needs("on or off") }
        case "xaxis":
            if argument.isEmpty { chart.setXAxis(chart.xAxis.cycled) } else if let m = XAxisMode(rawValue: argument.lowercased()) { chart.setXAxis(m) } else { return needs("step, relative or wall") }
        case "render":
            let modes: [String: ChartMode] = ["braille": .braille, "block": .block, "half": .halfBlock,
                                                  "halfblock": .halfBlock, "ascii": .ascii]
            if argument.isEmpty { chart.mode = chart.mode.cycled } else if let m = modes[argument.lowercased()] { chart.mode = m } else { return needs("braille, block, half or ascii") }
        case "chart":
            if argument.isEmpty { chart.metricView = chart.metricView.cycled } else if let v = ChartMetricView(rawValue: argument.lowercased()) { chart.metricView = v } else { return needs("both, loss or accuracy") }
        case "per":
            if argument.isEmpty { chart.granularity = chart.granularity.cycled } else if let g = ChartGranularity(rawValue: argument.lowercased()) { chart.granularity = g } else { return needs("batch or epoch") }
        case "follow":
            if argument.isEmpty { chart.setFollow(!chart.follow) } else if let f = Commands.flag(argument) { chart.setFollow(f) } else { return needs("on or off") }
        case "reset": return pane(.chart, chart.handle(.resetZoom, key: .character("r")))
        case "filter":
            if argument.isEmpty { return pane(.dataset, dataset.handle(.filterLabel, key: .character("f"))) }
            return pane(.dataset, dataset.setLabelFilter(argument))
        case "wrong", "misclassified": return pane(.dataset, dataset.handle(.filterMisclassified, key: .character("m")))
        case "search":
            setFocus(.dataset)
            return pane(.dataset, dataset.search(argument))
        case "classify":
            return route([.sendToConsole(argument)])
        case "focus":
            guard let k = PaneKind.allCases.first(where: { $0.title.lowercased() == argument.lowercased() })
                ?? Int(argument).flatMap({ PaneKind(rawValue: $0 - 1) }) else {
                return needs("dataset, model, chart or console")
            }
            setFocus(k)
        case "zoom": zoomed.toggle()
        case "help": overlay = .help(scroll: 0)
        case "quit", "q": return requestQuit(ask: status.state.isActive)
        case "quit!", "q!": return requestQuit(ask: false)
        default:
            guard let action = KeyAction(rawValue: name.replacingDashes()) else {
                return warn("unknown command :\(name) (:help lists them)")
            }
            return perform(action)
        }
        return []
    }

    /// Does what the action's key would do: pane actions go to the pane they belong to.
    mutating func perform(_ action: KeyAction) -> [Effect] {
        let key = keyMap.keys(for: action).first ?? .enter
        if let context = keyMap.binding(for: action)?.context, let kind = PaneKind(context: context) {
            let r = handle(kind, action, key: key)
            return route(r.requests)
        }
        if [.up, .down, .left, .right, .top, .bottom, .pageUp, .pageDown, .search, .enter, .escape].contains(action) {
            let r = handle(focus, action, key: key)
            if r.consumed { return route(r.requests) }
        }
        return global(action)
    }
}

extension String {
    func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}
