/// Dropout (inverted): in training, each value is dropped with probability `rate` and the kept
/// ones are scaled by 1 / (1 − rate); in inference it is the identity. The layer draws its
/// masks from its own generator seeded with `seed`, so the same seed gives the same sequence
/// of masks. Backward multiplies dy by the mask of the last forward.
public final class DropoutLayer: DropoutCore, RandomLayer {
    public override init(name: String, rate: Float, seed: UInt64) {
        super.init(name: name, rate: rate, seed: seed)
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
        if passesThrough(input, training: training) { return input }
        scale.reshape(like: input)
        y.reshape(like: input)
        return dropOut(input, 1, 1, input.count)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        backwardThroughMask(dy, 1, 1, dy.count)
    }
}
