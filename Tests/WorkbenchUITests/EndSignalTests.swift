#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
import TerminalUI
@testable import WorkbenchUI
@testable import WorkbenchUITestSupport

/// A backend that presses `t` once the session shows, and reports SIGTERM as an end request
/// (as `NcursesBackend(deferEndSignals: true)` does) once training shows in the status line.
private final class EndSignalBackend: TerminalBackend {
    let size = Size(width: 100, height: 30)
    let colorMode = ColorMode.palette256
    private(set) var frames: [CellGrid] = []
    private(set) var stopCount = 0
    private var pressed = false
    private(set) var endRequest: Int32?

    var lastText: String { frames.last?.text() ?? "" }

    func start(theme: Theme) throws {}
    func apply(theme: Theme) {}
    func draw(_ grid: CellGrid, cursor: Point?) {
        frames.append(grid)
        if pressed && grid.text(row: grid.height - 2).contains("training") { endRequest = SIGTERM }
    }
    func readKey(timeoutMs: Int) -> Key? {
        guard !pressed, lastText.contains("reviews-demo.tsv") else { return nil }
        pressed = true
        return .character("t")
    }
    func stop() { stopCount += 1 }
}

@Suite struct EndSignalTests {
    /// SIGTERM while training: the loop quits at once, without the "Training is running.
    /// Quit anyway?" question (nobody is there to answer it), the service shuts down (a real
    /// one stops training at a batch boundary and saves), the terminal is given back, and
    /// `run` returns the signal so the command can exit with 128 + it.
    @Test func anEndSignalWhileTrainingQuitsWithoutAskingAndIsReturned() async throws {
        let fake = FakeWorkbenchService(configuration: .init(batchInterval: .milliseconds(2)))
        let backend = EndSignalBackend()
        let ended = try await WorkbenchApp.run(backend: backend, service: fake,
                                               configuration: .init(minFrameInterval: 0, keysWaitForIdle: true))
        #expect(ended == SIGTERM)
        #expect(await fake.calls.contains("startTraining"))
        #expect(await fake.isShutDown)
        #expect(backend.stopCount == 1)
        #expect(!backend.frames.contains { $0.text().contains("Quit anyway?") })
    }

    /// Quitting with the key returns no signal.
    @Test func quittingByKeyReturnsNoSignal() async throws {
        let fake = FakeWorkbenchService(configuration: .init(batchInterval: nil))
        let backend = FakeBackend(size: Size(width: 100, height: 30))
        backend.pendingKeys = [.character("q")]
        let ended = try await WorkbenchApp.run(backend: backend, service: fake, configuration: .init(minFrameInterval: 0))
        #expect(ended == nil)
        #expect(await fake.isShutDown)
    }
}
