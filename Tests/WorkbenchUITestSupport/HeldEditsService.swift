import TerminalUI
@testable import WorkbenchUI

/// A service in front of another that holds back the answers to model edits until `release()`
/// (everything else passes straight through): a slow service, to see what the UI does with keys
/// that come while an edit is in flight.
public actor HeldEditsService: WorkbenchService {
    public let inner: any WorkbenchService
    public nonisolated let events: AsyncStream<ServiceEvent>
    private var holding = true
    private var held: [CheckedContinuation<Void, Never>] = []
    /// The edits asked for, in the order they came.
    public private(set) var edits: [ModelEdit] = []

    public init(_ inner: any WorkbenchService) {
        self.inner = inner
        events = inner.events
    }

    /// Edits waiting for `release()`.
    public var heldCount: Int { held.count }

    /// Lets the held edits through, and every later one at once.
    public func release() {
        holding = false
        let waiting = held
        held = []
        for c in waiting { c.resume() }
    }

    public func applyModelEdit(_ edit: ModelEdit) async -> ModelEditResult {
        edits.append(edit)
        if holding { await withCheckedContinuation { held.append($0) } }
        return await inner.applyModelEdit(edit)
    }

    public func snapshot() async -> WorkbenchSnapshot { await inner.snapshot() }
    public func metrics() async -> MetricsResult { await inner.metrics() }
    public func renameRun(_ id: String, to name: String) async -> CommandResult { await inner.renameRun(id, to: name) }
    public func deleteRun(_ id: String) async -> CommandResult { await inner.deleteRun(id) }
    public func startTraining() async -> CommandResult { await inner.startTraining() }
    public func train(epochs: Int) async -> CommandResult { await inner.train(epochs: epochs) }
    public func deleteSession(named name: String) async -> CommandResult { await inner.deleteSession(named: name) }
    public func exportSession(named name: String, to path: String) async -> CommandResult { await inner.exportSession(named: name, to: path) }
    public func pauseTraining() async -> CommandResult { await inner.pauseTraining() }
    public func resumeTraining() async -> CommandResult { await inner.resumeTraining() }
    public func stepTraining() async -> CommandResult { await inner.stepTraining() }
    public func stopTraining() async -> CommandResult { await inner.stopTraining() }
    public func save() async -> CommandResult { await inner.save() }
    public func listSessions() async -> [SessionSummary] { await inner.listSessions() }
    public func openSession(named name: String) async -> SessionResult { await inner.openSession(named: name) }
    public func newSession(named name: String) async -> SessionResult { await inner.newSession(named: name) }
    public func setTheme(named name: String) async -> ThemeResult { await inner.setTheme(named: name) }
    public func saveViewState(_ view: WorkbenchViewState) async { await inner.saveViewState(view) }
    public func trainLearners(_ specs: [String]) async -> CommandResult { await inner.trainLearners(specs) }
    public func changeSettings(_ change: TrainingSettingsChange) async -> CommandResult { await inner.changeSettings(change) }
    public func leaderboard() async -> [LeaderboardEntry] { await inner.leaderboard() }
    public func useInConsole(run id: String?) async -> CommandResult { await inner.useInConsole(run: id) }
    public func export(format: String, to folder: String?) async -> CommandResult { await inner.export(format: format, to: folder) }
    public func predict(_ line: String) async -> ConsoleSnapshot? { await inner.predict(line) }
    public func shutdown() async {
        release()
        await inner.shutdown()
    }
}
