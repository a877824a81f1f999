/// Everything the UI shows about a session, at start-up and after opening one.
public struct WorkbenchSnapshot: Hashable, Sendable {
    public var sessionName: String
    public var state: TrainingState
    public var dataset: DatasetSnapshot?
    public var model: ModelSnapshot?
    public var charts: ChartSnapshot
    public var misclassified: MisclassifiedExamples?
    /// What the preset picker offers.
    public var presets: [PresetInfo]
    /// Themes `T` cycles through, in order, and the one in use.
    public var themeNames: [String]
    public var themeName: String?
    /// The layer types the model pane can add, with their names.
    public var layerTypes: [LayerType]
    /// How the session was last looked at; nil for a new session (the default view).
    public var view: WorkbenchViewState?

    public init(sessionName: String, state: TrainingState = .idle, dataset: DatasetSnapshot? = nil,
                model: ModelSnapshot? = nil, charts: ChartSnapshot = ChartSnapshot(),
                misclassified: MisclassifiedExamples? = nil, presets: [PresetInfo] = [],
                themeNames: [String] = [], themeName: String? = nil, layerTypes: [LayerType] = [],
                view: WorkbenchViewState? = nil) {
        self.sessionName = sessionName
        self.state = state
        self.dataset = dataset
        self.model = model
        self.charts = charts
        self.misclassified = misclassified
        self.presets = presets
        self.themeNames = themeNames
        self.themeName = themeName
        self.layerTypes = layerTypes
        self.view = view
    }
}

/// One saved session, as the open-session picker lists it.
public struct SessionSummary: Hashable, Sendable {
    public var name: String
    /// A short description ("LSTM(64) · 3 runs · saved 10:42"), or "".
    public var detail: String

    public init(name: String, detail: String = "") {
        self.name = name
        self.detail = detail
    }
}
