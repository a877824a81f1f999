/// How plot dots become characters.
public enum ChartMode: Sendable, Hashable, CaseIterable {
    /// Braille patterns (U+2800 block): 2×4 dots per cell.
    case braille
    /// Quadrant block elements (▘▝▖▗▀▄▌▐▚▞▛▜▙▟█): 2×2 dots per cell.
    case block
    /// Half blocks (▀▄█): 1×2 dots per cell, for fonts without quadrant glyphs.
    case halfBlock
    /// Plain ASCII: one dot per cell, `*` (faint `.`); axes drawn with `|`, `-`, `+`.
    case ascii

    /// Dots per cell, horizontally and vertically.
    public var dotsPerCell: (x: Int, y: Int) {
        switch self {
        case .braille: (2, 4)
        case .block: (2, 2)
        case .halfBlock: (1, 2)
        case .ascii: (1, 1)
        }
    }
}

/// How x tick labels are written. The caller passes x values in the matching unit.
public enum AxisFormat: Sendable, Hashable {
    /// Plain numbers (steps): 0, 500, 1k, 2.5k, 1M.
    case number
    /// x is relative seconds: 45s, 1m30s, 2h, 1d4h.
    case duration
    /// x is wall-clock seconds since the Unix epoch: HH:MM (HH:MM:SS for sub-minute ticks),
    /// shifted by `ChartOptions.utcOffset`.
    case clock
}

/// Everything about a chart except its data and size.
public struct ChartOptions: Sendable {
    /// Centred on the first row; empty for none.
    public var title: String
    public var mode: ChartMode
    /// TensorBoard's smoothing slider, 0...0.99 (values outside are clamped; NaN means 0).
    /// Above 0 each series is drawn twice: the raw values faintly, the debiased exponential
    /// moving average solid on top.
    public var smoothing: Double
    /// With smoothing on, also draw the raw values (faint). Off: only the smoothed line.
    public var showRawWhenSmoothing: Bool
    /// Logarithmic y axis; values ≤ 0 are skipped.
    public var logScaleY: Bool
    /// Format of the x tick labels.
    public var xFormat: AxisFormat
    /// Seconds east of UTC for `.clock` labels (e.g. the local zone's offset).
    public var utcOffset: Int
    /// Visible x range (zoom/pan); nil (or non-finite) bounds fit the data.
    public var xMin: Double?
    public var xMax: Double?
    /// Fixed y bounds; nil bounds fit the visible data plus `yPadding`.
    public var yMin: Double?
    public var yMax: Double?
    /// Fraction of the y span added on each automatic side (on a log scale, of the decades).
    public var yPadding: Double
    public var showLegend: Bool

    public init(title: String = "", mode: ChartMode = .braille, smoothing: Double = 0,
                showRawWhenSmoothing: Bool = true, logScaleY: Bool = false,
                xFormat: AxisFormat = .number, utcOffset: Int = 0,
                xMin: Double? = nil, xMax: Double? = nil, yMin: Double? = nil, yMax: Double? = nil,
                yPadding: Double = 0.05, showLegend: Bool = true) {
        self.title = title
        self.mode = mode
        self.smoothing = smoothing
        self.showRawWhenSmoothing = showRawWhenSmoothing
        self.logScaleY = logScaleY
        self.xFormat = xFormat
        self.utcOffset = utcOffset
        self.xMin = xMin
        self.xMax = xMax
        self.yMin = yMin
        self.yMax = yMax
        self.yPadding = yPadding
        self.showLegend = showLegend
    }
}
