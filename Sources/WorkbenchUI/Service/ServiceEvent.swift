/// A training run as it starts.
public struct RunInfo: Hashable, Sendable {
    /// Stable within the session; batch and epoch events name their run by it.
    public var id: String
    /// Shown in the chart's run list and legend.
    public var name: String

    public init(id: String, name: String? = nil) {
        self.id = id
        self.name = name ?? id
    }
}

/// One trained batch.
public struct BatchProgress: Hashable, Sendable {
    public var run: String
    /// 1-based epoch and the run's epoch count.
    public var epoch: Int
    public var epochs: Int
    /// 1-based batch within the epoch and the epoch's batch count.
    public var batch: Int
    public var batchesPerEpoch: Int
    /// 1-based batch number across the whole run (the chart's step axis).
    public var step: Int
    public var loss: Double
    public var accuracy: Double?
    public var samplesPerSecond: Double
    /// Seconds left in the run, nil while unknown (Keras leaves out the first batch).
    public var eta: Double?
    /// Seconds since the run started, and since the Unix epoch.
    public var relativeTime: Double
    public var wallTime: Double

    public init(run: String, epoch: Int, epochs: Int, batch: Int, batchesPerEpoch: Int, step: Int,
                loss: Double, accuracy: Double?, samplesPerSecond: Double, eta: Double?,
                relativeTime: Double, wallTime: Double) {
        self.run = run
        self.epoch = epoch
        self.epochs = epochs
        self.batch = batch
        self.batchesPerEpoch = batchesPerEpoch
        self.step = step
        self.loss = loss
        self.accuracy = accuracy
        self.samplesPerSecond = samplesPerSecond
        self.eta = eta
        self.relativeTime = relativeTime
        self.wallTime = wallTime
    }
}

/// The metrics at the end of an epoch.
public struct EpochMetrics: Hashable, Sendable {
    public var run: String
    public var epoch: Int
    public var epochs: Int
    /// The run's step (global batch number) at the end of the epoch.
    public var step: Int
    public var trainLoss: Double
    public var trainAccuracy: Double?
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    public var relativeTime: Double
    public var wallTime: Double

    public init(run: String, epoch: Int, epochs: Int, step: Int, trainLoss: Double, trainAccuracy: Double?,
                validationLoss: Double?, validationAccuracy: Double?, relativeTime: Double, wallTime: Double) {
        self.run = run
        self.epoch = epoch
        self.epochs = epochs
        self.step = step
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.relativeTime = relativeTime
        self.wallTime = wallTime
    }
}

/// A checkpoint written to disk.
public struct CheckpointInfo: Hashable, Sendable {
    /// Where it went ("Sessions/reviews/weights.safetensors").
    public var path: String
    public var epoch: Int
    public var step: Int

    public init(path: String, epoch: Int = 0, step: Int = 0) {
        self.path = path
        self.epoch = epoch
        self.step = step
    }
}

/// Something that happened on the service side, sent to the UI as a value.
public enum ServiceEvent: Hashable, Sendable {
    /// A new run begins (its batches follow).
    case runStarted(RunInfo)
    case batch(BatchProgress)
    case epochEnded(EpochMetrics)
    /// A learner run trained (in one go: it has no epochs or batches); its one chart point.
    case learnerTrained(EpochMetrics)
    case stateChanged(TrainingState)
    case checkpointSaved(CheckpointInfo)
    /// Something the user should know that did not stop anything (shown in the warning colour).
    case warning(String)
    /// An informational line for the status bar.
    case message(String)
    case datasetLoaded(DatasetSnapshot)
    /// The model changed for a reason other than an edit the UI asked for (a loaded session,
    /// a restored checkpoint).
    case modelChanged(ModelSnapshot)
    /// The examples an evaluation got wrong.
    case misclassified(MisclassifiedExamples)
    /// A different session is now open: every pane starts again from this snapshot.
    case sessionLoaded(WorkbenchSnapshot)
    /// The console's model is served over HTTP (`:serve`), with its request rate; nil: it no
    /// longer is.
    case serving(ServingSnapshot?)
}
