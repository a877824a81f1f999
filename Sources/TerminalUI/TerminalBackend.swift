/// The screen and keyboard the UI loop talks to. `NcursesBackend` is the real terminal;
/// `FakeBackend` records frames and replays scripted keys for tests. A backend is used from
/// one thread (the UI loop) only.
public protocol TerminalBackend: AnyObject {
    /// The screen size in cells (after `start`; updated when `.resize` arrives).
    var size: Size { get }
    /// The colour mode in effect (after `start`).
    var colorMode: ColorMode { get }
    /// Takes over the terminal with `theme`'s colours. Throws when that is impossible.
    func start(theme: Theme) throws
    /// Switches colours; the next `draw` repaints everything.
    func apply(theme: Theme)
    /// Shows `grid`, writing only what changed since the last frame. With `cursor` the
    /// terminal cursor is shown there (text input), otherwise hidden.
    func draw(_ grid: CellGrid, cursor: Point?)
    /// The next key, waiting at most `timeoutMs` milliseconds (0: do not wait); nil if none.
    func readKey(timeoutMs: Int) -> Key?
    /// Gives the terminal back as it was. Safe to call more than once.
    func stop()
}
