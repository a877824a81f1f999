/// What Dropout and SpatialDropout1D share: the rate, the seeded mask generator (part of a
/// trainer snapshot), the mask `scale` and the buffers of the last forward. Both are the same
/// computation on a view [B, T, C] of the input with a mask [B, C] broadcast over T: Dropout
/// is B = T = 1, C = every value; SpatialDropout1D keeps the input's own axes.
public class DropoutCore {
    public let name: String
    public let rate: Float
    public let seed: UInt64

    var rng: SeededGenerator
    var scale = Tensor.empty   // [B, C]: 0 for a dropped value or channel, 1/(1−rate) for a kept one
    var y = Tensor.empty       // [B, T, C] (the input's shape)
    var dx = Tensor.empty      // [B, T, C]
    var identity = true        // the last forward passed its input through unchanged
    var lastShape: [Int] = []

    init(name: String, rate: Float, seed: UInt64) {
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

    /// Records the input's shape; true (and nothing drawn) when the forward is the identity:
    /// not training, or a rate of 0.
    func passesThrough(_ input: Tensor, training: Bool) -> Bool {
        lastShape = input.shape
        identity = !(training && rate > 0)
        return identity
    }

    /// Draws a new mask `scale` [B, C] (sized by the caller) and returns y = x · scale, the mask
    /// broadcast over the T steps of x [B, T, C].
    func dropOut(_ input: Tensor, _ B: Int, _ T: Int, _ C: Int) -> Tensor {
        let keep = 1 / (1 - rate), r = rate
        var g = rng   // a local copy: drawing through the class property is much slower
        Pinned.pin(self, writing: [\.scale, \.y], reading: [input]) { p in
            let sp = p.buffer(\.scale), yp = p.buffer(\.y), xp = p.buffer(read: 0)   // [B, C], [B, T, C], [B, T, C]
            for i in 0..<(B * C) { sp[i] = g.nextUniform() >= r ? keep : 0 }
            Self.multiply(xp, by: UnsafeBufferPointer(sp), into: yp, B, T, C)
        }
        rng = g
        return y
    }

    /// dL/dx for the last forward: dy itself after an identity forward, else dy · scale, dy
    /// viewed as [B, T, C].
    func backwardThroughMask(_ dy: Tensor, _ B: Int, _ T: Int, _ C: Int) -> Tensor {
        precondition(dy.shape == lastShape, "\(name): backward got dL/dy of shape \(dy.shape) for an output of shape \(lastShape)")
        if identity { return dy }
        dx.reshape(like: dy)
        Pinned.pin(self, writing: [\.dx], reading: [dy, scale]) { p in
            Self.multiply(p.buffer(read: 0), by: p.buffer(read: 1), into: p.buffer(\.dx), B, T, C)
        }
        return dx
    }

    /// out[b, t, c] = x[b, t, c] · s[b, c].
    private static func multiply(_ x: UnsafeBufferPointer<Float>, by s: UnsafeBufferPointer<Float>,
                              into out: UnsafeMutableBufferPointer<Float>, _ B: Int, _ T: Int, _ C: Int) {
        for b in 0..<B {
            let m = b * C
            for t in 0..<T {
                let o = (b * T + t) * C
                for c in 0..<C { out[o + c] = x[o + c] * s[m + c] }
            }
        }
    }
}
