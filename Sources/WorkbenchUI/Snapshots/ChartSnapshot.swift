/// One logged value with the three x positions the chart can plot it at.
public struct MetricPoint: Hashable, Sendable {
    /// Global batch number in the run (1-based).
    public var step: Int
    /// Epoch number (1-based) the value belongs to.
    public var epoch: Int
    /// Seconds since the run started.
    public var relativeTime: Double
    /// Seconds since the Unix epoch.
    public var wallTime: Double
    public var value: Double

    public init(step: Int, epoch: Int, relativeTime: Double, wallTime: Double, value: Double) {
        self.step = step
        self.epoch = epoch
        self.relativeTime = relativeTime
        self.wallTime = wallTime
        self.value = value
    }
}

/// The metrics the chart pane plots.
public enum Metric: String, CaseIterable, Hashable, Sendable {
    case loss, accuracy
}

/// Which curve of a metric: per batch (training only) or per epoch (training and validation).
public enum MetricCurve: Hashable, Sendable {
    case batchTrain
    case epochTrain
    case epochValidation
}

/// Everything logged for one training run.
public struct RunHistory: Hashable, Sendable {
    public var id: String
    public var name: String
    public var batchLoss: [MetricPoint]
    public var batchAccuracy: [MetricPoint]
    public var epochLoss: [MetricPoint]
    public var epochAccuracy: [MetricPoint]
    public var validationLoss: [MetricPoint]
    public var validationAccuracy: [MetricPoint]

    public init(id: String, name: String? = nil, batchLoss: [MetricPoint] = [], batchAccuracy: [MetricPoint] = [],
                epochLoss: [MetricPoint] = [], epochAccuracy: [MetricPoint] = [],
                validationLoss: [MetricPoint] = [], validationAccuracy: [MetricPoint] = []) {
        self.id = id
        self.name = name ?? id
        self.batchLoss = batchLoss
        self.batchAccuracy = batchAccuracy
        self.epochLoss = epochLoss
        self.epochAccuracy = epochAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
    }

    /// The points of one curve.
    public func points(_ metric: Metric, _ curve: MetricCurve) -> [MetricPoint] {
        switch (metric, curve) {
        case (.loss, .batchTrain): return batchLoss
        case (.loss, .epochTrain): return epochLoss
        case (.loss, .epochValidation): return validationLoss
        case (.accuracy, .batchTrain): return batchAccuracy
        case (.accuracy, .epochTrain): return epochAccuracy
        case (.accuracy, .epochValidation): return validationAccuracy
        }
    }

    /// Appends one batch's values.
    public mutating func append(_ b: BatchProgress) {
        batchLoss.append(MetricPoint(step: b.step, epoch: b.epoch, relativeTime: b.relativeTime,
                                     wallTime: b.wallTime, value: b.loss))
        if let a = b.accuracy {
            batchAccuracy.append(MetricPoint(step: b.step, epoch: b.epoch, relativeTime: b.relativeTime,
                                             wallTime: b.wallTime, value: a))
        }
    }

    /// Appends one epoch's values.
    public mutating func append(_ e: EpochMetrics) {
        func point(_ v: Double) -> MetricPoint {
            MetricPoint(step: e.step, epoch: e.epoch, relativeTime: e.relativeTime, wallTime: e.wallTime, value: v)
        }
        epochLoss.append(point(e.trainLoss))
        if let v = e.trainAccuracy { epochAccuracy.append(point(v)) }
        if let v = e.validationLoss { validationLoss.append(point(v)) }
        if let v = e.validationAccuracy { validationAccuracy.append(point(v)) }
    }
}

/// The runs of the session, oldest first. A run's index is its colour slot.
public struct ChartSnapshot: Hashable, Sendable {
    public var runs: [RunHistory]

    public init(runs: [RunHistory] = []) {
        self.runs = runs
    }

    /// The index of run `id`, adding an empty run (named `name`) when it is new.
    @discardableResult
    public mutating func ensureRun(_ id: String, name: String? = nil) -> Int {
        if let i = runs.firstIndex(where: { $0.id == id }) {
            if let name { runs[i].name = name }
            return i
        }
        runs.append(RunHistory(id: id, name: name))
        return runs.count - 1
    }

    /// Records a service event; returns true when it changed the charts.
    @discardableResult
    public mutating func apply(_ event: ServiceEvent) -> Bool {
        switch event {
        case let .runStarted(info):
            ensureRun(info.id, name: info.name)
        case let .batch(b):
            runs[ensureRun(b.run)].append(b)
        case let .epochEnded(e), let .learnerTrained(e):
            runs[ensureRun(e.run)].append(e)
        case let .sessionLoaded(s):
            self = s.charts
        default:
            return false
        }
        return true
    }
}
