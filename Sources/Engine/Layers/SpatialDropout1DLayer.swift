/// SpatialDropout1D (Keras 3): dropout of whole channels. In training, for each example and
/// channel, the channel is dropped at every step with probability `rate`, or kept at every step
/// and scaled by 1 / (1 − rate) (Keras's noise shape (batch, 1, channels)); in inference it is
/// the identity. Input [batch, steps, channels].
///
/// Masks come from the layer's own generator seeded with `seed`, drawn example by example,
/// channel by channel, so the same seed gives the same sequence of masks (Keras's own random
/// numbers are not reproduced). Backward multiplies dy by the mask of the last forward.
public final class SpatialDropout1DLayer: DropoutCore, RandomLayer {
    public override init(name: String, rate: Float, seed: UInt64) {
        super.init(name: name, rate: rate, seed: seed)
    }

    /// The channel mask of the last training forward, [batch, channels]: 0 or 1/(1 − rate).
    public var lastScale: Tensor { scale }

    public func outputShape(for s: [Int]) throws -> [Int] {
        try DropoutLayer.validate(name: name, rate: rate)
        guard s.count == 2 else {
            throw EngineError.incompatibleLayer(layer: name, inputShape: s,
                                                reason: "SpatialDropout1D takes sequences of shape (None, steps, channels)")
        }
        return s
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try DropoutLayer.validate(name: name, rate: rate)
        guard input.rank == 3 else { throw EngineError.shapeMismatch(layer: name, expected: [-1, -1, -1], got: input.shape) }
        if passesThrough(input, training: training) { return input }
        let B = input.shape[0], T = input.shape[1], C = input.shape[2]
        scale.reshape(B, C)
        y.reshape(B, T, C)
        return dropOut(input, B, T, C)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let s = dy.shape
        return s.count == 3 ? backwardThroughMask(dy, s[0], s[1], s[2]) : backwardThroughMask(dy, 0, 0, 0)
    }
}
