/// Everything a key can do in the workbench. Raw values are the names used in key-map files.
public enum KeyAction: String, CaseIterable, Hashable, Sendable, Codable {
    // Focus and views
    case focusNext = "focus_next"
    case focusPrevious = "focus_prev"
    case focusDataset = "focus_dataset"
    case focusModel = "focus_model"
    case focusChart = "focus_chart"
    case focusConsole = "focus_console"
    case zoom
    case help
    case commandLine = "command_line"
    case nextTheme = "next_theme"
    case quit
    /// Ctrl-C: quit, after asking.
    case quitConfirm = "quit_confirm"

    // Training and sessions
    case train
    case pauseResume = "pause_resume"
    case step
    case stop
    case save
    case openSession = "open_session"
    case leaderboard
    case metrics
    case newSession = "new_session"
    case openData = "open_data"

    // Navigation
    case up, down, left, right
    case top, bottom
    case pageUp = "page_up"
    case pageDown = "page_down"
    case search
    case escape
    case enter

    // Dataset pane
    case filterLabel = "filter_label"
    case filterMisclassified = "filter_misclassified"
    case searchNext = "search_next"
    case searchPrevious = "search_prev"

    // Model pane
    case addLayer = "add_layer"
    case deleteLayer = "delete_layer"
    case moveLayerUp = "move_layer_up"
    case moveLayerDown = "move_layer_down"
    case editLayer = "edit_layer"
    case pickPreset = "pick_preset"
    case undo
    case redo
    case trainingSettings = "training_settings"

    // Chart pane
    case smoothingUp = "smoothing_up"
    case smoothingDown = "smoothing_down"
    case logScale = "log_scale"
    case xAxisMode = "x_axis_mode"
    case renderMode = "render_mode"
    case resetZoom = "reset_zoom"
    case followLive = "follow_live"
    case zoomIn = "zoom_in"
    case zoomOut = "zoom_out"
    case panLeft = "pan_left"
    case panRight = "pan_right"
    case toggleRun = "toggle_run"
    case chartMetric = "chart_metric"
    case chartGranularity = "chart_granularity"
}

/// Where keys are pressed: the focused pane or an input mode. Bindings apply globally or to
/// one context.
public enum KeyContext: String, CaseIterable, Hashable, Sendable {
    case dataset, model, chart, console
    /// The ":" command line.
    case commandLine = "command_line"
    /// The help overlay.
    case help

    /// Contexts where typing enters text: printable characters go to the line editor, so
    /// global bindings on plain characters do not fire there.
    public var isTextEntry: Bool { self == .console || self == .commandLine }
}

/// Sections of the help overlay, in display order.
public enum KeyGroup: String, CaseIterable, Hashable, Sendable {
    case general = "General"
    case training = "Training and sessions"
    case navigation = "Navigation"
    case dataset = "Dataset pane"
    case model = "Model pane"
    case chart = "Chart pane"
}

/// One row of the key table: an action, its keys, where it applies, and its texts.
public struct KeyBinding: Hashable, Sendable {
    public var action: KeyAction
    public var keys: [Key]
    /// nil: everywhere; otherwise only in that context.
    public var context: KeyContext?
    public var group: KeyGroup
    /// The status-bar label; nil keeps the binding out of the status bar.
    public var hint: String?
    /// The help-overlay description.
    public var help: String

    public init(_ action: KeyAction, _ keys: [Key], context: KeyContext? = nil, group: KeyGroup,
                hint: String? = nil, help: String) {
        self.action = action
        self.keys = keys
        self.context = context
        self.group = group
        self.hint = hint
        self.help = help
    }

    /// Whether the binding can fire in `context`.
    public func applies(in context: KeyContext) -> Bool {
        self.context == nil || self.context == context
    }
}

/// A status-bar hint: the key's label and what it does.
public struct KeyHint: Hashable, Sendable {
    public var key: String
    public var label: String
    public init(key: String, label: String) {
        self.key = key
        self.label = label
    }
}
