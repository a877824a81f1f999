import Foundation

/// The learning rate as a function of the optimiser's step: a constant or one of Keras 3's
/// `keras.optimizers.schedules`, computed in Float32 operation by operation as Keras does on
/// float32, so `value(atStep:)` gives Keras's number at every step.
public enum LearningRateSchedule: Codable, Sendable, Equatable {
    case constant(Float)
    /// initial · rate^(step / decaySteps), the exponent floored when `staircase`.
    case exponentialDecay(initial: Float, decaySteps: Int, decayRate: Float, staircase: Bool)
    /// values[0] while step ≤ boundaries[0], values[i] while boundaries[i-1] < step ≤ boundaries[i],
    /// the last value after the last boundary.
    case piecewiseConstant(boundaries: [Int], values: [Float])
    /// With `warmupTarget`: linear from `initial` to the target over `warmupSteps`, then a
    /// cosine from the target down to alpha·target over `decaySteps`. Without: the cosine from
    /// `initial` (warmupSteps ignored).
    case cosineDecay(initial: Float, decaySteps: Int, alpha: Float, warmupTarget: Float?, warmupSteps: Int)

    /// Bounds on what a schedule may hold, so a hand-written session or flag cannot ask for an
    /// unbounded table or a step count Float cannot count.
    public static let maxSteps = 1 << 30
    public static let maxBoundaries = 10_000

    /// The learning rate of the step taken when the optimiser has done `step` steps (Keras's
    /// `iterations` before the update).
    public func value(atStep step: Int) -> Float {
        let t = Float(step)
        switch self {
        case let .constant(lr):
            return lr
        case let .exponentialDecay(initial, decaySteps, decayRate, staircase):
            var p = t / Float(decaySteps)
            if staircase { p = p.rounded(.down) }
            return initial * Foundation.pow(decayRate, p)
        case let .piecewiseConstant(boundaries, values):
            guard let last = values.last else { return 0 }
            for (i, b) in boundaries.enumerated() where step <= b && i < values.count { return values[i] }
            return last
        case let .cosineDecay(initial, decaySteps, alpha, warmupTarget, warmupSteps):
            let decay = Float(decaySteps)
            guard let target = warmupTarget else {
                return Self.cosine(min(t, decay), decay, from: initial, alpha: alpha)
            }
            let warmup = Float(warmupSteps)
            let s = min(t, decay + warmup)
            if s < warmup { return (target - initial) * (s / warmup) + initial }
            return Self.cosine(s - warmup, decay, from: target, alpha: alpha)
        }
    }

    /// Keras's `_decay_function`. π is float32's nearest π (Swift's `Float.pi` is rounded
    /// toward zero); (1 − α) is formed in double as Python does, then rounded.
    private static func cosine(_ step: Float, _ decaySteps: Float, from lr: Float, alpha: Float) -> Float {
        let fraction = step / decaySteps
        let cosineDecayed = Float(0.5) * (1 + Foundation.cos(Float(Double.pi) * fraction))
        let decayed = Float(1 - Double(alpha)) * cosineDecayed + alpha
        return lr * decayed
    }

    /// The rate a run starts from (what `OptimizerSpec.learningRate` reports).
    public var initialValue: Float { value(atStep: 0) }

    /// Throws when a setting is out of range, naming the field (`field` is the prefix, e.g.
    /// "optimizer.learningRate").
    public func validate(field: String) throws {
        func check(_ ok: Bool, _ name: String, _ why: String) throws {
            if !ok { throw EngineError.invalidSpec(field: "\(field).\(name)", reason: why) }
        }
        func rate(_ v: Float, _ name: String, positive: Bool = true) throws {
            try check(v.isFinite && (positive ? v > 0 : v >= 0), name,
                      "must be a \(positive ? "positive" : "non-negative") number, got \(v)")
        }
        func steps(_ n: Int, _ name: String, min: Int) throws {
            try check(n >= min && n <= Self.maxSteps, name, "must be in \(min)…\(Self.maxSteps), got \(n)")
        }
        switch self {
        case let .constant(lr):
            if !(lr.isFinite && lr > 0) {
                throw EngineError.invalidSpec(field: field, reason: "must be a positive number, got \(lr)")
            }
        case let .exponentialDecay(initial, decaySteps, decayRate, _):
            try rate(initial, "initial_learning_rate")
            try steps(decaySteps, "decay_steps", min: 1)
            try check(decayRate.isFinite && decayRate > 0 && decayRate <= 10, "decay_rate", "must be in (0, 10], got \(decayRate)")
        case let .piecewiseConstant(boundaries, values):
            try check(!boundaries.isEmpty && boundaries.count <= Self.maxBoundaries, "boundaries",
                      "must hold 1…\(Self.maxBoundaries) steps, got \(boundaries.count)")
            try check(values.count == boundaries.count + 1, "values",
                      "must hold one more value than boundaries (\(boundaries.count + 1)), got \(values.count)")
            for b in boundaries { try steps(b, "boundaries", min: 0) }
            try check(zip(boundaries, boundaries.dropFirst()).allSatisfy { $0 < $1 }, "boundaries", "must increase strictly")
            for v in values { try rate(v, "values", positive: false) }
            try check(values.contains { $0 > 0 }, "values", "must not all be 0")
        case let .cosineDecay(initial, decaySteps, alpha, warmupTarget, warmupSteps):
            try steps(decaySteps, "decay_steps", min: 1)
            try check(alpha.isFinite && alpha >= 0 && alpha <= 1, "alpha", "must be in [0, 1], got \(alpha)")
            if let target = warmupTarget {
                try rate(initial, "initial_learning_rate", positive: false)
                try rate(target, "warmup_target")
                try steps(warmupSteps, "warmup_steps", min: 0)
            } else {
                try rate(initial, "initial_learning_rate")
            }
        }
    }

    /// A short human form, e.g. "cosine(0.001→, 1000 steps, α=0.0)".
    public var summary: String {
        switch self {
        case let .constant(lr): return "\(lr)"
        case let .exponentialDecay(initial, decaySteps, decayRate, staircase):
            return "\(initial)·\(decayRate)^(t/\(decaySteps))" + (staircase ? " staircase" : "")
        case let .piecewiseConstant(boundaries, values):
            return "piecewise \(values.map { "\($0)" }.joined(separator: "/")) at \(boundaries.map(String.init).joined(separator: ","))"
        case let .cosineDecay(initial, decaySteps, alpha, warmupTarget, warmupSteps):
            var s = "cosine \(warmupTarget ?? initial) over \(decaySteps)" + (alpha > 0 ? ", α=\(alpha)" : "")
            if let target = warmupTarget { s = "warmup \(initial)→\(target) over \(warmupSteps), " + s }
            return s
        }
    }
}

extension LearningRateSchedule {
    /// Parses the command line's form, with `initial` (the `--learning-rate`) as the starting rate:
    /// `exponential:decay_steps=N:decay_rate=F[:staircase]`,
    /// `piecewise:boundaries=N,N…:values=F,F…`,
    /// `cosine:decay_steps=N[:alpha=F][:warmup_steps=N:warmup_target=F]`.
    /// Throws `EngineError.invalidSpec` naming the field for anything else, and validates.
    public init(parsing text: String, initial: Float) throws {
        let field = "--lr-schedule"
        func fail(_ name: String?, _ why: String) -> EngineError {
            EngineError.invalidSpec(field: name.map { "\(field) \($0)" } ?? field, reason: why)
        }
        guard text.utf8.count <= 100_000 else { throw fail(nil, "longer than 100000 characters") }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let kind = parts[0]
        var settings: [String: String] = [:]
        var flags: Set<String> = []
        for part in parts.dropFirst() {
            if let eq = part.firstIndex(of: "=") {
                let key = String(part[..<eq]), value = String(part[part.index(after: eq)...])
                guard settings[key] == nil else { throw fail(key, "given twice") }
                settings[key] = value
            } else {
                guard !flags.contains(part) else { throw fail(part, "given twice") }
                flags.insert(part)
            }
        }
        let allowed: (keys: Set<String>, flags: Set<String>)
        switch kind {
        case "exponential": allowed = (["decay_steps", "decay_rate"], ["staircase"])
        case "piecewise": allowed = (["boundaries", "values"], [])
        case "cosine": allowed = (["decay_steps", "alpha", "warmup_steps", "warmup_target"], [])
        default: throw fail(nil, "unknown schedule '\(kind)' (exponential, piecewise, cosine)")
        }
        for key in settings.keys.sorted() where !allowed.keys.contains(key) {
            throw fail(key, "is not a setting of \(kind) (\(allowed.keys.sorted().joined(separator: ", ")))")
        }
        for flag in flags.sorted() where !allowed.flags.contains(flag) {
            throw fail(flag, allowed.keys.contains(flag) ? "needs a value (\(flag)=…)" : "is not a setting of \(kind)")
        }
        func required(_ key: String) throws -> String {
            guard let v = settings[key] else { throw fail(key, "is required for \(kind)") }
            return v
        }
        func int(_ key: String, _ text: String) throws -> Int {
            guard let n = Int(text) else { throw fail(key, "must be a whole number, got '\(text)'") }
            return n
        }
        func float(_ key: String, _ text: String) throws -> Float {
            guard let v = Float(text), v.isFinite else { throw fail(key, "must be a finite number, got '\(text)'") }
            return v
        }
        func list<T>(_ key: String, _ parse: (String, String) throws -> T) throws -> [T] {
            let items = try required(key).split(separator: ",", omittingEmptySubsequences: false)
            guard items.count <= Self.maxBoundaries + 1 else { throw fail(key, "holds more than \(Self.maxBoundaries + 1) items") }
            return try items.map { try parse(key, String($0)) }
        }
        switch kind {
        case "exponential":
            self = .exponentialDecay(initial: initial, decaySteps: try int("decay_steps", try required("decay_steps")),
                                     decayRate: try float("decay_rate", try required("decay_rate")),
                                     staircase: flags.contains("staircase"))
        case "piecewise":
            self = .piecewiseConstant(boundaries: try list("boundaries", int), values: try list("values", float))
        default:
            let warmupSteps = try settings["warmup_steps"].map { try int("warmup_steps", $0) }
            let warmupTarget = try settings["warmup_target"].map { try float("warmup_target", $0) }
            if (warmupSteps == nil) != (warmupTarget == nil) {
                throw fail(warmupSteps == nil ? "warmup_steps" : "warmup_target", "is required with \(warmupSteps == nil ? "warmup_target" : "warmup_steps")")
            }
            self = .cosineDecay(initial: initial, decaySteps: try int("decay_steps", try required("decay_steps")),
                                alpha: try settings["alpha"].map { try float("alpha", $0) } ?? 0,
                                warmupTarget: warmupTarget, warmupSteps: warmupSteps ?? 0)
        }
        do {
            try validate(field: field)
        } catch EngineError.invalidSpec(let f, let why) {
            // "--lr-schedule.decay_steps" reads better as "--lr-schedule decay_steps".
            throw EngineError.invalidSpec(field: f.replacingOccurrences(of: "\(field).", with: "\(field) "), reason: why)
        }
    }
}
