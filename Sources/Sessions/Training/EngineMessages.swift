import Engine
import Foundation

/// The encoded examples a job trains on (Sendable values, built off the worker).
struct TrainingData: Sendable {
    var train: Dataset
    var validation: Dataset?
}

/// Where a checkpoint put a session: its number and the cursor it saved.
public struct CheckpointInfo: Sendable, Equatable {
    public var number: Int
    public var run: Int
    public var epochsCompleted: Int
    public var batchInEpoch: Int
    public var step: Int
}

/// What the worker reports, in order, on the sink of the handle that sent the command: the
/// session's events as its subscribers see them (the handle follows its cursor and status
/// from them on the way), and the replies to its commands.
enum EngineEvent: Sendable {
    case session(SessionEvent)
    /// The answer to the command sent with `token`, after the events it caused.
    case reply(token: Int, Result<Void, any Error>)
}

typealias EngineSink = AsyncStream<EngineEvent>.Continuation

/// Commands for one session's workspace on the worker.
enum EngineCommand: Sendable {
    /// Builds the workspace from the files' record and checkpoint.
    case attach(SessionFiles)
    /// Ends any job (writing a checkpoint when there is unsaved progress and `save`) and
    /// drops the workspace.
    case detach(save: Bool)
    case setData(TrainingData)
    /// Starts or resumes training: runs when a slot is free, queues otherwise.
    case start
    /// Pauses at the next batch boundary (frees the slot).
    case pause
    /// Runs one batch now and leaves the job paused.
    case step
    /// Ends the job keeping the weights so far (a checkpoint is written).
    case stop
    /// Writes a checkpoint now if there is unsaved progress; the job goes on as it was.
    case save
    /// Ends the job and goes back to the last checkpoint on disk.
    case cancel
    /// Begins neural run `id` (fresh weights from its seed) in place of the engine's run, and
    /// writes a checkpoint; neural runs that never trained are dropped from the record.
    case newRun(id: Int, started: Date, NeuralRun)
    /// Keeps `mirror` a copy of the weights from now on (after every batch and model change).
    case mirror(ConsoleMirror)
    /// New optimiser settings and fit config for the current run (slots kept when they fit).
    case reconfigure(OptimizerSpec, FitConfig)
}

struct EngineEnvelope: Sendable {
    var id: String
    var command: EngineCommand
    var token: Int
    var sink: EngineSink
}

/// A prediction waiting for the worker. `latest` requests replace an older pending one for
/// the same session (which then gets nil).
struct PredictionRequest: Sendable {
    var id: String
    var texts: [String]
    var continuation: CheckedContinuation<[[Float]]?, any Error>
}

/// Work to run with a session's classifier on the worker (evaluation, export). Gets nil when
/// the session is not attached.
struct ClassifierTask: Sendable {
    var id: String
    var body: @Sendable (TextClassifier?) -> Void
}
