import TerminalUI

/// A request the UI sends to the service. The app runs each in its own task and turns the
/// answer into a `ServiceReply`.
public enum ServiceCall: Hashable, Sendable {
    case snapshot
    case startTraining, pauseTraining, resumeTraining, stepTraining, stopTraining
    /// `:train N`: a run of exactly N epochs (or N more of a finished one).
    case trainEpochs(Int)
    case save
    case listSessions
    case openSession(String)
    case newSession(String)
    /// Removes a saved session (not the open one) with its runs.
    case deleteSession(String)
    /// Writes a session's current model as a model folder at this path.
    case exportSession(String, to: String)
    case edit(ModelEdit)
    case setTheme(String)
    case leaderboard
    /// The console's run on the validation data, for the metrics overlay.
    case metrics
    case trainLearners([String])
    case changeSettings(TrainingSettingsChange)
    /// Names a run (an empty name takes it away).
    case renameRun(String, name: String)
    /// Deletes a run and its files (asked first).
    case deleteRun(String)
    /// Answer the console with this run (nil: the current one).
    case useInConsole(String?)
    /// Export the console's run: format (onnx, keras, safetensors) and folder (nil: the
    /// service's choice).
    case export(format: String, folder: String?)
    /// `id` grows with every request, so stale answers can be dropped.
    case predict(id: Int, text: String)
    /// Serve the console's model over HTTP on this port (nil: the service's default).
    case serve(port: Int?)
    case stopServing
    /// Opening a data file (`DataFileService`): a folder (nil: the working directory), a
    /// file's preview and summary, a new session on it.
    case listDirectory(String?)
    case previewData(path: String, reading: DataReading)
    case newSessionFromData(name: String, path: String, reading: DataReading)
}

/// The answer to a `ServiceCall`.
public enum ServiceReply: Hashable, Sendable {
    case snapshot(WorkbenchSnapshot)
    case command(ServiceCall, CommandResult)
    case sessions([SessionSummary])
    case session(SessionResult)
    case edit(ModelEdit, ModelEditResult)
    case theme(String, ThemeResult)
    case leaderboard([LeaderboardEntry])
    case metrics(MetricsResult)
    case prediction(id: Int, text: String, ConsoleSnapshot?)
    case directory(DirectoryResult)
    case dataPreview(path: String, reading: DataReading, DataPreviewResult)
}

/// Everything the UI loop reacts to, as one type: keys, resizes, clock ticks, service events
/// and the answers to the UI's own requests.
public enum AppEvent: Hashable, Sendable {
    case key(Key)
    /// The terminal is now this size.
    case resize(Size)
    /// Seconds since the app started; the loop sends one about every `tickInterval`.
    case tick(Double)
    /// A frame is about to be drawn; seconds since the app started. A big chart takes in the
    /// points that arrived at most every 150 ms, by this clock (drawing reads no clock).
    case frame(Double)
    case service(ServiceEvent)
    case reply(ServiceReply)
}

/// What handling an event asks the app (the only owner of the backend and the service) to do.
public enum Effect: Hashable, Sendable {
    case call(ServiceCall)
    /// Draw with this theme from now on.
    case applyTheme(Theme)
    /// Keep this view with the session (`WorkbenchService.saveViewState`); saves go in order,
    /// and before a session is switched or the service shut down.
    case saveView(WorkbenchViewState)
    /// Leave the loop (after `shutdown`).
    case quit
}
