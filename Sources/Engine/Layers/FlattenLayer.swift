/// Flatten: [batch, d1, d2, …] → [batch, d1·d2·…], row-major (Keras's channels_last order: for
/// a sequence [batch, steps, channels], all channels of step 0, then of step 1, …).
///
/// Only the shape changes: forward returns the input's values under the new shape and backward
/// dL/dy under the input's shape, without copying.
public final class FlattenLayer: Layer {
    public let name: String

    private var lastInputShape: [Int] = []   // [B, d1, d2, …] of the last forward
    private var lastOutputShape: [Int] = []  // [B, d1·d2·…]

    public init(name: String) {
        self.name = name
    }

    public var parameters: [Parameter] { [] }

    public func outputShape(for s: [Int]) throws -> [Int] {
        guard !s.isEmpty, let n = Checked.product(s) else {
            throw EngineError.incompatibleLayer(layer: name, inputShape: s, reason: "Flatten needs an input with at least one axis besides the batch")
        }
        return [n]
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.rank >= 2 else { throw EngineError.shapeMismatch(layer: name, expected: [-1, -1], got: input.shape) }
        let b = input.shape[0], n = try outputShape(for: Array(input.shape.dropFirst()))[0]
        if lastInputShape != input.shape { lastInputShape = input.shape }
        var y = input
        y.reshape(b, n)
        if lastOutputShape != y.shape { lastOutputShape = y.shape }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == lastOutputShape, "\(name): backward got dL/dy of shape \(dy.shape) for an output of shape \(lastOutputShape)")
        var dx = dy
        dx.reshape(to: lastInputShape)
        return dx
    }
}
