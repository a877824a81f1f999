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
    /// A signal that asked the program to end (SIGTERM, SIGHUP, SIGINT) and that the backend
    /// held back for the UI loop to act on: quit as the user would, saving what needs saving,
    /// then exit with 128 + the signal. Nil when none came (or the backend does not defer them).
    var endRequest: Int32? { get }
}

extension TerminalBackend {
    public var endRequest: Int32? { nil }
}
