import Charts

/// How the workbench was being looked at, kept with the session so that reopening it brings
/// the view back: chart settings, the console line and its history, the focused pane. Values
/// are stored by name; a name this version does not know (or a missing field) reads as the
/// default, so an older or newer file never stops a session from opening.
public struct WorkbenchViewState: Codable, Hashable, Sendable {
    public var smoothing: Double
    public var logScale: Bool
    /// braille, block, half or ascii.
    public var drawingMode: String
    /// step, relative or wall.
    public var xAxis: String
    /// both, loss or accuracy.
    public var charts: String
    /// batch or epoch.
    public var per: String
    public var consoleText: String
    /// Lines kept in the console, oldest first.
    public var consoleHistory: [String]
    /// dataset, model, chart or console.
    public var focus: String

    /// The most console lines kept (as the console's own history keeps).
    public static let historyLimit = 200

    public init(smoothing: Double = 0.6, logScale: Bool = false, drawingMode: String = "braille", xAxis: String = "step",
                charts: String = "both", per: String = "batch", consoleText: String = "", consoleHistory: [String] = [],
                focus: String = "dataset") {
        self.smoothing = smoothing
        self.logScale = logScale
        self.drawingMode = drawingMode
        self.xAxis = xAxis
        self.charts = charts
        self.per = per
        self.consoleText = consoleText
        self.consoleHistory = Array(consoleHistory.suffix(Self.historyLimit))
        self.focus = focus
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = WorkbenchViewState()
        smoothing = (try? c.decodeIfPresent(Double.self, forKey: .smoothing)) ?? nil ?? d.smoothing
        logScale = (try? c.decodeIfPresent(Bool.self, forKey: .logScale)) ?? nil ?? d.logScale
        drawingMode = (try? c.decodeIfPresent(String.self, forKey: .drawingMode)) ?? nil ?? d.drawingMode
        xAxis = (try? c.decodeIfPresent(String.self, forKey: .xAxis)) ?? nil ?? d.xAxis
        charts = (try? c.decodeIfPresent(String.self, forKey: .charts)) ?? nil ?? d.charts
        per = (try? c.decodeIfPresent(String.self, forKey: .per)) ?? nil ?? d.per
        consoleText = (try? c.decodeIfPresent(String.self, forKey: .consoleText)) ?? nil ?? d.consoleText
        consoleHistory = Array(((try? c.decodeIfPresent([String].self, forKey: .consoleHistory)) ?? nil ?? []).suffix(Self.historyLimit))
        focus = (try? c.decodeIfPresent(String.self, forKey: .focus)) ?? nil ?? d.focus
    }

    static let modes: [String: ChartMode] = ["braille": .braille, "block": .block, "half": .halfBlock, "ascii": .ascii]

    static func name(of mode: ChartMode) -> String {
        switch mode {
        case .braille: return "braille"
        case .block: return "block"
        case .halfBlock: return "half"
        case .ascii: return "ascii"
        }
    }
}

extension WorkbenchState {
    /// The view as it is now.
    public var viewState: WorkbenchViewState {
        WorkbenchViewState(smoothing: chart.smoothing, logScale: chart.logScale, drawingMode: WorkbenchViewState.name(of: chart.mode),
                           xAxis: chart.xAxis.rawValue, charts: chart.metricView.rawValue, per: chart.granularity.rawValue,
                           consoleText: console.text, consoleHistory: console.editor.history,
                           focus: focus.title.lowercased())
    }

    /// Puts the view back as `v` describes it (names it does not know leave that part as it is).
    mutating func apply(view v: WorkbenchViewState) {
        chart.setSmoothing(v.smoothing)
        chart.logScale = v.logScale
        if let m = WorkbenchViewState.modes[v.drawingMode] { chart.mode = m }
        if let x = XAxisMode(rawValue: v.xAxis) { chart.setXAxis(x) }
        if let c = ChartMetricView(rawValue: v.charts) { chart.metricView = c }
        if let g = ChartGranularity(rawValue: v.per) { chart.granularity = g }
        console.restore(text: v.consoleText, history: v.consoleHistory)
        if let k = PaneKind.allCases.first(where: { $0.title.lowercased() == v.focus }) {
            focus = k
            if k == .console { focusBeforeConsole = .dataset }
        }
    }

    /// Seconds the view must stay unchanged before it is saved.
    public static let viewSaveDelay = 2.0

    /// The view is saved once it has stayed the same for `viewSaveDelay` seconds of the loop's
    /// clock (`now`, from `.tick`/`.frame`): a burst of keys makes one write.
    mutating func saveViewIfSettled(now: Double) -> [Effect] {
        guard isLoaded else { return [] }
        let v = viewState
        guard v != savedView else {
            viewChange = nil
            return []
        }
        guard let change = viewChange, change.view == v else {
            viewChange = (v, now)
            return []
        }
        guard now - change.at >= Self.viewSaveDelay else { return [] }
        savedView = v
        viewChange = nil
        return [.saveView(v)]
    }

    /// The view differs from the one last saved (the loop keeps ticking until it is saved).
    public var viewIsUnsaved: Bool { isLoaded && viewState != savedView }

    /// Saves the view now if it changed (before quitting or switching sessions).
    mutating func saveViewNow() -> [Effect] {
        guard viewIsUnsaved else { return [] }
        savedView = viewState
        viewChange = nil
        return [.saveView(savedView ?? viewState)]
    }
}
