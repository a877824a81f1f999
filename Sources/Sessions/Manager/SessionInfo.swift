import Engine
import Foundation

/// An open (or just read) session: its record, its live state and what opening it noticed.
public struct SessionInfo: Sendable {
    public var name: String
    public var record: SessionRecord
    public var status: SessionStatus
    public var readOnly: Bool
    /// Stale lock taken over, torn history line dropped, interrupted checkpoint completed…
    public var notices: [String]
    /// The live cursor of the current run (ahead of the record's between checkpoints).
    public var epochsCompleted: Int
    public var batchInEpoch: Int
    public var step: Int
}

/// One line of `list`: what is known without opening the session. A session whose files
/// cannot be read still lists, with `problem` saying why.
public struct SessionListing: Sendable {
    public var name: String
    public var record: SessionRecord?
    public var problem: String?
    public var status: SessionStatus?
    /// The PID of another live process holding the session's lock.
    public var lockedBy: Int32?
    public var isLocked: Bool
    public var isOpenHere: Bool

    public var datasetPath: String? { record?.dataset.path }
    /// "Embedding(64) → LSTM(64) → Dense(1, sigmoid)", or a learner's recipe ("svm:c=0.5").
    public var modelSummary: String? { record?.currentRun.summary }
    /// The current run's epochs done and planned (nil for a learner run, which has none).
    public var epochsCompleted: Int? { record?.currentRun.neural?.cursor.epochsCompleted }
    public var plannedEpochs: Int? { record?.currentRun.neural?.fit.epochs }
    /// The best validation accuracy of any epoch of any run.
    public var bestValidationAccuracy: Float? {
        record?.runs.compactMap(\.scores.bestValidationAccuracy).max()
    }
    public var modified: Date? { record?.modified }
}

/// One text's classification.
public struct Prediction: Sendable, Equatable {
    public var text: String
    public var label: String
    public var classes: [String]
    /// Per class, in `classes` order.
    public var probabilities: [Float]
    public var confidence: Float { probabilities.max() ?? 0 }

    init(text: String, classes: [String], probabilities: [Float]) {
        self.text = text
        self.classes = classes
        self.probabilities = probabilities
        let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
        self.label = classes.indices.contains(best) ? classes[best] : ""
    }
}
