/// Embedding: token ids [batch, time] (stored as Float) → vectors [batch, time, dim].
/// Weights (Keras layout): embeddings [vocab, dim]. With `maskZero`, id 0 marks padding and
/// `outputMask` is [batch, time] with 1 for real tokens, for the layers that consume a mask.
/// Frozen (`trainable` false, Keras's `trainable=False`): the optimiser leaves the vectors as
/// they are, and backward computes no gradient for them.
public final class EmbeddingLayer: Layer {
    public let name: String
    public let maskZero: Bool
    public let embeddings: Parameter

    private var ids: [Int32] = []
    private var y = Tensor.empty
    public private(set) var outputMask: Tensor? = nil

    public init(name: String, vocabularySize: Int, dim: Int, maskZero: Bool = false, trainable: Bool = true, rng: inout SeededGenerator) {
        self.name = name
        self.maskZero = maskZero
        embeddings = Parameter(name: "embeddings", value: Initializer.uniform([vocabularySize, dim], -0.05, 0.05, rng: &rng))
        embeddings.trainable = trainable
    }

    public var vocabularySize: Int { embeddings.value.shape[0] }
    public var dim: Int { embeddings.value.shape[1] }
    public var parameters: [Parameter] { [embeddings] }

    public func outputShape(for s: [Int]) throws -> [Int] {
        guard s.count == 1 else {
            throw EngineError.incompatibleLayer(layer: name, inputShape: s,
                                                reason: "Embedding takes token ids of shape (None, time), so it must come first")
        }
        return s + [dim]
    }

    public func forward(_ x: Tensor, training: Bool) throws -> Tensor {
        guard x.rank == 2 else { throw EngineError.shapeMismatch(layer: name, expected: [-1, -1], got: x.shape) }
        let n = x.count, d = dim, v = vocabularySize
        if ids.count != n { ids = [Int32](repeating: 0, count: n) }
        try x.withUnsafeBufferPointer { xp in
            for i in 0..<n {
                let id = xp[i]
                guard id >= 0, id < Float(v), id == id.rounded() else {
                    throw EngineError.invalidSpec(field: "\(name) input",
                                                  reason: "token id \(id) at position \(i) is outside the vocabulary 0..<\(v)")
                }
                ids[i] = Int32(id)
            }
        }
        y.reshape(x.shape[0], x.shape[1], d)
        y.withUnsafeMutableBufferPointer { yp in
            embeddings.value.withUnsafeBufferPointer { e in
                ids.withUnsafeBufferPointer { idp in
                    for i in 0..<n {
                        let src = e.baseAddress! + Int(idp[i]) * d
                        (yp.baseAddress! + i * d).update(from: src, count: d)
                    }
                }
            }
        }
        if maskZero {
            var m = outputMask ?? Tensor.empty
            m.reshape(like: x)
            m.withUnsafeMutableBufferPointer { mp in for i in 0..<n { mp[i] = ids[i] == 0 ? 0 : 1 } }
            outputMask = m
        }
        return y
    }

    /// Scatter-adds the rows of dy into the rows of the ids (repeats accumulate). There is no
    /// gradient for integer ids, so this returns an empty tensor.
    public func backward(_ dy: Tensor) -> Tensor {
        let d = dim
        // Frozen: nothing reads the gradient (the optimiser skips the weight), so none is made.
        guard embeddings.trainable else { return Tensor.empty }
        if embeddings.collectOccurrenceSquares {
            var s = embeddings.occurrenceSquares ?? Tensor(shape: embeddings.value.shape)
            embeddings.occurrenceSquares = nil   // keep the buffer uniquely referenced while writing
            s.fill(0)
            s.withUnsafeMutableBufferPointer { sp in dy.withUnsafeBufferPointer { dyp in ids.withUnsafeBufferPointer { idp in
                for i in 0..<idp.count {
                    let row = Int(idp[i]) * d
                    for j in 0..<d { sp[row + j] += dyp[i * d + j] * dyp[i * d + j] }
                }
            } } }
            embeddings.occurrenceSquares = s
        }
        embeddings.grad.fill(0)
        embeddings.grad.withUnsafeMutableBufferPointer { g in
            dy.withUnsafeBufferPointer { dyp in
                ids.withUnsafeBufferPointer { idp in
                    for i in 0..<idp.count {
                        let row = Int(idp[i]) * d
                        for j in 0..<d { g[row + j] += dyp[i * d + j] }
                    }
                }
            }
        }
        return Tensor.empty
    }
}
