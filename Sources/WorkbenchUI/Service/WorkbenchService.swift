import TerminalUI

/// The answer to a command: done (with an optional line for the status bar) or refused, with
/// the reason shown in the status bar.
public enum CommandResult: Hashable, Sendable {
    case done(String?)
    case refused(String)
}

/// The answer to a model edit: the model after it, or why it was not made.
public enum ModelEditResult: Hashable, Sendable {
    case applied(ModelSnapshot)
    case refused(String)
}

/// The answer to opening or creating a session: its snapshot, or why not.
public enum SessionResult: Hashable, Sendable {
    case loaded(WorkbenchSnapshot)
    case refused(String)
}

/// The answer to choosing a theme: the theme to draw with (the service reads theme files and
/// remembers the choice), or why not.
public enum ThemeResult: Hashable, Sendable {
    case applied(Theme)
    case refused(String)
}

/// What the workbench UI asks of the session side; the only way the UI reaches sessions, data
/// and the engine. The UI calls these from short-lived tasks (never from the loop itself), so a
/// slow call never blocks keys or drawing; every call must return (never hang while training
/// runs) and must not throw: problems come back as `.refused(reason)` or a `.warning` event.
///
/// Training progress and other changes arrive on `events`. Replies and events may interleave:
/// a state change caused by `startTraining` may arrive before or after its reply.
public protocol WorkbenchService: Sendable {
    /// Everything that happens on the service side, as values. The UI iterates it once, from
    /// start to `shutdown`; an implementation should buffer without bound (or drop oldest
    /// batch events, never state changes) rather than block training on a slow UI.
    var events: AsyncStream<ServiceEvent> { get }

    /// The current session: called once at start-up.
    func snapshot() async -> WorkbenchSnapshot

    /// Starts a new run (or resumes a paused one, if the service prefers).
    func startTraining() async -> CommandResult
    /// Trains `epochs` epochs: a new run of that many, or that many more of the plan's
    /// finished run (refused while a run trains).
    func train(epochs: Int) async -> CommandResult
    /// Pauses after the current batch; weights, optimizer state and history are kept.
    func pauseTraining() async -> CommandResult
    func resumeTraining() async -> CommandResult
    /// Trains exactly one batch, then stays paused (from idle: starts a run paused).
    func stepTraining() async -> CommandResult
    /// Ends the run after the current batch, keeping the weights.
    func stopTraining() async -> CommandResult
    /// Writes the session (atomically) and reports `.checkpointSaved`.
    func save() async -> CommandResult

    func listSessions() async -> [SessionSummary]
    func openSession(named name: String) async -> SessionResult
    func newSession(named name: String) async -> SessionResult
    /// Deletes the saved session `name` (its folder, runs and all); refused for the open one.
    func deleteSession(named name: String) async -> CommandResult
    /// Writes session `name`'s current model as a model folder at `path` (as `workbench
    /// sessions export` does: whole or not at all). Done carries a line for the status bar.
    func exportSession(named name: String, to path: String) async -> CommandResult

    /// Applies an edit (or a preset) and returns the whole new model, or refuses with a reason
    /// the user can act on ("stop training before changing the model", "LSTM needs a sequence
    /// input, but GlobalMaxPooling1D gives (None, 64)").
    func applyModelEdit(_ edit: ModelEdit) async -> ModelEditResult

    /// Keeps `view` with the current session (its chart settings, console line and history,
    /// focus), for `snapshot()` to bring back as `WorkbenchSnapshot.view` when it is reopened.
    /// Called a moment after the view changes and as the UI quits; a failure is a `.warning`.
    func saveViewState(_ view: WorkbenchViewState) async

    /// Switches to the theme named `name` (one of `WorkbenchSnapshot.themeNames`).
    func setTheme(named name: String) async -> ThemeResult

    /// Trains each learner named in `specs` ("svm", "fasttext:epochs=25:ngrams=2", …) as a run
    /// of its own, one after the other, in the background: their runs and metrics arrive as
    /// events, and the leaderboard ranks them. Returns at once (refused while training).
    func trainLearners(_ specs: [String]) async -> CommandResult

    /// Changes the learning rate, the planned epochs or the batch size (refused while a job
    /// trains: pause first). Done carries a line for the status bar.
    func changeSettings(_ change: TrainingSettingsChange) async -> CommandResult

    /// The session's runs ranked best first (by validation accuracy): the leaderboard.
    func leaderboard() async -> [LeaderboardEntry]
    /// The console's run evaluated on the session's validation data (the report `workbench
    /// eval` prints), for the metrics overlay; refused without validation data or weights.
    func metrics() async -> MetricsResult
    /// Names run `id` (`:rename-run 2 baseline`; an empty name takes the name away). Done: the
    /// chart's legend and the leaderboard call it "run 2 baseline" from now on.
    func renameRun(_ id: String, to name: String) async -> CommandResult
    /// Deletes run `id` and its kept files (the UI asks first). Refused for the current run
    /// and while training.
    func deleteRun(_ id: String) async -> CommandResult
    /// Makes the console answer with run `id`'s model (nil: the current run's again).
    /// Done carries a line for the status bar ("console: run 2 svm").
    func useInConsole(run id: String?) async -> CommandResult

    /// Exports the console's run (`useInConsole`'s choice) in `format` (onnx, keras or
    /// safetensors, as `workbench export --format`) into `folder` (nil: a new folder the
    /// service names). Done carries a line saying where it wrote; refused says why not
    /// (a run whose model was not kept, a folder that is not empty, a layer the format
    /// cannot express), with nothing written.
    func export(format: String, to folder: String?) async -> CommandResult

    /// Classifies one console line. The UI calls this on every keystroke, while training too,
    /// and cancels the task of the previous call: implementations should be latest-wins (drop
    /// or cut short requests that a newer one superseded, returning nil for them) and fast
    /// (well under a millisecond for one line). nil also means "no model to ask yet". The UI
    /// shows a reply only if no newer one has been shown.
    func predict(_ line: String) async -> ConsoleSnapshot?

    /// Serves the console's model over HTTP (the same server as `workbench serve`) while the
    /// workbench is open, on `port` (nil: the default). Done carries the address for the status
    /// bar; while serving, `.serving` events carry the address and the request rate. Refused
    /// (a port in use, say) with the reason. Nothing of the server may write to the terminal.
    func startServing(port: Int?) async -> CommandResult
    /// Stops serving (the requests in flight finish first); `.serving(nil)` follows.
    func stopServing() async -> CommandResult

    /// Called once as the UI quits: stop training and serving, wait for the training task to
    /// finish and finish pending writes. The UI restores the terminal after this returns.
    func shutdown() async
}

extension WorkbenchService {
    /// A service that cannot serve says so.
    public func startServing(port: Int?) async -> CommandResult { .refused("serving is not available here") }
    public func stopServing() async -> CommandResult { .refused("not serving") }
}
