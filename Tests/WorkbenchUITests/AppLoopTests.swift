import Testing
import TerminalUI
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

/// A backend that plays a script: keys, and waits until the last frame shows something
/// (lazygit-style waiting assertions). A wait that times out is recorded and the script
/// quits, so a broken loop fails instead of hanging.
final class ScriptedBackend: TerminalBackend {
    enum Step {
        case key(Key)
        case waitFor(String)
    }

    let size: Size
    let colorMode = ColorMode.palette256
    private var steps: [Step]
    private(set) var frames: [CellGrid] = []
    private(set) var isStarted = false
    private(set) var stopCount = 0
    private(set) var timedOut: [String] = []
    private var waitStarted: ContinuousClock.Instant?
    private let timeout: Duration

    init(size: Size = Size(width: 100, height: 30), steps: [Step], timeout: Duration = .seconds(60)) {
        self.size = size
        self.steps = steps
        self.timeout = timeout
    }

    var lastText: String { frames.last?.text() ?? "" }
    var scriptDone: Bool { steps.isEmpty }

    func start(theme: Theme) throws { isStarted = true }
    func apply(theme: Theme) {}
    func draw(_ grid: CellGrid, cursor: Point?) { frames.append(grid) }
    func stop() {
        isStarted = false
        stopCount += 1
    }

    func readKey(timeoutMs: Int) -> Key? {
        guard let step = steps.first else { return nil }
        switch step {
        case let .key(k):
            steps.removeFirst()
            waitStarted = nil
            return k
        case let .waitFor(text):
            if lastText.contains(text) {
                steps.removeFirst()
                waitStarted = nil
                return readKey(timeoutMs: 0)
            }
            let clock = ContinuousClock()
            if let s = waitStarted, clock.now - s > timeout {
                timedOut.append(text)
                steps = [.key(.character("q")), .key(.character("y"))]
            } else if waitStarted == nil {
                waitStarted = clock.now
            }
            return nil
        }
    }
}

@Suite struct AppLoopTests {
    @Test func scriptedSessionThroughTheLoop() async throws {
        let fake = FakeWorkbenchService(configuration: .init(batchInterval: nil))
        let backend = FakeBackend(size: Size(width: 100, height: 30))
        let app = WorkbenchApp(backend: backend, service: fake, configuration: .init(minFrameInterval: 0))
        try app.start()
        #expect(await app.settle { $0.state.isLoaded })
        #expect(backend.lastFrame?.text().contains("reviews-demo.tsv") == true)
        #expect(app.isIdle && app.idleCount >= 1)

        // Start training: the service call, then state events.
        backend.pendingKeys = [.character("t")]
        #expect(await app.settle { $0.state.status.state == .training })
        #expect(backend.lastFrame?.text(row: 28).hasPrefix(" demo │ training") == true)

        // Batches arrive: the chart and the status line follow.
        await fake.advance(batches: 25)
        #expect(await app.settle { $0.state.chart.charts.runs.first?.batchLoss.count == 25 })
        let frame = backend.lastFrame?.text() ?? ""
        #expect(frame.contains("epoch 2/3 · batch 5/20"))
        #expect(frame.contains("━ train"))
        #expect(frame.contains("■ run-1"))
        #expect(app.state.dataset.misclassified != nil)

        // Type in the console while training: each keystroke asks, the newest answer shows.
        backend.pendingKeys = [.character("4")] + typed("great")
        #expect(await app.settle { $0.state.console.prediction?.text == "great" })
        let text = backend.lastFrame?.text() ?? ""
        #expect(text.contains("› great"))
        #expect(text.contains("pos "))
        #expect(await fake.predictionCount >= 5)
        // The cursor sits after the text in the console.
        #expect(backend.cursors.last??.y == 18)

        // T switches the theme through the service; the backend gets it.
        backend.pendingKeys = [.escape, .character("T")]
        #expect(await app.settle { _ in backend.theme.name == "light" })
        #expect(app.state.status.lastMessage == "theme light")

        // Pause, then q asks (a run is in progress), y quits.
        backend.pendingKeys = [.character("p")]
        #expect(await app.settle { $0.state.status.state == .paused })
        backend.pendingKeys = [.character("q")]
        #expect(await app.settle { $0.state.overlay != nil })
        #expect(backend.lastFrame?.text().contains("Quit anyway?") == true)
        backend.pendingKeys = [.character("y")]
        #expect(await app.settle { $0.state.isQuitting })
        #expect(!app.step())
        await app.shutdown()
        backend.stop()
        #expect(await fake.isShutDown)
        #expect(!backend.isStarted)
        // Frames were diffed: later frames wrote far less than a full screen.
        let written = backend.writtenRuns.dropFirst().map { $0.reduce(0) { $0 + $1.cells.count } }
        #expect(written.contains { $0 < 100 * 30 / 4 })
    }

    @Test func runLoopEndToEndWithAScript() async throws {
        let fake = FakeWorkbenchService(configuration: .init(epochs: 2, batchesPerEpoch: 5, batchInterval: .milliseconds(2)))
        let backend = ScriptedBackend(steps: [
            .waitFor("reviews-demo.tsv"),
            .key(.character("3")), .key(.character("t")),
            .waitFor("finished"),
            .waitFor("epoch 2/2"),
            .key(.character("v")),
            .key(.character(":")), .key(.character("s")), .key(.character("a")), .key(.character("v")),
            .key(.character("e")), .key(.enter),
            .waitFor("saved Sessions/demo/weights.safetensors"),
            .key(.character("4")), .key(.character("好")),
            .waitFor("› 好"),
            .key(.tab), .key(.character("q")),
        ])
        try await WorkbenchApp.run(backend: backend, service: fake,
                                   configuration: .init(minFrameInterval: 0, keysWaitForIdle: true))
        #expect(backend.timedOut.isEmpty)
        #expect(backend.scriptDone)
        #expect(backend.stopCount == 1 && !backend.isStarted)
        #expect(await fake.isShutDown)
        #expect(await fake.calls.contains("save"))
        let chartFrame = backend.frames.last { $0.text().contains("finished") }?.text() ?? ""
        #expect(chartFrame.contains("━ train"))
        #expect(await fake.trainingState == .finished)
    }

    @Test func idleSignalAndSlowPredictionsStayLatestWins() async throws {
        let fake = FakeWorkbenchService(configuration: .init(batchInterval: nil, predictionDelay: .milliseconds(20)))
        let backend = FakeBackend(size: Size(width: 80, height: 24))
        let signals = Inbox<Int>()
        let app = WorkbenchApp(backend: backend, service: fake,
                               configuration: .init(minFrameInterval: 0, onIdle: { signals.post($0) }))
        try app.start()
        #expect(await app.settle { $0.state.isLoaded })
        let idle = app.idleCount
        #expect(signals.drain().last == idle)
        backend.pendingKeys = [.character("4")] + typed("bad but good")
        // Not idle while the predictions are out.
        _ = app.step(timeoutMs: 0)
        #expect(!app.isIdle && app.pendingCalls > 0)
        #expect(await app.settle { $0.state.console.prediction?.text == "bad but good" })
        #expect(app.idleCount > idle)
        #expect(signals.drain().last == app.idleCount)
        #expect(app.pendingCalls == 0)
        // Cancelled (superseded) requests come back empty and are not shown.
        #expect(app.state.shownPredictionID == app.state.latestPredictionID)
        await app.shutdown()
        backend.stop()
    }

    @Test func terminalRestoredWhenStartFails() async {
        let backend = FakeBackend()
        backend.startError = .terminal("standard input is not a terminal")
        let fake = FakeWorkbenchService(configuration: .init(batchInterval: nil))
        await #expect(throws: TerminalUIError.self) {
            try await WorkbenchApp.run(backend: backend, service: fake)
        }
        #expect(!backend.isStarted)
    }

    @Test func resizeRelayoutsAndTooSmallNotice() async throws {
        let fake = FakeWorkbenchService(configuration: .init(batchInterval: nil))
        let backend = FakeBackend(size: Size(width: 100, height: 30))
        let app = WorkbenchApp(backend: backend, service: fake, configuration: .init(minFrameInterval: 0))
        try app.start()
        #expect(await app.settle { $0.state.isLoaded })
        backend.resize(to: Size(width: 30, height: 10))
        #expect(await app.settle { $0.state.size == Size(width: 30, height: 10) })
        #expect(backend.lastFrame?.text().contains("Terminal too small") == true)
        backend.resize(to: Size(width: 60, height: 16))
        #expect(await app.settle { $0.state.size.width == 60 })
        #expect(backend.lastFrame?.width == 60)
        #expect(backend.lastFrame.map(rowsAreWhole) == true)
        await app.shutdown()
    }
}
