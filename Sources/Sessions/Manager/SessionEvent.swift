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
    /// The model changed: a new run began.
    case runStarted(session: String, run: Int, model: ModelSpec)
    /// A learner run began (it trains in one go: a status change and one epoch follow).
    case learnerRunStarted(session: String, run: Int, recipe: LearnerRecipe)
    /// Sessions were created, renamed, duplicated or deleted.
    case catalogChanged

    /// The session the event is about (nil for catalogue changes).
    public var session: String? {
        switch self {
        case let .batch(s, _, _), let .epoch(s, _, _), let .status(s, _), let .checkpoint(s, _),
             let .warning(s, _), let .runStarted(s, _, _), let .learnerRunStarted(s, _, _):
            return s
        case .catalogChanged: return nil
        }
    }
}
