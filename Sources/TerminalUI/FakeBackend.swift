/// A backend without a terminal, for tests of the app loop: it keeps every drawn frame and
/// hands out scripted keys. It ships in the library (like ratatui's `TestBackend`) so any
/// test target can use it; nothing in the product creates one.
public final class FakeBackend: TerminalBackend {
    public private(set) var size: Size
    public private(set) var colorMode: ColorMode
    public private(set) var theme: Theme = .default
    public private(set) var isStarted = false
    /// Every frame passed to `draw`, oldest first.
    public private(set) var frames: [CellGrid] = []
    /// The cursor of each frame.
    public private(set) var cursors: [Point?] = []
    /// The runs each `draw` would have written (diffed against the previous frame).
    public private(set) var writtenRuns: [[Run]] = []
    /// Keys still to be returned by `readKey`, first first.
    public var pendingKeys: [Key]
    /// How many times `readKey` found no key (the loop's idle polls).
    public private(set) var idlePolls = 0
    /// Error `start` throws, to test start-up failures.
    public var startError: TerminalUIError?
    /// What `endRequest` reports, as if a signal had come (tests set it).
    public var endRequest: Int32?

    public init(size: Size = Size(width: 100, height: 30), colorMode: ColorMode = .palette256,
                keys: [Key] = []) {
        self.size = size
        self.colorMode = colorMode
        pendingKeys = keys
    }

    /// The last frame drawn.
    public var lastFrame: CellGrid? { frames.last }

    public func start(theme: Theme) throws {
        if let e = startError { throw e }
        self.theme = theme
        isStarted = true
    }

    public func apply(theme: Theme) {
        self.theme = theme
        forceFull = true
    }

    private var forceFull = false

    public func draw(_ grid: CellGrid, cursor: Point?) {
        if let prev = frames.last, !forceFull {
            writtenRuns.append(grid.diff(from: prev))
        } else {
            writtenRuns.append(grid.diff(from: CellGrid(width: 0, height: 0)))
        }
        forceFull = false
        frames.append(grid)
        cursors.append(cursor)
    }

    public func readKey(timeoutMs: Int) -> Key? {
        guard !pendingKeys.isEmpty else {
            idlePolls += 1
            return nil
        }
        return pendingKeys.removeFirst()
    }

    public func stop() { isStarted = false }

    /// Simulates a terminal resize: the size changes and `.resize` is queued next.
    public func resize(to newSize: Size) {
        size = newSize
        pendingKeys.insert(.resize, at: 0)
    }
}
