import Testing
import TerminalUI

@Suite struct FakeBackendTests {
    @Test func recordsFramesAndReplaysKeys() throws {
        let backend = FakeBackend(size: Size(width: 20, height: 5), keys: [.character("t"), .control("c")])
        try backend.start(theme: .default)
        #expect(backend.isStarted)
        var grid = CellGrid(size: backend.size)
        grid.box(grid.bounds, title: "Console", focused: true)
        backend.draw(grid, cursor: Point(x: 1, y: 1))
        grid.put("hi", x: 1, y: 1)
        backend.draw(grid, cursor: nil)
        #expect(backend.frames.count == 2)
        #expect(backend.lastFrame?.text(row: 1) == "┃hi                ┃")
        #expect(backend.cursors == [Point(x: 1, y: 1), nil])
        #expect(backend.writtenRuns[0].count == 5)  // first frame: every row
        #expect(backend.writtenRuns[1] == [Run(row: 1, x: 1, cells: [Cell("h"), Cell("i")])])
        #expect(backend.readKey(timeoutMs: 16) == .character("t"))
        backend.resize(to: Size(width: 30, height: 6))
        #expect(backend.readKey(timeoutMs: 16) == .resize)
        #expect(backend.size == Size(width: 30, height: 6))
        #expect(backend.readKey(timeoutMs: 16) == .control("c"))
        #expect(KeyMap.standard.action(for: .control("c"), context: .console) == .quitConfirm)
        #expect(backend.readKey(timeoutMs: 16) == nil)
        #expect(backend.idlePolls == 1)
        backend.apply(theme: try Theme.load(path: packageRoot + "/Themes/light.toml"))
        backend.draw(grid, cursor: nil)
        #expect(backend.writtenRuns[2].count == 5)  // a theme change repaints everything
        backend.stop()
        #expect(!backend.isStarted)
    }

    @Test func startFailureIsAnError() {
        let backend = FakeBackend()
        backend.startError = .terminal("standard input is not a terminal")
        #expect(uiError { try backend.start(theme: .default) } == .terminal("standard input is not a terminal"))
    }
}
