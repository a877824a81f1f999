/// Learned position embedding (as keras_nlp's PositionEmbedding): y[b, t, :] = x[b, t, :] + P[t, :].
/// Gives attention layers the token order. Weights: embeddings [sequenceLength, dim] (Glorot uniform).
public final class PositionEmbeddingLayer: Layer {
    public let name: String
    public let embeddings: Parameter

    private var y = Tensor.empty   // [B, T, D]
    private var dx = Tensor.empty  // [B, T, D]

    public init(name: String, sequenceLength: Int, dim: Int, rng: inout SeededGenerator) {
        self.name = name
        embeddings = Parameter(name: "embeddings", value: Initializer.glorotUniform([sequenceLength, dim], rng: &rng))
    }

    public var parameters: [Parameter] { [embeddings] }
    var length: Int { embeddings.value.shape[0] }
    var dim: Int { embeddings.value.shape[1] }

    public func outputShape(for s: [Int]) throws -> [Int] {
        guard s == [length, dim] else {
            throw EngineError.incompatibleLayer(layer: name, inputShape: s,
                reason: "PositionEmbedding was built for sequences of shape (None, \(length), \(dim))")
        }
        return s
    }

    public func forward(_ x: Tensor, training: Bool) throws -> Tensor {
        try checkInput(x, [length, dim])
        let b = x.shape[0], n = length * dim
        y.reshape(b, length, dim)
        y.withUnsafeMutableBufferPointer { yp in x.withUnsafeBufferPointer { xp in embeddings.value.withUnsafeBufferPointer { p in
            for r in 0..<b { for i in 0..<n { yp[r * n + i] = xp[r * n + i] + p[i] } }
        } } }
        return y
    }

    /// dP = Σ over the batch of dy; dx = dy.
    public func backward(_ dy: Tensor) -> Tensor {
        let b = dy.shape[0], n = length * dim
        dx.assign(dy)
        embeddings.grad.withUnsafeMutableBufferPointer { g in dy.withUnsafeBufferPointer { d in
            for i in 0..<n { g[i] = 0 }
            for r in 0..<b { for i in 0..<n { g[i] += d[r * n + i] } }
        } }
        return dx
    }
}
