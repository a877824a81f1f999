/// What a piece of the screen is, for colouring. Panes draw with roles; the theme decides
/// colours. Raw values are the keys of theme files.
public enum ThemeRole: String, CaseIterable, Hashable, Sendable, Codable {
    /// The screen colour: its background is the background of every role without its own.
    case background
    case text
    case dim
    case border
    case borderFocused = "border_focused"
    case title
    case titleFocused = "title_focused"
    case accent
    case selection
    case statusBar = "status_bar"
    case statusText = "status_text"
    /// The key part of a status-bar hint ("t" in "t train").
    case statusKey = "status_key"
    /// The console's and command line's input text.
    case input
    /// Overlays such as help and confirmation dialogs.
    case overlay
    /// Chart axes, ticks and grid lines.
    case axis
    case trainSeries = "train_series"
    case validationSeries = "validation_series"
    case series1 = "series_1"
    case series2 = "series_2"
    case series3 = "series_3"
    case series4 = "series_4"
    case series5 = "series_5"
    case series6 = "series_6"
    case series7 = "series_7"
    case series8 = "series_8"
    case positive
    case negative
    case warning
    case error
    case barFill = "bar_fill"
    case barEmpty = "bar_empty"
    case tokenPositive = "token_positive"
    case tokenNegative = "token_negative"

    /// The run palette: runs keep a stable colour by index (wrapping after 8).
    public static let seriesPalette: [ThemeRole] = [
        .series1, .series2, .series3, .series4, .series5, .series6, .series7, .series8,
    ]

    /// The palette colour of run number `index` (0-based; any integer is accepted).
    public static func series(_ index: Int) -> ThemeRole {
        let n = seriesPalette.count
        return seriesPalette[((index % n) + n) % n]
    }
}
