/// SpatialDropout1D (Keras 3): dropout of whole channels. In training, for each example and
/// channel, the channel is dropped at every step with probability `rate`, or kept at every step
/// and scaled by 1 / (1 − rate) (Keras's noise shape (batch, 1, channels)); in inference it is
/// the identity. Input [batch, steps, channels].
///
/// Masks come from the layer's own generator seeded with `seed`, drawn example by example,
/// channel by channel, so the same seed gives the same sequence of masks (Keras's own random
/// numbers are not reproduced). Backward multiplies dy by the mask of the last forward.
public final class SpatialDropout1DLayer: RandomLayer {
    public let name: String
    public let rate: Float
    public let seed: UInt64

    private var rng: SeededGenerator
    private var scale = Tensor.empty   // [B, C]: 0 for a dropped channel, 1/(1−rate) for a kept one
    private var y = Tensor.empty       // [B, T, C]
    private var dx = Tensor.empty      // [B, T, C]
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
        lastShape = input.shape
        guard training && rate > 0 else {
            identity = true
            return input
        }
        identity = false
        let B = input.shape[0], T = input.shape[1], C = input.shape[2]
        let keep = 1 / (1 - rate), r = rate
        scale.reshape(B, C)
        y.reshape(B, T, C)
        var g = rng   // a local copy: drawing through the class property is much slower
        scale.withUnsafeMutableBufferPointer { sp in
            for i in 0..<(B * C) { sp[i] = g.nextUniform() >= r ? keep : 0 }
            y.withUnsafeMutableBufferPointer { yp in
                input.withUnsafeBufferPointer { xp in
                    for b in 0..<B {
                        let m = b * C
                        for t in 0..<T {
                            let o = (b * T + t) * C
                            for c in 0..<C { yp[o + c] = xp[o + c] * sp[m + c] }
                        }
                    }
                }
            }
        }
        rng = g
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == lastShape, "\(name): backward got dL/dy of shape \(dy.shape) for an output of shape \(lastShape)")
        if identity { return dy }
        let B = dy.shape[0], T = dy.shape[1], C = dy.shape[2]
        dx.reshape(B, T, C)
        dx.withUnsafeMutableBufferPointer { dxp in
            dy.withUnsafeBufferPointer { g in
                scale.withUnsafeBufferPointer { sp in
                    for b in 0..<B {
                        let m = b * C
                        for t in 0..<T {
                            let o = (b * T + t) * C
                            for c in 0..<C { dxp[o + c] = g[o + c] * sp[m + c] }
                        }
                    }
                }
            }
        }
        return dx
    }
}
