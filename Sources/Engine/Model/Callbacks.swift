import Foundation

/// A quantity an epoch-end callback watches: an `EpochSummary` field by its Keras log name.
public enum MonitoredQuantity: String, Codable, Sendable, Equatable, CaseIterable {
    case loss, accuracy
    case valLoss = "val_loss", valAccuracy = "val_accuracy"

    /// The value in an epoch's summary (nil: a validation quantity without validation data).
    public func value(in e: EpochSummary) -> Float? {
        switch self {
        case .loss: return e.loss
        case .accuracy: return e.accuracy
        case .valLoss: return e.validationLoss
        case .valAccuracy: return e.validationAccuracy
        }
    }

    /// Keras's "auto" direction: a loss improves downwards, accuracy (`_direction == "up"`) upwards.
    var lowerIsBetter: Bool { self == .loss || self == .valLoss }
    var needsValidation: Bool { self == .valLoss || self == .valAccuracy }
}

/// Keras's `MonitorCallback`: which way is better, and by how much a change must go to count.
public enum MonitorMode: String, Codable, Sendable, Equatable, CaseIterable { case auto, min, max }

/// The comparison of Keras's `MonitorCallback._is_improvement`: `monitor_op(current − min_delta, best)`
/// with min_delta negated for "min". Python computes `current − min_delta` in double; `ops.less` /
/// `ops.greater` then compare as float32 tensors (floatx), so both sides are rounded to Float.
struct Monitor {
    let quantity: MonitoredQuantity
    let mode: MonitorMode
    let minDelta: Double

    var lowerIsBetter: Bool {
        switch mode {
        case .min: return true
        case .max: return false
        case .auto: return quantity.lowerIsBetter
        }
    }

    func isImprovement(_ current: Float, over reference: Float?) -> Bool {
        guard let reference else { return true }
        let delta = lowerIsBetter ? -abs(minDelta) : abs(minDelta)
        let shifted = Float(Double(current) - delta)
        return lowerIsBetter ? shifted < reference : shifted > reference
    }
}

/// Keras's `EarlyStopping`: stop when the monitored quantity has not improved for `patience`
/// epochs; optionally end with the weights of the best epoch.
public struct EarlyStopping: Codable, Sendable, Equatable {
    public var monitor: MonitoredQuantity
    public var minDelta: Double
    public var patience: Int
    public var mode: MonitorMode
    public var restoreBestWeights: Bool
    /// Epochs (0-based, as Keras counts) before monitoring begins.
    public var startFromEpoch: Int
    /// Keras's `baseline`: an improvement resets the wait only when it also beats this.
    public var baseline: Float?

    enum CodingKeys: String, CodingKey {
        case monitor, minDelta = "min_delta", patience, mode, restoreBestWeights = "restore_best_weights"
        case startFromEpoch = "start_from_epoch", baseline
    }

    public init(monitor: MonitoredQuantity = .valLoss, minDelta: Double = 0, patience: Int = 0, mode: MonitorMode = .auto,
                restoreBestWeights: Bool = false, startFromEpoch: Int = 0, baseline: Float? = nil) {
        self.monitor = monitor; self.minDelta = minDelta; self.patience = patience; self.mode = mode
        self.restoreBestWeights = restoreBestWeights; self.startFromEpoch = startFromEpoch; self.baseline = baseline
    }

    /// What Keras keeps between epochs (`wait`, `best`, `best_epoch`, `stopped_epoch`).
    public struct State: Codable, Sendable, Equatable {
        public var wait = 0
        public var best: Float?
        /// 0-based, as Keras counts (nil before any epoch was monitored).
        public var bestEpoch: Int?
        /// 0-based epoch that stopped training (nil while it goes on).
        public var stoppedEpoch: Int?
        public init() {}
        enum CodingKeys: String, CodingKey { case wait, best, bestEpoch = "best_epoch", stoppedEpoch = "stopped_epoch" }
    }

    /// The decision at the end of one epoch.
    public struct Decision: Sendable, Equatable {
        /// This epoch is the best so far (keep its weights).
        public var newBest: Bool
        public var stop: Bool
    }

    private var watch: Monitor { Monitor(quantity: monitor, mode: mode, minDelta: minDelta) }

    /// Keras's `on_epoch_end(epoch, logs)` with `epoch` 0-based. An epoch without the monitored
    /// value (no validation data) or before `startFromEpoch` changes nothing.
    public func decide(epoch: Int, summary: EpochSummary, state: inout State) -> Decision {
        guard let current = monitor.value(in: summary), epoch >= startFromEpoch else {
            return Decision(newBest: false, stop: false)
        }
        state.wait += 1
        if watch.isImprovement(current, over: state.best) {
            state.best = current
            state.bestEpoch = epoch
            if baseline == nil || watch.isImprovement(current, over: baseline) { state.wait = 0 }
            return Decision(newBest: true, stop: false)
        }
        if state.wait >= patience && epoch > 0 {
            state.stoppedEpoch = epoch
            return Decision(newBest: false, stop: true)
        }
        return Decision(newBest: false, stop: false)
    }

    public func validate() throws {
        func fail(_ field: String, _ why: String) -> EngineError { .invalidSpec(field: "early_stopping.\(field)", reason: why) }
        guard minDelta.isFinite, abs(minDelta) <= 1e9 else { throw fail("min_delta", "must be a finite number, got \(minDelta)") }
        guard (0...Limits.maxEpochs).contains(patience) else { throw fail("patience", "must be in 0…\(Limits.maxEpochs), got \(patience)") }
        guard (0...Limits.maxEpochs).contains(startFromEpoch) else {
            throw fail("start_from_epoch", "must be in 0…\(Limits.maxEpochs), got \(startFromEpoch)")
        }
        if let baseline, !baseline.isFinite { throw fail("baseline", "must be a finite number, got \(baseline)") }
    }

    /// "EarlyStopping(val_loss, patience 3, restore best)".
    public var summary: String {
        var parts = [monitor.rawValue, "patience \(patience)"]
        if minDelta != 0 { parts.append("min_delta \(minDelta)") }
        if mode != .auto { parts.append(mode.rawValue) }
        if startFromEpoch > 0 { parts.append("from epoch \(startFromEpoch)") }
        if let baseline { parts.append("baseline \(baseline)") }
        if restoreBestWeights { parts.append("restore best") }
        return "EarlyStopping(\(parts.joined(separator: ", ")))"
    }
}

/// Keras's `ReduceLROnPlateau`: multiply the learning rate by `factor` when the monitored
/// quantity has not improved for `patience` epochs, then wait `cooldown` epochs.
public struct ReduceLROnPlateau: Codable, Sendable, Equatable {
    public var monitor: MonitoredQuantity
    public var factor: Double
    public var patience: Int
    public var mode: MonitorMode
    public var minDelta: Double
    public var cooldown: Int
    public var minLR: Double

    enum CodingKeys: String, CodingKey {
        case monitor, factor, patience, mode, minDelta = "min_delta", cooldown, minLR = "min_lr"
    }

    /// Keras's defaults.
    public init(monitor: MonitoredQuantity = .valLoss, factor: Double = 0.1, patience: Int = 10, mode: MonitorMode = .auto,
                minDelta: Double = 1e-4, cooldown: Int = 0, minLR: Double = 0) {
        self.monitor = monitor; self.factor = factor; self.patience = patience; self.mode = mode
        self.minDelta = minDelta; self.cooldown = cooldown; self.minLR = minLR
    }

    /// What Keras keeps between epochs (`wait`, `cooldown_counter`, `best`).
    public struct State: Codable, Sendable, Equatable {
        public var wait = 0
        public var cooldownCounter = 0
        public var best: Float?
        public init() {}
        enum CodingKeys: String, CodingKey { case wait, cooldownCounter = "cooldown_counter", best }
    }

    private var watch: Monitor { Monitor(quantity: monitor, mode: mode, minDelta: minDelta) }

    /// Keras's `on_epoch_end`: the new learning rate, or nil to keep `learningRate`.
    public func decide(summary: EpochSummary, learningRate: Float, state: inout State) -> Float? {
        guard let current = monitor.value(in: summary) else { return nil }
        if state.cooldownCounter > 0 {
            state.cooldownCounter -= 1
            state.wait = 0
        }
        if watch.isImprovement(current, over: state.best) {
            state.best = current
            state.wait = 0
            return nil
        }
        guard state.cooldownCounter == 0 else { return nil }
        state.wait += 1
        guard state.wait >= patience else { return nil }
        // `_reduce_optimizer_lr`: the float32 rate read as a Python float, compared with
        // float32(min_lr), multiplied and floored in double, stored back as float32. At the
        // floor nothing is reduced and the wait is not reset (Keras's `reduced` stays False).
        guard learningRate > Float(minLR) else { return nil }
        let lowered = Float(Swift.max(Double(learningRate) * factor, minLR))
        state.cooldownCounter = cooldown
        state.wait = 0
        return lowered
    }

    public func validate() throws {
        func fail(_ field: String, _ why: String) -> EngineError { .invalidSpec(field: "reduce_lr_on_plateau.\(field)", reason: why) }
        guard factor.isFinite, factor > 0, factor < 1 else { throw fail("factor", "must be in (0, 1) (Keras refuses a factor ≥ 1), got \(factor)") }
        guard (0...Limits.maxEpochs).contains(patience) else { throw fail("patience", "must be in 0…\(Limits.maxEpochs), got \(patience)") }
        guard (0...Limits.maxEpochs).contains(cooldown) else { throw fail("cooldown", "must be in 0…\(Limits.maxEpochs), got \(cooldown)") }
        guard minDelta.isFinite, abs(minDelta) <= 1e9 else { throw fail("min_delta", "must be a finite number, got \(minDelta)") }
        guard minLR.isFinite, minLR >= 0 else { throw fail("min_lr", "must be a finite number ≥ 0, got \(minLR)") }
    }

    /// "ReduceLROnPlateau(val_loss, ×0.5 after 2, min 1e-06)".
    public var summary: String {
        var parts = [monitor.rawValue, "×\(factor) after \(patience)"]
        if cooldown > 0 { parts.append("cooldown \(cooldown)") }
        if minLR > 0 { parts.append("min \(minLR)") }
        if mode != .auto { parts.append(mode.rawValue) }
        if minDelta != 1e-4 { parts.append("min_delta \(minDelta)") }
        return "ReduceLROnPlateau(\(parts.joined(separator: ", ")))"
    }
}

/// `--checkpoint best`: Keras's `ModelCheckpoint(monitor, save_best_only=True)` — the weights
/// of the best epoch by `monitor` are kept beside the last ones, and used to predict and export.
public struct BestCheckpoint: Codable, Sendable, Equatable {
    public var monitor: MonitoredQuantity
    public var mode: MonitorMode

    public init(monitor: MonitoredQuantity = .valLoss, mode: MonitorMode = .auto) {
        self.monitor = monitor; self.mode = mode
    }

    /// The best value so far and its epoch (1-based, as the run's history counts).
    public struct State: Codable, Sendable, Equatable {
        public var best: Float?
        public var epoch: Int?
        public init() {}
    }

    /// ModelCheckpoint's `_save_model` with save_best_only: `monitor_op(current, best)`, best
    /// starting at ±inf (no min_delta). True when this epoch is the new best.
    public func decide(summary: EpochSummary, state: inout State) -> Bool {
        guard let current = monitor.value(in: summary),
              Monitor(quantity: monitor, mode: mode, minDelta: 0).isImprovement(current, over: state.best) else { return false }
        state.best = current
        state.epoch = summary.epoch
        return true
    }

    public var summary: String { "best \(monitor.rawValue) checkpoint" + (mode == .auto ? "" : " (\(mode.rawValue))") }
}

/// The epoch-end callbacks a run trains with (part of `FitConfig`).
public struct TrainingCallbacks: Codable, Sendable, Equatable {
    public var earlyStopping: EarlyStopping?
    public var reduceLROnPlateau: ReduceLROnPlateau?
    /// `--checkpoint best` (nil: the last epoch's weights are the model).
    public var bestCheckpoint: BestCheckpoint?

    enum CodingKeys: String, CodingKey {
        case earlyStopping = "early_stopping", reduceLROnPlateau = "reduce_lr_on_plateau", bestCheckpoint = "best_checkpoint"
    }

    public init(earlyStopping: EarlyStopping? = nil, reduceLROnPlateau: ReduceLROnPlateau? = nil, bestCheckpoint: BestCheckpoint? = nil) {
        self.earlyStopping = earlyStopping; self.reduceLROnPlateau = reduceLROnPlateau; self.bestCheckpoint = bestCheckpoint
    }

    public var isEmpty: Bool { earlyStopping == nil && reduceLROnPlateau == nil && bestCheckpoint == nil }

    public func validate() throws {
        try earlyStopping?.validate()
        try reduceLROnPlateau?.validate()
    }

    public var summary: String {
        [earlyStopping?.summary, reduceLROnPlateau?.summary, bestCheckpoint?.summary].compactMap { $0 }.joined(separator: ", ")
    }

    var monitors: [MonitoredQuantity] { [earlyStopping?.monitor, reduceLROnPlateau?.monitor, bestCheckpoint?.monitor].compactMap { $0 } }

    /// Both callbacks' state between epochs: saved in the trainer's cursor so a resumed run
    /// decides exactly as an unbroken one.
    public struct State: Codable, Sendable, Equatable {
        public var earlyStopping = EarlyStopping.State()
        public var reduceLROnPlateau = ReduceLROnPlateau.State()
        public var bestCheckpoint = BestCheckpoint.State()
        public init() {}
        enum CodingKeys: String, CodingKey {
            case earlyStopping = "early_stopping", reduceLROnPlateau = "reduce_lr_on_plateau", bestCheckpoint = "best_checkpoint"
        }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            earlyStopping = try c.decodeIfPresent(EarlyStopping.State.self, forKey: .earlyStopping) ?? .init()
            reduceLROnPlateau = try c.decodeIfPresent(ReduceLROnPlateau.State.self, forKey: .reduceLROnPlateau) ?? .init()
            bestCheckpoint = try c.decodeIfPresent(BestCheckpoint.State.self, forKey: .bestCheckpoint) ?? .init()
        }
    }

    /// What the callbacks decided at one epoch end.
    public struct Decision: Sendable, Equatable {
        /// EarlyStopping's best so far.
        public var newBest = false
        public var stop = false
        /// The lowered learning rate (nil: unchanged).
        public var learningRate: Float?
        /// The best checkpoint's best so far (keep these weights).
        public var newBestCheckpoint = false
        public init(newBest: Bool = false, stop: Bool = false, learningRate: Float? = nil, newBestCheckpoint: Bool = false) {
            self.newBest = newBest; self.stop = stop; self.learningRate = learningRate; self.newBestCheckpoint = newBestCheckpoint
        }
    }

    /// Both callbacks at the end of 0-based `epoch`, in Keras's order for
    /// `callbacks=[EarlyStopping, ReduceLROnPlateau]` (neither reads the other's result).
    public func decide(epoch: Int, summary: EpochSummary, learningRate: Float, state: inout State) -> Decision {
        var d = Decision()
        if let es = earlyStopping {
            let e = es.decide(epoch: epoch, summary: summary, state: &state.earlyStopping)
            d.newBest = e.newBest
            d.stop = e.stop
        }
        if let r = reduceLROnPlateau {
            d.learningRate = r.decide(summary: summary, learningRate: learningRate, state: &state.reduceLROnPlateau)
        }
        if let b = bestCheckpoint { d.newBestCheckpoint = b.decide(summary: summary, state: &state.bestCheckpoint) }
        return d
    }
}

/// The command line's `key=value,…,flag` form of a callback's settings.
struct CallbackSettingsText {
    let option: String
    var values: [String: String] = [:]
    var flags: Set<String> = []

    func fail(_ key: String?, _ why: String) -> EngineError {
        .invalidSpec(field: key.map { "\(option) \($0)" } ?? option, reason: why)
    }

    /// Splits `text`; anything not in `keys` or `flagNames` is refused, naming it.
    init(_ text: String, option: String, keys: [String], flagNames: [String]) throws {
        self.option = option
        guard text.utf8.count <= 10_000 else { throw EngineError.invalidSpec(field: option, reason: "longer than 10000 characters") }
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            if let eq = part.firstIndex(of: "=") {
                let key = String(part[..<eq]), value = String(part[part.index(after: eq)...])
                guard keys.contains(key) else {
                    throw fail(key, "is not a setting (\((keys + flagNames).joined(separator: ", ")))")
                }
                guard values[key] == nil else { throw fail(key, "given twice") }
                values[key] = value
            } else {
                guard flagNames.contains(part) else {
                    throw fail(part, keys.contains(part) ? "needs a value (\(part)=…)" : "is not a setting (\((keys + flagNames).joined(separator: ", ")))")
                }
                flags.insert(part)
            }
        }
    }

    func int(_ key: String) throws -> Int? {
        guard let text = values[key] else { return nil }
        guard let n = Int(text) else { throw fail(key, "must be a whole number, got '\(text)'") }
        return n
    }

    func double(_ key: String) throws -> Double? {
        guard let text = values[key] else { return nil }
        guard let v = Double(text), v.isFinite else { throw fail(key, "must be a finite number, got '\(text)'") }
        return v
    }

    func monitor() throws -> MonitoredQuantity? {
        guard let text = values["monitor"] else { return nil }
        guard let m = MonitoredQuantity(rawValue: text) else {
            throw fail("monitor", "unknown quantity '\(text)' (\(MonitoredQuantity.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return m
    }

    func mode() throws -> MonitorMode? {
        guard let text = values["mode"] else { return nil }
        guard let m = MonitorMode(rawValue: text) else { throw fail("mode", "must be auto, min or max, got '\(text)'") }
        return m
    }

    /// Validation errors say "--early-stopping patience" rather than "early_stopping.patience".
    func validated(_ check: () throws -> Void, prefix: String) throws {
        do { try check() } catch EngineError.invalidSpec(let f, let why) {
            throw EngineError.invalidSpec(field: f.replacingOccurrences(of: "\(prefix).", with: "\(option) "), reason: why)
        }
    }
}

extension EarlyStopping {
    /// `monitor=val_loss,patience=3,min_delta=0,mode=auto,start_from_epoch=0,baseline=F,restore_best`
    /// (every part optional; Keras's defaults otherwise). Throws naming the field.
    public init(parsing text: String) throws {
        let t = try CallbackSettingsText(text, option: "--early-stopping",
                                         keys: ["monitor", "patience", "min_delta", "mode", "start_from_epoch", "baseline"],
                                         flagNames: ["restore_best", "restore_best_weights"])
        self.init()
        monitor = try t.monitor() ?? monitor
        patience = try t.int("patience") ?? patience
        minDelta = try t.double("min_delta") ?? minDelta
        mode = try t.mode() ?? mode
        startFromEpoch = try t.int("start_from_epoch") ?? startFromEpoch
        baseline = try t.double("baseline").map(Float.init)
        restoreBestWeights = !t.flags.isDisjoint(with: ["restore_best", "restore_best_weights"])
        let checked = self
        try t.validated({ try checked.validate() }, prefix: "early_stopping")
    }
}

extension ReduceLROnPlateau {
    /// `monitor=val_loss,factor=0.5,patience=2,min_lr=1e-6,cooldown=0,mode=auto,min_delta=1e-4`
    /// (every part optional; Keras's defaults otherwise). Throws naming the field.
    public init(parsing text: String) throws {
        let t = try CallbackSettingsText(text, option: "--reduce-lr-on-plateau",
                                         keys: ["monitor", "factor", "patience", "min_lr", "cooldown", "mode", "min_delta"], flagNames: [])
        self.init()
        monitor = try t.monitor() ?? monitor
        factor = try t.double("factor") ?? factor
        patience = try t.int("patience") ?? patience
        minLR = try t.double("min_lr") ?? minLR
        cooldown = try t.int("cooldown") ?? cooldown
        mode = try t.mode() ?? mode
        minDelta = try t.double("min_delta") ?? minDelta
        let checked = self
        try t.validated({ try checked.validate() }, prefix: "reduce_lr_on_plateau")
    }
}
