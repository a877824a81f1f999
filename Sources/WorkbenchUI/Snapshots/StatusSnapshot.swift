import Basics

/// What the status line shows. The UI keeps it up to date from service events.
public struct StatusSnapshot: Hashable, Sendable {
    public var sessionName: String
    public var state: TrainingState
    /// 1-based; 0 before the first batch.
    public var epoch: Int
    public var epochs: Int
    /// 1-based within the epoch; 0 before the first batch.
    public var batch: Int
    public var batchesPerEpoch: Int
    public var samplesPerSecond: Double?
    /// Seconds left in the run.
    public var eta: Double?
    public var lastMessage: String
    /// The last message is a warning or a refusal (drawn in the warning colour).
    public var messageIsWarning: Bool
    /// `:serve`: where and how busy (nil: not serving).
    public var serving: ServingSnapshot?

    public init(sessionName: String = "", state: TrainingState = .idle, epoch: Int = 0, epochs: Int = 0,
                batch: Int = 0, batchesPerEpoch: Int = 0, samplesPerSecond: Double? = nil, eta: Double? = nil,
                lastMessage: String = "", messageIsWarning: Bool = false) {
        self.sessionName = sessionName
        self.state = state
        self.epoch = epoch
        self.epochs = epochs
        self.batch = batch
        self.batchesPerEpoch = batchesPerEpoch
        self.samplesPerSecond = samplesPerSecond
        self.eta = eta
        self.lastMessage = lastMessage
        self.messageIsWarning = messageIsWarning
    }

    public mutating func show(_ message: String, warning: Bool = false) {
        lastMessage = message
        messageIsWarning = warning
    }

    /// Records a service event; returns true when the status line changed.
    @discardableResult
    public mutating func apply(_ event: ServiceEvent) -> Bool {
        switch event {
        case let .runStarted(info):
            epoch = 0
            batch = 0
            eta = nil
            samplesPerSecond = nil
            // Run names already say "run" ("run 2", "run 3 svm"): no "run run 2 started".
            show((info.name.hasPrefix("run ") ? info.name : "run \(info.name)") + " started")
        case let .batch(b):
            epoch = b.epoch
            epochs = b.epochs
            batch = b.batch
            batchesPerEpoch = b.batchesPerEpoch
            samplesPerSecond = b.samplesPerSecond
            eta = b.eta
        case let .epochEnded(e):
            epoch = e.epoch
            epochs = e.epochs
            var text = "epoch \(e.epoch)/\(e.epochs): loss \(Fmt.metric(e.trainLoss))"
            if let a = e.trainAccuracy { text += " acc \(Fmt.metric(a))" }
            if let v = e.validationLoss { text += " · val loss \(Fmt.metric(v))" }
            if let v = e.validationAccuracy { text += " val acc \(Fmt.metric(v))" }
            show(text)
        case let .learnerTrained(e):
            // No epochs or batches to show: the line says what the learner scored.
            (epoch, epochs, batch, batchesPerEpoch, samplesPerSecond, eta) = (0, 0, 0, 0, nil, nil)
            var text = "run \(e.run) trained: loss \(Fmt.metric(e.trainLoss))"
            if let a = e.trainAccuracy { text += " acc \(Fmt.metric(a))" }
            if let v = e.validationAccuracy { text += " · val acc \(Fmt.metric(v))" }
            show(text)
        case let .stateChanged(s):
            state = s
            if case let .failed(reason) = s { show("training failed: \(reason)", warning: true) }
            if s == .finished { eta = 0 }
        case let .checkpointSaved(c):
            show("saved \(c.path)")
        case let .warning(w):
            show(w, warning: true)
        case let .message(m):
            show(m)
        case let .datasetLoaded(d):
            show("loaded \(d.fileName): \(Digits.grouped(d.exampleCount)) examples")
        case .modelChanged:
            return false
        case let .misclassified(m):
            show("evaluated \(Digits.grouped(m.evaluated)) \(m.split) examples: \(Digits.grouped(m.examples.count)) wrong")
        case let .sessionLoaded(s):
            // Serving is the service's to end (it says so with `.serving(nil)`).
            let serving = serving
            self = StatusSnapshot(sessionName: s.sessionName, state: s.state, lastMessage: "opened session \(s.sessionName)")
            self.serving = serving
        case let .serving(s):
            guard s != serving else { return false }
            serving = s
        }
        return true
    }
}
