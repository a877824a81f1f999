// The only file that talks to ncurses (TextWidth.swift imports the shim for `wcwidth` only).
// ncurses is not thread-safe and keeps global state, so one backend is active at a time and it
// is used from the UI loop only. Its globals (stdscr, COLORS, …) are read through the shim's
// accessor functions.
@preconcurrency import CNcursesw

#if canImport(Glibc)
import Glibc
#endif

/// The real terminal, through ncursesw.
public final class NcursesBackend: TerminalBackend {
    public private(set) var colorMode: ColorMode = .monochrome
    /// Whether the locale can show Unicode; without it box drawing falls back to the
    /// terminal's line-drawing set and other non-ASCII characters to "?".
    public private(set) var unicode = false
    /// The locale in effect after `start` (e.g. "C.UTF-8" when LANG was not set).
    public private(set) var locale = ""

    private let mouse: Bool
    private let deferEndSignals: Bool
    private var screen: OpaquePointer?
    private var previous: CellGrid?
    private var forceFull = false
    private var defaultColors = false
    private var roleStyles: [ThemeRole: (pair: Int16, attrs: attr_t)] = [:]
    private var cursorVisible: Int32 = -1

    /// `mouse: false` leaves the mouse to the terminal (text selection without Shift).
    /// `deferEndSignals: true` holds the first SIGTERM, SIGHUP or SIGINT back for the UI loop
    /// (`endRequest`), which then quits as the user would, so a job can stop at a batch
    /// boundary and save; a second one restores the terminal and ends the process at once, as
    /// any of them does without it. The loop must poll `endRequest` when it asks for this.
    public init(mouse: Bool = true, deferEndSignals: Bool = false) {
        self.mouse = mouse
        self.deferEndSignals = deferEndSignals
    }

    public var endRequest: Int32? {
        let sig = TerminalRestore.endRequest
        return sig == 0 ? nil : sig
    }

    deinit { stop() }

    public var size: Size {
        guard screen != nil, let win = wb_stdscr() else { return Size(width: 0, height: 0) }
        return Size(width: Int(max(0, getmaxx(win))), height: Int(max(0, getmaxy(win))))
    }

    // MARK: Start and stop

    public func start(theme: Theme) throws {
        guard screen == nil else { return }
        guard !TerminalRestore.installed else {
            throw TerminalUIError.terminal("cannot start the terminal UI: another screen is already active")
        }
        guard isatty(STDIN_FILENO) == 1 else {
            throw TerminalUIError.terminal(
                "standard input is not a terminal: the interactive workbench needs one "
                    + "(for scripts use the headless commands: train, eval, predict)")
        }
        guard isatty(STDOUT_FILENO) == 1 else {
            throw TerminalUIError.terminal(
                "standard output is not a terminal: the interactive workbench needs one "
                    + "(for scripts use the headless commands: train, eval, predict)")
        }
        setUpLocale()

        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else {
            throw TerminalUIError.terminal("cannot read the terminal settings: \(String(cString: strerror(errno)))")
        }
        let term = getenv("TERM").map { String(cString: $0) }
        guard let term, !term.isEmpty else {
            throw TerminalUIError.terminal("TERM is not set: set it to your terminal's type (e.g. TERM=xterm-256color)")
        }
        // Our handlers go in first: ncurses then leaves SIGINT/SIGTERM alone instead of
        // installing its own (which would exit with status 1 rather than die of the signal).
        TerminalRestore.install(saved: saved, deferEndSignals: deferEndSignals)
        // newterm, unlike initscr, returns nil for an unusable TERM instead of exiting.
        guard let scr = newterm(nil, wb_stdout(), wb_stdin()) else {
            TerminalRestore.uninstall()
            throw TerminalUIError.terminal(
                "cannot use the terminal type TERM=\(term) (ncurses does not know it): set TERM to "
                    + "your terminal's type (e.g. TERM=xterm-256color)")
        }
        set_term(scr)
        guard wb_can_address_cursor() != 0 else {
            endwin()
            delscreen(scr)
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            TerminalRestore.uninstall()
            throw TerminalUIError.terminal(
                "the terminal type TERM=\(term) cannot move the cursor: set TERM to your terminal's "
                    + "type (e.g. TERM=xterm-256color)")
        }
        screen = scr
        TerminalRestore.active = true

        raw()
        noecho()
        nonl()
        set_escdelay(25)
        if let win = wb_stdscr() {
            keypad(win, true)
            intrflush(win, false)
        }
        if mouse {
            let wanted = wb_button1_pressed() | wb_button2_pressed() | wb_button3_pressed()
                | wb_button4_pressed() | wb_button5_pressed()
            mousemask(wanted, nil)
            mouseinterval(0)
        }
        if has_colors() {
            start_color()
            defaultColors = use_default_colors() == OK
        }
        var env: [String: String] = [:]
        if let v = getenv("NO_COLOR") { env["NO_COLOR"] = String(cString: v) }
        colorMode = ColorMode.detect(colorCount: has_colors() ? Int(wb_colors()) : 0, environment: env)
        apply(theme: theme)
        setCursor(visible: false)
        previous = nil
    }

    public func stop() {
        guard let scr = screen else { return }
        if mouse { mousemask(0, nil) }
        setCursor(visible: true)
        TerminalRestore.active = false
        endwin()
        var saved = TerminalRestore.saved
        tcsetattr(STDIN_FILENO, TCSANOW, &saved)
        TerminalRestore.uninstall()
        delscreen(scr)
        screen = nil
        previous = nil
        roleStyles = [:]
    }

    /// LC_ALL/LC_CTYPE/LANG as given; when they leave the C locale, C.UTF-8 so wide text shows.
    private func setUpLocale() {
        setlocale(LC_ALL, "")
        let current = setlocale(LC_CTYPE, nil).map { String(cString: $0) } ?? "C"
        if current == "C" || current == "POSIX" {
            for candidate in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_CTYPE, candidate) != nil {
                break
            }
        }
        locale = setlocale(LC_CTYPE, nil).map { String(cString: $0) } ?? "C"
        let codeset = wb_codeset().map { String(cString: $0) } ?? ""
        unicode = codeset.uppercased() == "UTF-8"
    }

    // MARK: Colours

    public func apply(theme: Theme) {
        roleStyles = [:]
        let pairs = Int(wb_color_pairs())
        for (i, role) in ThemeRole.allCases.enumerated() {
            let resolved = theme.resolve(Style(role), mode: colorMode)
            var pair: Int16 = 0
            if colorMode != .monochrome && i + 1 < pairs {
                pair = Int16(i + 1)
                init_pair(pair, colorNumber(resolved.foreground, isForeground: true),
                          colorNumber(resolved.background, isForeground: false))
            }
            roleStyles[role] = (pair, attributeBits(resolved.attributes))
        }
        forceFull = true
    }

    private func colorNumber(_ c: TerminalColor, isForeground: Bool) -> Int16 {
        switch c {
        case .terminalDefault:
            return defaultColors ? -1 : (isForeground ? 7 : 0)
        case let .index(i):
            let available = max(8, Int(wb_colors()))
            return Int16(Int(i) < available ? Int(i) : Int(i) % 8)
        }
    }

    private func attributeBits(_ a: TextAttributes) -> attr_t {
        var bits = wb_attr_normal()
        if a.contains(.bold) { bits |= wb_attr_bold() }
        if a.contains(.dim) { bits |= wb_attr_dim() }
        if a.contains(.reverse) { bits |= wb_attr_reverse() }
        if a.contains(.underline) { bits |= wb_attr_underline() }
        return bits
    }

    // MARK: Drawing

    public func draw(_ grid: CellGrid, cursor: Point?) {
        guard screen != nil, let win = wb_stdscr() else { return }
        let runs: [Run]
        if let prev = previous, prev.size == grid.size, !forceFull {
            runs = grid.diff(from: prev)
        } else {
            if forceFull && previous?.size == grid.size {
                clearok(win, true)
            } else {
                werase(win)
            }
            runs = grid.diff(from: CellGrid(width: 0, height: 0))
        }
        forceFull = false
        for run in runs {
            for (i, cell) in run.cells.enumerated() where !cell.isContinuation {
                write(cell, window: win, y: Int32(run.row), x: Int32(run.x + i))
            }
        }
        if let cursor, cursor.x >= 0, cursor.y >= 0, cursor.x < grid.width, cursor.y < grid.height {
            setCursor(visible: true)
            wmove(win, Int32(cursor.y), Int32(cursor.x))
        } else {
            setCursor(visible: false)
        }
        wnoutrefresh(win)
        doupdate()
        previous = grid
    }

    private func setCursor(visible: Bool) {
        let want: Int32 = visible ? 1 : 0
        if cursorVisible != want {
            curs_set(want)
            cursorVisible = want
        }
    }

    private func write(_ cell: Cell, window: UnsafeMutablePointer<WINDOW>, y: Int32, x: Int32) {
        let role = roleStyles[cell.style.role] ?? (0, wb_attr_normal())
        let attrs = role.attrs | attributeBits(cell.style.attributes)
        var cc = cchar_t()
        if !unicode, !cell.grapheme.allSatisfy(\.isASCII) {
            if let acs = Self.lineDrawing(cell.grapheme) {
                // The terminal's own line-drawing set (carries A_ALTCHARSET where needed).
                withUnsafeTemporaryAllocation(of: wchar_t.self, capacity: 6) { buf in
                    guard let base = buf.baseAddress else { return }
                    var a: attr_t = 0
                    var p: Int16 = 0
                    getcchar(acs, base, &a, &p, nil)
                    setcchar(&cc, base, attrs | (a & wb_attr_altcharset()), role.pair, nil)
                }
                mvwadd_wch(window, y, x, &cc)
            } else {
                // Unprintable here: one "?" per cell the character takes.
                var q = cchar_t()
                let question: [wchar_t] = [63, 0]
                setcchar(&q, question, attrs, role.pair, nil)
                for i in 0..<Int32(max(1, cell.width)) { mvwadd_wch(window, y, x + i, &q) }
            }
            return
        }
        withUnsafeTemporaryAllocation(of: wchar_t.self, capacity: 6) { buf in
            guard let base = buf.baseAddress else { return }
            var n = 0
            for s in cell.grapheme.unicodeScalars where n < 5 {
                base[n] = wchar_t(bitPattern: s.value)
                n += 1
            }
            if n == 0 {
                base[0] = 32
                n = 1
            }
            base[n] = 0
            setcchar(&cc, base, attrs, role.pair, nil)
        }
        // ERR at the bottom-right cell (the cursor cannot advance) is expected and harmless.
        mvwadd_wch(window, y, x, &cc)
    }

    private static func lineDrawing(_ g: String) -> UnsafePointer<cchar_t>? {
        switch g {
        case "─", "━": return wb_wacs_hline()
        case "│", "┃": return wb_wacs_vline()
        case "┌", "┏", "╭": return wb_wacs_ulcorner()
        case "┐", "┓", "╮": return wb_wacs_urcorner()
        case "└", "┗", "╰": return wb_wacs_llcorner()
        case "┘", "┛", "╯": return wb_wacs_lrcorner()
        case "├", "┣": return wb_wacs_ltee()
        case "┤", "┫": return wb_wacs_rtee()
        case "┬", "┳": return wb_wacs_ttee()
        case "┴", "┻": return wb_wacs_btee()
        case "┼", "╋": return wb_wacs_plus()
        case "█", "▇", "▆", "▅": return wb_wacs_block()
        case "░", "▒", "▓": return wb_wacs_ckboard()
        case "•", "·", "●": return wb_wacs_bullet()
        default: return nil
        }
    }

    // MARK: Input

    public func readKey(timeoutMs: Int) -> Key? {
        guard screen != nil, let win = wb_stdscr() else { return nil }
        wtimeout(win, Int32(clamping: max(0, timeoutMs)))
        var ch: wint_t = 0
        let r = wget_wch(win, &ch)
        if r == ERR { return nil }
        if r == KEY_CODE_YES { return functionKey(Int32(bitPattern: ch)) }
        return Key(code: ch)
    }

    private func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_IC: return .insert
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_RESIZE:
            previous = nil
            return .resize
        case KEY_MOUSE: return mouseEvent()
        case (KEY_F0 + 1)...(KEY_F0 + 24): return .function(Int(code - KEY_F0))
        default: return nil
        }
    }

    private func mouseEvent() -> Key? {
        var ev = MEVENT()
        guard getmouse(&ev) == OK else { return nil }
        let b = ev.bstate
        let button: MouseButton
        if b & (wb_button1_pressed() | wb_button1_clicked()) != 0 {
            button = .left
        } else if b & (wb_button2_pressed() | wb_button2_clicked()) != 0 {
            button = .middle
        } else if b & (wb_button3_pressed() | wb_button3_clicked()) != 0 {
            button = .right
        } else if b & wb_button4_pressed() != 0 {
            button = .wheelUp
        } else if b & wb_button5_pressed() != 0 {
            button = .wheelDown
        } else {
            return nil
        }
        return .mouse(x: Int(ev.x), y: Int(ev.y), button: button)
    }
}

/// Restores the terminal when the process dies of a signal while the UI is up: the saved
/// settings go back (tcsetattr), ncurses leaves the screen (endwin), then the signal takes
/// its previous course (the default action or the Swift runtime's crash handler). Faults
/// (SIGSEGV, SIGBUS, SIGILL, SIGFPE) re-fault on return; other signals are raised again.
private enum TerminalRestore {
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]
    nonisolated(unsafe) static var active = false
    nonisolated(unsafe) static var saved = termios()
    /// Previous actions indexed by signal number; allocated once, never freed.
    nonisolated(unsafe) static let previous: UnsafeMutablePointer<sigaction> = {
        let p = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
        p.initialize(repeating: sigaction(), count: 65)
        return p
    }()

    nonisolated(unsafe) static var installed = false
    /// Whether the first SIGTERM, SIGHUP or SIGINT is held back (`endRequest`) rather than
    /// ending the process.
    nonisolated(unsafe) static var deferEndSignals = false
    /// The signal held back, 0 for none. An aligned 32-bit store: the handler's only write.
    nonisolated(unsafe) static var endRequest: Int32 = 0

    /// Installs the handlers; they restore the terminal once `active` is set.
    static func install(saved settings: termios, deferEndSignals: Bool) {
        saved = settings
        installed = true
        self.deferEndSignals = deferEndSignals
        endRequest = 0
        for sig in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_sigaction = restoreTerminalOnSignal
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_SIGINFO | SA_ONSTACK
            sigaction(sig, &action, previous + Int(sig))
        }
    }

    static func uninstall() {
        guard installed else { return }
        active = false
        installed = false
        for sig in signals { sigaction(sig, previous + Int(sig), nil) }
    }
}

private func restoreTerminalOnSignal(_ sig: Int32, _ info: UnsafeMutablePointer<siginfo_t>?,
                                     _ context: UnsafeMutableRawPointer?) {
    // The first request to end, held back for the UI loop; the handler stays for a second.
    if TerminalRestore.deferEndSignals && TerminalRestore.active && TerminalRestore.endRequest == 0
        && (sig == SIGTERM || sig == SIGHUP || sig == SIGINT) {
        TerminalRestore.endRequest = sig
        return
    }
    if TerminalRestore.active {
        TerminalRestore.active = false
        var t = TerminalRestore.saved
        tcsetattr(STDIN_FILENO, TCSANOW, &t)
        endwin()
        tcsetattr(STDIN_FILENO, TCSANOW, &t)
    }
    sigaction(sig, TerminalRestore.previous + Int(sig), nil)
    // No allocation in here: a switch, not an array lookup.
    let kernelSent = (info?.pointee.si_code ?? 0) > 0
    switch sig {
    case SIGSEGV, SIGBUS, SIGILL, SIGFPE:
        // A real fault: returning re-runs the instruction under the previous handler.
        if !kernelSent { raise(sig) }
    default:
        raise(sig)
    }
}
