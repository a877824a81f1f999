/// One Transformer encoder block (post-norm, as Keras's text-classification example):
///
///     a  = MultiHeadAttention(x, x)            self-attention
///     n1 = LayerNorm(x + a)
///     f  = Dense(d)(Dense(ff, relu)(n1))       position-wise feed-forward
///     y  = LayerNorm(n1 + f)
///
/// Input and output [batch, time, d]. Its parts are ordinary layers; the block adds the two
/// residual connections that a plain layer stack cannot express. Weight names are the parts'
/// names prefixed: attention/query/kernel …, norm_1/gamma, ffn_1/kernel, ffn_2/kernel, norm_2/beta.
public final class TransformerEncoderLayer: MaskConsumer {
    public let name: String
    public let attention: MultiHeadAttentionLayer
    public let norm1: LayerNormalizationLayer
    public let ffn1: DenseLayer
    public let ffn2: DenseLayer
    public let norm2: LayerNormalizationLayer
    public var mask: Tensor? = nil

    private var r1 = Tensor.empty   // x + a
    private var r2 = Tensor.empty   // n1 + f
    private var dn1 = Tensor.empty  // dL/dn1 from both of its uses
    private var dx = Tensor.empty

    public init(name: String, modelDim d: Int, heads: Int, keyDim: Int, feedForwardDim ff: Int, rng: inout SeededGenerator) {
        self.name = name
        attention = MultiHeadAttentionLayer(name: "\(name)/attention", modelDim: d, heads: heads, keyDim: keyDim, rng: &rng)
        norm1 = LayerNormalizationLayer(name: "\(name)/norm_1", features: d)
        ffn1 = DenseLayer(name: "\(name)/ffn_1", inputDim: d, units: ff, activation: .relu, rng: &rng)
        ffn2 = DenseLayer(name: "\(name)/ffn_2", inputDim: ff, units: d, rng: &rng)
        norm2 = LayerNormalizationLayer(name: "\(name)/norm_2", features: d)
        for (prefix, part) in [("attention", attention as Layer), ("norm_1", norm1), ("ffn_1", ffn1), ("ffn_2", ffn2), ("norm_2", norm2)] {
            for p in part.parameters { p.name = "\(prefix)/\(p.name)" }
        }
    }

    public var parameters: [Parameter] {
        attention.parameters + norm1.parameters + ffn1.parameters + ffn2.parameters + norm2.parameters
    }

    public func outputShape(for s: [Int]) throws -> [Int] {
        guard s.count == 2 else {
            throw EngineError.incompatibleLayer(layer: name, inputShape: s,
                reason: "a Transformer block needs a sequence (time, features); put it after an Embedding")
        }
        return try norm2.outputShape(for: ffn2.outputShape(for: ffn1.outputShape(for: norm1.outputShape(for: attention.outputShape(for: s)))))
    }

    public func forward(_ x: Tensor, training: Bool) throws -> Tensor {
        attention.mask = mask
        let a = try attention.forward(x, training: training)
        r1.assign(x)
        add(&r1, a)
        let n1 = try norm1.forward(r1, training: training)
        let f = try ffn2.forward(try ffn1.forward(n1, training: training), training: training)
        r2.assign(n1)
        add(&r2, f)
        return try norm2.forward(r2, training: training)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let dr2 = norm2.backward(dy)
        dn1.assign(dr2)
        add(&dn1, ffn1.backward(ffn2.backward(dr2)))
        let dr1 = norm1.backward(dn1)
        dx.assign(dr1)
        add(&dx, attention.backward(dr1))
        return dx
    }

    private func add(_ a: inout Tensor, _ b: Tensor) {
        a.withUnsafeMutableBufferPointer { ap in b.withUnsafeBufferPointer { bp in
            for i in 0..<ap.count { ap[i] += bp[i] }
        } }
    }
}
