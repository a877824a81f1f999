import Engine
import Learners

/// What the session manager publishes (value types): the UI and the CLI render these.
public enum SessionEvent: Sendable, Equatable {
    /// After every batch: running loss and accuracy over the epoch, samples per second.
    case batch(session: String, run: Int, progress: BatchProgress)
    /// After every epoch: train and validation metrics.
    case epoch(session: String, run: Int, summary: EpochSummary)
    /// The session's state changed (idle, queued, training, paused, finished, failed).
    case status(session: String, status: SessionStatus)
    /// A checkpoint was written.
    case checkpoint(session: String, info: CheckpointInfo)
    /// Something the user should know, e.g. the loss became NaN and training paused.
    case warning(session: String, message: String)
    /// A run began (training began): a neural run's batches follow, a learner's status
    /// change and result.
    case runStarted(session: String, run: RunRecord)
    /// A learner run finished: its scores (the chart's one point for it).
    case learnerTrained(session: String, run: Int, result: LearnerResult)
    /// A queue of learners (`trainLearners`) ended: how many trained, and the failure that
    /// stopped it, if one did.
    case learnerQueueEnded(session: String, trained: Int, failure: String?)
    /// What training makes next changed (an edit, a preset, a learner picked).
    case planChanged(session: String, plan: RunPlan)
    /// Sessions were created, renamed, duplicated or deleted.
    case catalogChanged

    /// The session the event is about (nil for catalogue changes).
    public var session: String? {
        switch self {
        case let .batch(s, _, _), let .epoch(s, _, _), let .status(s, _), let .checkpoint(s, _),
             let .warning(s, _), let .runStarted(s, _), let .learnerTrained(s, _, _), let .planChanged(s, _),
             let .learnerQueueEnded(s, _, _):
            return s
        case .catalogChanged: return nil
        }
    }
}
