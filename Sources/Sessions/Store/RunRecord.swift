import Engine
import Foundation
import Learners

/// What the next training makes: the model being shaped (the model pane's). Editing a plan
/// creates nothing; a run begins when training begins (`SessionHandle.train`).
public enum RunPlan: Sendable, Equatable, Codable {
    /// Layers trained in epochs from fresh weights, with an optimiser.
    case neural(NeuralPlan)
    /// A learner (SVM, forest, fastText…) trained in one go.
    case learner(LearnerRecipe)

    /// The model in a few words: "svm:c=0.5", or the layers ("Embedding(64) → LSTM(64) → Dense(1)").
    public var summary: String {
        switch self {
        case let .neural(p): return p.model.summary
        case let .learner(r): return r.spec
        }
    }

    /// The neural plan (nil for a learner).
    public var neuralSettings: NeuralPlan? {
        if case let .neural(p) = self { return p }
        return nil
    }

    enum CodingKeys: String, CodingKey { case kind, neural, learner }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .neural(p): try c.encode("neural", forKey: .kind); try c.encode(p, forKey: .neural)
        case let .learner(r): try c.encode("learner", forKey: .kind); try c.encode(r, forKey: .learner)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "neural": self = .neural(try c.decode(NeuralPlan.self, forKey: .neural))
        case "learner": self = .learner(try c.decode(LearnerRecipe.self, forKey: .learner))
        default: throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown plan kind '\(kind)' (expected neural or learner)")
        }
    }
}

/// A neural model and how to train it.
public struct NeuralPlan: Sendable, Equatable, Codable {
    public var model: ModelSpec
    public var optimizer: OptimizerSpec
    public var fit: FitConfig

    public init(model: ModelSpec, optimizer: OptimizerSpec, fit: FitConfig) {
        self.model = model; self.optimizer = optimizer; self.fit = fit
    }
}

/// A settings change within a neural run (learning rate, optimiser, batch size, epochs), at
/// the step it took effect, so the run says what it was trained with.
public struct SettingsChange: Sendable, Equatable, Codable {
    /// Batches trained before the change.
    public var step: Int
    public var time: Date
    public var optimizer: OptimizerSpec
    public var fit: FitConfig

    public init(step: Int, time: Date, optimizer: OptimizerSpec, fit: FitConfig) {
        self.step = step; self.time = time; self.optimizer = optimizer; self.fit = fit
    }
}

/// A neural run: its model trained from fresh weights drawn from `weightSeed`, and where it is.
public struct NeuralRun: Sendable, Equatable, Codable {
    public var model: ModelSpec
    /// The optimiser and fit settings in force now (`changes` says when they changed).
    public var optimizer: OptimizerSpec
    public var fit: FitConfig
    public var weightSeed: UInt64
    /// The training cursor (epoch, batch, shuffle and dropout generators, running sums) at the
    /// session's last checkpoint; `cursor.history` holds the run's finished epochs.
    public var cursor: TrainerState
    /// Settings changed after the run began, oldest first.
    public var changes: [SettingsChange]

    enum CodingKeys: String, CodingKey { case model, optimizer, fit, weightSeed = "weight_seed", cursor, changes }

    public init(model: ModelSpec, optimizer: OptimizerSpec, fit: FitConfig, weightSeed: UInt64, cursor: TrainerState,
                changes: [SettingsChange] = []) {
        self.model = model; self.optimizer = optimizer; self.fit = fit; self.weightSeed = weightSeed
        self.cursor = cursor; self.changes = changes
    }

    public var plan: NeuralPlan { NeuralPlan(model: model, optimizer: optimizer, fit: fit) }
    /// All planned epochs trained, or EarlyStopping stopped it.
    public var isComplete: Bool { cursor.epochsCompleted >= fit.epochs || stoppedEarly }
    /// `--checkpoint best`: the epoch (1-based) whose weights are the run's model (nil: the last).
    public var bestCheckpointEpoch: Int? { fit.callbacks?.bestCheckpoint == nil ? nil : cursor.callbacks?.bestCheckpoint.epoch }
    /// EarlyStopping (still in the settings) stopped the run.
    public var stoppedEarly: Bool { fit.callbacks?.earlyStopping != nil && cursor.callbacks?.earlyStopping.stoppedEpoch != nil }
    /// Whether it has trained a batch.
    public var hasTrained: Bool { cursor.step > 0 || !cursor.history.isEmpty }
}

/// What a learner scored once trained: cross-entropy and accuracy on the training and
/// validation examples, and how long it took.
public struct LearnerResult: Sendable, Equatable, Codable {
    public var loss: Float
    public var accuracy: Float
    public var validationLoss: Float?
    public var validationAccuracy: Float?
    public var seconds: Double
    public var samplesPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case loss, accuracy, validationLoss = "validation_loss", validationAccuracy = "validation_accuracy"
        case seconds, samplesPerSecond = "samples_per_second"
    }

    public init(loss: Float, accuracy: Float, validationLoss: Float?, validationAccuracy: Float?, seconds: Double, samplesPerSecond: Double) {
        self.loss = loss; self.accuracy = accuracy; self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy; self.seconds = seconds; self.samplesPerSecond = samplesPerSecond
    }
}

/// A learner run: the recipe, the seed it was fitted with, and its result once trained.
public struct LearnerRun: Sendable, Equatable, Codable {
    public var recipe: LearnerRecipe
    public var seed: UInt64
    public var result: LearnerResult?

    public init(recipe: LearnerRecipe, seed: UInt64, result: LearnerResult? = nil) {
        self.recipe = recipe; self.seed = seed; self.result = result
    }
}

/// What a run trains, with the results of the same kind.
public enum RunKind: Sendable, Equatable {
    case neural(NeuralRun)
    case learner(LearnerRun)
}

/// One training run. Runs begin when training begins; a session keeps every run so they can
/// be compared (and their models in `runs/`, so any run can be used again).
public struct RunRecord: Sendable, Equatable, Codable {
    public var id: Int
    public var started: Date
    public var kind: RunKind
    /// A name the user gave the run (`:rename-run`); nil: it goes by its number.
    public var name: String?

    public init(id: Int, started: Date, kind: RunKind) {
        self.id = id; self.started = started; self.kind = kind
    }

    /// The neural run, for code that only ever deals with one (the engine's worker).
    public var neural: NeuralRun? {
        if case let .neural(n) = kind { return n }
        return nil
    }

    public var isComplete: Bool {
        switch kind {
        case let .neural(n): return n.isComplete
        case let .learner(l): return l.result != nil
        }
    }

    /// Whether it has trained at all (a batch, or the learner's fit).
    public var hasTrained: Bool {
        switch kind {
        case let .neural(n): return n.hasTrained
        case let .learner(l): return l.result != nil
        }
    }

    /// The model in a few words: "svm:c=0.5", or the layers ("Embedding(64) → LSTM(64) → Dense(1)").
    public var summary: String {
        switch kind {
        case let .neural(n): return n.model.summary
        case let .learner(l): return l.recipe.spec
        }
    }

    /// The plan that would train this run again.
    public var plan: RunPlan {
        switch kind {
        case let .neural(n): return .neural(n.plan)
        case let .learner(l): return .learner(l.recipe)
        }
    }

    /// The run's scores as of its end (or last epoch): what the leaderboard ranks.
    public var scores: RunScores {
        switch kind {
        case let .neural(n):
            let h = n.cursor.history
            return RunScores(validationAccuracy: h.last?.validationAccuracy, bestValidationAccuracy: h.compactMap(\.validationAccuracy).max(),
                             trainAccuracy: h.last?.accuracy, epochs: h.count, seconds: h.reduce(0) { $0 + $1.seconds })
        case let .learner(l):
            let r = l.result
            return RunScores(validationAccuracy: r?.validationAccuracy, bestValidationAccuracy: r?.validationAccuracy,
                             trainAccuracy: r?.accuracy, epochs: nil, seconds: r?.seconds ?? 0)
        }
    }

    enum CodingKeys: String, CodingKey { case id, started, kind, neural, learner, name }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(started, forKey: .started)
        try c.encodeIfPresent(name, forKey: .name)
        switch kind {
        case let .neural(n): try c.encode("neural", forKey: .kind); try c.encode(n, forKey: .neural)
        case let .learner(l): try c.encode("learner", forKey: .kind); try c.encode(l, forKey: .learner)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        started = try c.decode(Date.self, forKey: .started)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        let k = try c.decode(String.self, forKey: .kind)
        switch k {
        case "neural": kind = .neural(try c.decode(NeuralRun.self, forKey: .neural))
        case "learner": kind = .learner(try c.decode(LearnerRun.self, forKey: .learner))
        default: throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown run kind '\(k)' (expected neural or learner)")
        }
    }
}

/// A run's scores, whatever its kind.
public struct RunScores: Sendable, Equatable {
    /// The last epoch's (a learner's only) validation accuracy.
    public var validationAccuracy: Float?
    public var bestValidationAccuracy: Float?
    public var trainAccuracy: Float?
    /// Epochs trained; nil for a learner, which trains in one go.
    public var epochs: Int?
    /// Seconds of training.
    public var seconds: Double
}

extension ModelSpec {
    /// "Embedding(64) → LSTM(64) → Dense(1, sigmoid)".
    public var summary: String { layers.map(\.label).joined(separator: " → ") }
}
