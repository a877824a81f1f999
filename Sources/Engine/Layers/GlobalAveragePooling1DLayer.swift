/// GlobalAveragePooling1D: [batch, steps, channels] → [batch, channels], the mean over steps.
///
/// With a mask [batch, steps] (1 = real step), the mean is over the real steps only, as Keras:
/// y[b, c] = Σ_t m[b, t]·x[b, t, c] / Σ_t m[b, t]. A row with no real step gives 0 (Keras
/// would give 0/0 = NaN) and no gradient.
public final class GlobalAveragePooling1DLayer: MaskConsumer {
    public let name: String
    public var mask: Tensor? = nil

    private var steps = Tensor.empty   // [B, T], 1 for a step that counts, 0 for padding
    private var counts = Tensor.empty  // [B], the number of steps that count
    private var y = Tensor.empty       // [B, C]
    private var dx = Tensor.empty      // [B, T, C]

    public init(name: String) {
        self.name = name
    }

    public var parameters: [Parameter] { [] }

    public func outputShape(for s: [Int]) throws -> [Int] {
        try GlobalPooling.outputShape(name, "GlobalAveragePooling1D", reduction: "mean", s)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try GlobalPooling.checkInput(name, "GlobalAveragePooling1D", reduction: "mean", input)
        let b = input.shape[0], t = input.shape[1], c = input.shape[2]
        if let mask, mask.shape != [b, t] {
            throw EngineError.shapeMismatch(layer: "\(name) (mask)", expected: [b, t], got: mask.shape)
        }
        // Copy the mask: it may change before backward.
        steps.reshape(b, t)
        counts.reshape(b)
        steps.withUnsafeMutableBufferPointer { sp in
            counts.withUnsafeMutableBufferPointer { np in
                if let mask {
                    mask.withUnsafeBufferPointer { mp in
                        for bi in 0..<b {
                            var n: Float = 0
                            for ti in 0..<t {
                                let m: Float = mp[bi * t + ti] != 0 ? 1 : 0
                                sp[bi * t + ti] = m
                                n += m
                            }
                            np[bi] = n
                        }
                    }
                } else {
                    for i in 0..<(b * t) { sp[i] = 1 }
                    for bi in 0..<b { np[bi] = Float(t) }
                }
            }
        }
        y.reshape(b, c)
        y.withUnsafeMutableBufferPointer { yp in
            input.withUnsafeBufferPointer { xp in
                steps.withUnsafeBufferPointer { sp in
                    counts.withUnsafeBufferPointer { np in
                        for bi in 0..<b {
                            let xb = bi * t * c, yb = bi * c
                            for j in 0..<c { yp[yb + j] = 0 }
                            for ti in 0..<t where sp[bi * t + ti] != 0 {
                                let row = xb + ti * c
                                for j in 0..<c { yp[yb + j] += xp[row + j] }
                            }
                            let n = np[bi]
                            if n > 0 { for j in 0..<c { yp[yb + j] /= n } }
                        }
                    }
                }
            }
        }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == y.shape, "\(name): backward got dL/dy of shape \(dy.shape) for an output of shape \(y.shape)")
        let b = steps.shape[0], t = steps.shape[1], c = y.shape[1]
        dx.reshape(b, t, c)
        dx.withUnsafeMutableBufferPointer { dxp in
            dy.withUnsafeBufferPointer { g in
                steps.withUnsafeBufferPointer { sp in
                    counts.withUnsafeBufferPointer { np in
                        for bi in 0..<b {
                            let n = np[bi], yb = bi * c
                            for ti in 0..<t {
                                let row = (bi * t + ti) * c
                                if sp[bi * t + ti] != 0 && n > 0 {
                                    for j in 0..<c { dxp[row + j] = g[yb + j] / n }
                                } else {
                                    for j in 0..<c { dxp[row + j] = 0 }
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
