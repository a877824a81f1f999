import Foundation

/// What an optimiser is and how it is set up: a Codable value that sessions save.
/// Defaults are Keras 3's.
public struct OptimizerSpec: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case sgd, adam, adamw, rmsprop }

    public var kind: Kind
    /// The learning rate at each step: a constant or a Keras schedule.
    public var schedule: LearningRateSchedule
    /// The rate of the first step; setting it makes the schedule that constant.
    public var learningRate: Float {
        get { schedule.initialValue }
        set { schedule = .constant(newValue) }
    }
    /// Adam / AdamW.
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    /// Adam, AdamW, RMSprop (Keras 3: 1e-7).
    public var epsilon: Float = 1e-7
    /// SGD and RMSprop momentum; SGD's Nesterov variant.
    public var momentum: Float = 0
    public var nesterov: Bool = false
    /// AdamW's decoupled weight decay (Keras default 0.004).
    public var weightDecay: Float = 0
    /// RMSprop's discounting factor and centred variant.
    public var rho: Float = 0.9
    public var centered: Bool = false
    /// Clip all gradients together so their global L2 norm is at most this (Keras's global_clipnorm).
    public var globalClipNorm: Float? = nil
    /// Reproduce Keras 3 on TensorFlow exactly: an Embedding's gradient reaches Adam as one
    /// slice per token occurrence and is squared slice by slice, so the second moment of an
    /// embedding row uses Σ gᵢ² instead of (Σ gᵢ)². Off (the default): textbook Adam.
    public var kerasSparseEmbeddingMoments = false

    public init(kind: Kind, learningRate: Float? = nil) {
        self.kind = kind
        switch kind {
        case .sgd: self.schedule = .constant(learningRate ?? 0.01)
        case .adam, .rmsprop: self.schedule = .constant(learningRate ?? 0.001)
        case .adamw: self.schedule = .constant(learningRate ?? 0.001); weightDecay = 0.004
        }
    }

    public static func adam(learningRate: Float = 0.001) -> OptimizerSpec { .init(kind: .adam, learningRate: learningRate) }
    public static func sgd(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false) -> OptimizerSpec {
        var s = OptimizerSpec(kind: .sgd, learningRate: learningRate)
        s.momentum = momentum; s.nesterov = nesterov
        return s
    }

    enum CodingKeys: String, CodingKey {
        case kind, learningRate, beta1, beta2, epsilon, momentum, nesterov, weightDecay, rho, centered, globalClipNorm
        case kerasSparseEmbeddingMoments, learningRateSchedule
    }

    /// `learningRate` is always written (the first step's rate) so older readers still load a
    /// spec; `learningRateSchedule` only when the rate is not constant.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(learningRate, forKey: .learningRate)
        if case .constant = schedule {} else { try c.encode(schedule, forKey: .learningRateSchedule) }
        try c.encode(beta1, forKey: .beta1)
        try c.encode(beta2, forKey: .beta2)
        try c.encode(epsilon, forKey: .epsilon)
        try c.encode(momentum, forKey: .momentum)
        try c.encode(nesterov, forKey: .nesterov)
        try c.encode(weightDecay, forKey: .weightDecay)
        try c.encode(rho, forKey: .rho)
        try c.encode(centered, forKey: .centered)
        try c.encodeIfPresent(globalClipNorm, forKey: .globalClipNorm)
        try c.encode(kerasSparseEmbeddingMoments, forKey: .kerasSparseEmbeddingMoments)
    }

    /// Every field but `kind` may be left out and takes its default, so specs written by
    /// older versions (or by hand) still load.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: try c.decode(Kind.self, forKey: .kind),
                  learningRate: try c.decodeIfPresent(Float.self, forKey: .learningRate))
        beta1 = try c.decodeIfPresent(Float.self, forKey: .beta1) ?? beta1
        beta2 = try c.decodeIfPresent(Float.self, forKey: .beta2) ?? beta2
        epsilon = try c.decodeIfPresent(Float.self, forKey: .epsilon) ?? epsilon
        momentum = try c.decodeIfPresent(Float.self, forKey: .momentum) ?? momentum
        nesterov = try c.decodeIfPresent(Bool.self, forKey: .nesterov) ?? nesterov
        weightDecay = try c.decodeIfPresent(Float.self, forKey: .weightDecay) ?? weightDecay
        rho = try c.decodeIfPresent(Float.self, forKey: .rho) ?? rho
        centered = try c.decodeIfPresent(Bool.self, forKey: .centered) ?? centered
        globalClipNorm = try c.decodeIfPresent(Float.self, forKey: .globalClipNorm)
        kerasSparseEmbeddingMoments = try c.decodeIfPresent(Bool.self, forKey: .kerasSparseEmbeddingMoments) ?? false
        if let s = try c.decodeIfPresent(LearningRateSchedule.self, forKey: .learningRateSchedule) { schedule = s }
    }

    /// Throws when a setting is out of range, naming the field.
    public func validate() throws {
        func check(_ ok: Bool, _ field: String, _ why: String) throws {
            if !ok { throw EngineError.invalidSpec(field: "optimizer.\(field)", reason: why) }
        }
        try schedule.validate(field: "optimizer.learningRate")
        try check(beta1 >= 0 && beta1 < 1, "beta1", "must be in [0, 1), got \(beta1)")
        try check(beta2 >= 0 && beta2 < 1, "beta2", "must be in [0, 1), got \(beta2)")
        try check(epsilon >= 0, "epsilon", "must be ≥ 0, got \(epsilon)")
        try check(momentum >= 0 && momentum < 1, "momentum", "must be in [0, 1), got \(momentum)")
        try check(weightDecay >= 0, "weightDecay", "must be ≥ 0, got \(weightDecay)")
        try check(rho >= 0 && rho < 1, "rho", "must be in [0, 1), got \(rho)")
        if let c = globalClipNorm { try check(c > 0, "globalClipNorm", "must be positive, got \(c)") }
    }

    /// A human summary, e.g. "Adam(lr=0.001, β1=0.9, β2=0.999, ε=1e-07)".
    public var summary: String {
        var s: String
        switch kind {
        case .sgd: s = "SGD(lr=\(learningRate)" + (momentum > 0 ? ", momentum=\(momentum)" : "") + (nesterov ? ", nesterov" : "")
        case .adam: s = "Adam(lr=\(learningRate), β1=\(beta1), β2=\(beta2), ε=\(epsilon)"
        case .adamw: s = "AdamW(lr=\(learningRate), β1=\(beta1), β2=\(beta2), ε=\(epsilon), wd=\(weightDecay)"
        case .rmsprop: s = "RMSprop(lr=\(learningRate), ρ=\(rho)" + (momentum > 0 ? ", momentum=\(momentum)" : "") + (centered ? ", centered" : "")
        }
        if let c = globalClipNorm { s += ", clip=\(c)" }
        if case .constant = schedule {} else { s += ", schedule: \(schedule.summary)" }
        return s + ")"
    }
}

/// Applies gradient steps to a fixed list of parameters, keeping per-parameter slots
/// (momentum, first and second moments) aligned with that list.
public final class Optimizer {
    public var spec: OptimizerSpec
    /// Steps taken so far (Keras's `iterations`).
    public private(set) var iterations: Int = 0

    // One stored array per slot kind, so a step can hold several of them at once (Swift's
    // exclusivity rules are per stored property).
    private var momentum: [Tensor] = []     // SGD, RMSprop with momentum
    private var m: [Tensor] = []            // Adam first moment
    private var v: [Tensor] = []            // Adam second moment; RMSprop velocity
    private var averageGrad: [Tensor] = []  // centred RMSprop

    public init(_ spec: OptimizerSpec) {
        self.spec = spec
    }

    /// The slot names this kind keeps, Keras's names.
    public var slotNames: [String] {
        switch spec.kind {
        case .sgd: return spec.momentum > 0 ? ["momentum"] : []
        case .adam, .adamw: return ["m", "v"]
        case .rmsprop: return ["velocity"] + (spec.momentum > 0 ? ["momentum"] : []) + (spec.centered ? ["average_grad"] : [])
        }
    }

    /// Per-parameter state by slot name, for saving.
    public var slots: [String: [Tensor]] {
        var out: [String: [Tensor]] = [:]
        for name in slotNames { out[name] = storage(name) }
        return out
    }

    private func storage(_ name: String) -> [Tensor] {
        switch name {
        case "momentum": return momentum
        case "m": return m
        case "v", "velocity": return v
        default: return averageGrad
        }
    }

    /// Restores saved state (sessions): the step count and the slots, which must match the
    /// parameters' shapes.
    public func restore(iterations: Int, slots: [String: [Tensor]], params: [Parameter]) throws {
        for name in slotNames {
            guard let s = slots[name], s.count == params.count,
                  zip(s, params).allSatisfy({ $0.shape == $1.value.shape }) else {
                throw EngineError.invalidSpec(field: "optimizer state '\(name)'",
                                              reason: "missing or not shaped like the model's \(params.count) weights")
            }
            switch name {
            case "momentum": momentum = s
            case "m": m = s
            case "v", "velocity": v = s
            default: averageGrad = s
            }
        }
        self.iterations = iterations
    }

    private func ensure(_ slot: inout [Tensor], _ params: [Parameter]) {
        if slot.count != params.count || zip(slot, params).contains(where: { $0.shape != $1.value.shape }) {
            slot = params.map { Tensor(shape: $0.value.shape) }
        }
    }

    /// The global L2 norm of the trainable weights' gradients (Keras clips those only).
    public static func globalNorm(_ params: [Parameter]) -> Float {
        var s = 0.0
        for p in params where p.trainable { p.grad.withUnsafeBufferPointer { g in for x in g { s += Double(x) * Double(x) } } }
        return Float(s.squareRoot())
    }

    /// Tells the parameters what the next backward pass must collect for this optimiser
    /// (per-occurrence squares for Keras's sparse Embedding moments). Call before backward.
    public func prepare(_ params: [Parameter]) {
        let want = spec.kerasSparseEmbeddingMoments && (spec.kind == .adam || spec.kind == .adamw)
        for p in params where p.collectOccurrenceSquares != want { p.collectOccurrenceSquares = want }
    }

    /// One step on every parameter from its `grad`.
    public func step(_ params: [Parameter]) {
        switch spec.kind {
        case .sgd: if spec.momentum > 0 { ensure(&momentum, params) }
        case .adam, .adamw: ensure(&m, params); ensure(&v, params)
        case .rmsprop:
            ensure(&v, params)
            if spec.momentum > 0 { ensure(&momentum, params) }
            if spec.centered { ensure(&averageGrad, params) }
        }
        // Keras evaluates the schedule at `iterations` before counting this step.
        let lr = spec.schedule.value(atStep: iterations)
        iterations += 1
        var scale: Float = 1
        if let clip = spec.globalClipNorm {
            let norm = Self.globalNorm(params)
            if norm > clip { scale = clip / norm }
        }
        // A frozen weight keeps its value (and its slots stay zero), as Keras leaves
        // non-trainable weights out of the optimiser.
        for (i, p) in params.enumerated() where p.trainable {
            switch spec.kind {
            case .sgd: sgdStep(p, i, scale, lr)
            case .adam, .adamw: adamStep(p, i, scale, lr)
            case .rmsprop: rmspropStep(p, i, scale, lr)
            }
        }
    }

    /// Keras SGD: m = μ·m − lr·g; w += m (Nesterov: w += μ·m − lr·g); plain: w −= lr·g.
    private func sgdStep(_ p: Parameter, _ i: Int, _ scale: Float, _ lr: Float) {
        let mu = spec.momentum, nesterov = spec.nesterov
        p.grad.withUnsafeBufferPointer { g in p.value.withUnsafeMutableBufferPointer { w in
            if mu == 0 {
                for j in 0..<w.count { w[j] -= lr * (g[j] * scale) }
                return
            }
            momentum[i].withUnsafeMutableBufferPointer { mo in
                for j in 0..<w.count {
                    let gj = g[j] * scale
                    mo[j] = mu * mo[j] - lr * gj
                    w[j] += nesterov ? mu * mo[j] - lr * gj : mo[j]
                }
            }
        } }
    }

    /// Keras 3 Adam ("epsilon hat": ε added to √v without bias correction); AdamW first
    /// decays the weight by lr·wd.
    private func adamStep(_ p: Parameter, _ i: Int, _ scale: Float, _ lr: Float) {
        let b1 = spec.beta1, b2 = spec.beta2, eps = spec.epsilon
        let t = Double(iterations)
        let alpha = Float(Double(lr) * (1 - Foundation.pow(Double(b2), t)).squareRoot() / (1 - Foundation.pow(Double(b1), t)))
        let decay = spec.kind == .adamw ? lr * spec.weightDecay : 0
        p.grad.withUnsafeBufferPointer { g in p.value.withUnsafeMutableBufferPointer { w in
            m[i].withUnsafeMutableBufferPointer { mp in v[i].withUnsafeMutableBufferPointer { vp in
                if decay != 0 { for j in 0..<w.count { w[j] -= w[j] * decay } }
                if spec.kerasSparseEmbeddingMoments, let squares = p.occurrenceSquares {
                    // Keras's per-occurrence second moment (see OptimizerSpec).
                    let s2 = scale * scale
                    squares.withUnsafeBufferPointer { sq in
                        for j in 0..<w.count {
                            let gj = g[j] * scale
                            mp[j] += (gj - mp[j]) * (1 - b1)
                            vp[j] += (sq[j] * s2 - vp[j]) * (1 - b2)
                            w[j] -= mp[j] * alpha / (vp[j].squareRoot() + eps)
                        }
                    }
                    return
                }
                // Branch-free, so it vectorises.
                for j in 0..<w.count {
                    let gj = g[j] * scale
                    mp[j] += (gj - mp[j]) * (1 - b1)
                    vp[j] += (gj * gj - vp[j]) * (1 - b2)
                    w[j] -= mp[j] * alpha / (vp[j].squareRoot() + eps)
                }
            } }
        } }
    }

    /// Keras 3 RMSprop: v = ρv + (1−ρ)g²; centred subtracts the squared running mean of g;
    /// increment = lr·g/√(v + ε), through momentum when set.
    private func rmspropStep(_ p: Parameter, _ i: Int, _ scale: Float, _ lr: Float) {
        let rho = spec.rho, eps = spec.epsilon, mu = spec.momentum
        let centered = spec.centered
        p.grad.withUnsafeBufferPointer { g in p.value.withUnsafeMutableBufferPointer { w in
            v[i].withUnsafeMutableBufferPointer { vp in
                for j in 0..<w.count {
                    let gj = g[j] * scale
                    vp[j] = rho * vp[j] + (1 - rho) * gj * gj
                    var denom = vp[j] + eps
                    if centered {
                        let a = rho * averageGrad[i][flat: j] + (1 - rho) * gj
                        averageGrad[i][flat: j] = a
                        denom = vp[j] - a * a + eps
                    }
                    let inc = lr * gj / denom.squareRoot()
                    if mu > 0 {
                        let mj = mu * momentum[i][flat: j] + inc
                        momentum[i][flat: j] = mj
                        w[j] -= mj
                    } else {
                        w[j] -= inc
                    }
                }
            }
        } }
    }
}
