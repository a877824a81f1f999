/// Dropout (inverted): in training, each value is dropped with probability `rate` and the kept
/// ones are scaled by 1 / (1 − rate); in inference it is the identity. The layer draws its
/// masks from its own generator seeded with `seed`, so the same seed gives the same sequence
/// of masks. Backward multiplies dy by the mask of the last forward.
public final class DropoutLayer: RandomLayer {
    public let name: String
    public let rate: Float
    public let seed: UInt64

    private var rng: SeededGenerator
    private var scale = Tensor.empty   // [...], 0 for a dropped value, 1/(1−rate) for a kept one
    private var y = Tensor.empty       // [...]
    private var dx = Tensor.empty      // [...]
    private var identity = true        // the last forward passed its input through unchanged
    private var lastShape: [Int] = []

    public init(name: String, rate: Float, seed: UInt64) {
        self.name = name
        self.rate = rate
        self.seed = seed
        rng = SeededGenerator(seed: seed)
    }

    public var parameters: [Parameter] { [] }

    /// The mask generator's current state, so a saved training run draws the same masks
    /// when it resumes.
    public var generator: SeededGenerator {
        get { rng }
        set { rng = newValue }
    }

    /// Throws `EngineError.invalidSpec` unless 0 ≤ rate < 1.
    public static func validate(name: String, rate: Float) throws {
        guard rate >= 0 && rate < 1 else {
            throw EngineError.invalidSpec(field: "\(name).rate", reason: "must be in [0, 1), got \(rate)")
        }
    }

    public func outputShape(for s: [Int]) throws -> [Int] {
        try Self.validate(name: name, rate: rate)
        return s
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try Self.validate(name: name, rate: rate)
        lastShape = input.shape
        guard training && rate > 0 else {
            identity = true
            return input
        }
        identity = false
        let n = input.count, keep = 1 / (1 - rate), r = rate
        scale.reshape(like: input)
        y.reshape(like: input)
        var g = rng   // a local copy: drawing through the class property is much slower
        scale.withUnsafeMutableBufferPointer { sp in
            for i in 0..<n { sp[i] = g.nextUniform() >= r ? keep : 0 }
            y.withUnsafeMutableBufferPointer { yp in
                input.withUnsafeBufferPointer { xp in
                    for i in 0..<n { yp[i] = xp[i] * sp[i] }
                }
            }
        }
        rng = g
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == lastShape, "\(name): backward got dL/dy of shape \(dy.shape) for an output of shape \(lastShape)")
        if identity { return dy }
        let n = dy.count
        dx.reshape(like: dy)
        dx.withUnsafeMutableBufferPointer { dxp in
            dy.withUnsafeBufferPointer { g in
                scale.withUnsafeBufferPointer { sp in
                    for i in 0..<n { dxp[i] = g[i] * sp[i] }
                }
            }
        }
        return dx
    }
}
