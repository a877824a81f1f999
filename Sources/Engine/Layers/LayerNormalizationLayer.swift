/// LayerNormalization over the last axis of an input of any rank (Keras `axis=-1`):
///
///     mean, var = moments over the last axis (biased variance)
///     y = (x − mean) / sqrt(var + epsilon) · gamma + beta
///
/// Weights (Keras order and layout): gamma [features] (ones), beta [features] (zeros).
/// Keras's default epsilon is 1e-3.
public final class LayerNormalizationLayer: Layer {
    public let name: String
    public let features: Int
    public let epsilon: Float
    public let gamma: Parameter
    public let beta: Parameter

    private var xhat = Tensor.empty    // [rows, F], (x − mean) · invStd of the last input
    private var invStd = Tensor.empty  // [rows], 1 / sqrt(var + epsilon)
    private var y = Tensor.empty       // [..., F]
    private var dx = Tensor.empty      // [..., F]

    public init(name: String, features: Int, epsilon: Float = 1e-3) {
        self.name = name
        self.features = features
        self.epsilon = epsilon
        gamma = Parameter(name: "gamma", value: Tensor(shape: [max(features, 0)], repeating: 1))
        beta = Parameter(name: "beta", value: Tensor(shape: [max(features, 0)]))
    }

    public var parameters: [Parameter] { [gamma, beta] }

    public func outputShape(for s: [Int]) throws -> [Int] {
        try checkConfiguration()
        guard let last = s.last else {
            throw EngineError.incompatibleLayer(layer: name, inputShape: s,
                                                reason: "LayerNormalization needs at least one feature axis")
        }
        guard last == features else {
            throw EngineError.incompatibleLayer(layer: name, inputShape: s,
                                                reason: "gamma and beta expect \(features) features on the last axis, got \(last)")
        }
        return s
    }

    /// The settings alone (no shapes): checked per batch without building a shape array.
    private func checkConfiguration() throws {
        guard features >= 1 else {
            throw EngineError.invalidSpec(field: "\(name).features", reason: "must be at least 1, got \(features)")
        }
        guard epsilon.isFinite, epsilon >= 0 else {
            throw EngineError.invalidSpec(field: "\(name).epsilon", reason: "must be a finite number >= 0, got \(epsilon)")
        }
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.rank >= 2, input.shape.last == features else {
            throw EngineError.shapeMismatch(layer: name, expected: [-1, features], got: input.shape)
        }
        try checkConfiguration()
        let n = features, rows = input.count / n, eps = Double(epsilon)
        xhat.reshape(rows, n)
        invStd.reshape(rows)
        y.reshape(like: input)
        xhat.withUnsafeMutableBufferPointer { h in
            invStd.withUnsafeMutableBufferPointer { inv in
                input.withUnsafeBufferPointer { xp in
                    for r in 0..<rows {
                        let base = r * n
                        var sum = 0.0
                        for j in 0..<n { sum += Double(xp[base + j]) }
                        let mean = sum / Double(n)
                        var sq = 0.0
                        for j in 0..<n { let d = Double(xp[base + j]) - mean; sq += d * d }
                        let istd = 1 / (sq / Double(n) + eps).squareRoot()
                        inv[r] = Float(istd)
                        for j in 0..<n { h[base + j] = Float((Double(xp[base + j]) - mean) * istd) }
                    }
                }
            }
            y.withUnsafeMutableBufferPointer { yp in
                gamma.value.withUnsafeBufferPointer { gp in
                    beta.value.withUnsafeBufferPointer { bp in
                        for r in 0..<rows {
                            let base = r * n
                            for j in 0..<n { yp[base + j] = h[base + j] * gp[j] + bp[j] }
                        }
                    }
                }
            }
        }
        return y
    }

    /// dgamma = Σ dy·x̂, dbeta = Σ dy, and per row with g = dy·gamma:
    /// dx = invStd · (g − mean(g) − x̂ · mean(g·x̂)).
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == y.shape, "\(name): backward got dL/dy of shape \(dy.shape) for an output of shape \(y.shape)")
        let n = features, rows = xhat.shape[0]
        dx.reshape(like: y)
        gamma.grad.fill(0)
        beta.grad.fill(0)
        dx.withUnsafeMutableBufferPointer { dxp in
            dy.withUnsafeBufferPointer { g in
                xhat.withUnsafeBufferPointer { h in
                    invStd.withUnsafeBufferPointer { inv in
                        gamma.value.withUnsafeBufferPointer { gp in
                            gamma.grad.withUnsafeMutableBufferPointer { dg in
                                beta.grad.withUnsafeMutableBufferPointer { db in
                                    let invN = 1 / Float(n)
                                    for r in 0..<rows {
                                        let base = r * n
                                        var sumG: Float = 0, sumGH: Float = 0
                                        for j in 0..<n {
                                            let gi = g[base + j], hi = h[base + j]
                                            dg[j] += gi * hi
                                            db[j] += gi
                                            let gg = gi * gp[j]
                                            sumG += gg
                                            sumGH += gg * hi
                                        }
                                        let meanG = sumG * invN, meanGH = sumGH * invN, istd = inv[r]
                                        for j in 0..<n {
                                            let gg = g[base + j] * gp[j]
                                            dxp[base + j] = istd * (gg - meanG - h[base + j] * meanGH)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}
