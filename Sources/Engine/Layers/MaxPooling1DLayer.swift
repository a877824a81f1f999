/// MaxPooling1D (Keras 3, channels_last): [batch, steps, channels] → [batch, outSteps, channels],
/// the maximum of each window of `poolSize` steps, windows `strides` apart (window geometry and
/// padding in `Pooling1D`; padded steps never win).
///
/// Gradient as TensorFlow's MaxPoolGrad: dy of an output goes to the step holding the window's
/// maximum, the first such step when several tie; overlapping windows add up.
public final class MaxPooling1DLayer: Layer {
    public let name: String
    public let poolSize: Int
    public let strides: Int
    public let padding: Pooling1D.Padding

    private var batch = 0, length = 0, channels = 0, outLength = 0
    private var argmax: [Int32] = []   // [B, Lout, C]: the input step holding each maximum
    private var y = Tensor.empty       // [B, Lout, C]
    private var dx = Tensor.empty      // [B, L, C]

    /// `strides` nil means `poolSize`, as Keras.
    public init(name: String, poolSize: Int = 2, strides: Int? = nil, padding: Pooling1D.Padding = .valid) {
        self.name = name
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
    }

    public var parameters: [Parameter] { [] }

    public func outputShape(for s: [Int]) throws -> [Int] {
        try Pooling1D.outputShape(name, "MaxPooling1D", poolSize: poolSize, strides: strides, padding: padding, s)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.rank == 3 else { throw EngineError.shapeMismatch(layer: name, expected: [-1, -1, -1], got: input.shape) }
        let B = input.shape[0], L = input.shape[1], C = input.shape[2]
        let (lout, left) = try Pooling1D.geometry(name, "MaxPooling1D", poolSize: poolSize, strides: strides,
                                                  padding: padding, length: L, channels: C)
        batch = B; length = L; channels = C; outLength = lout
        let n = B * lout * C
        if argmax.count < n { argmax.append(contentsOf: repeatElement(0, count: n - argmax.count)) }
        y.reshape(B, lout, C)
        let s = strides, k = poolSize
        y.withUnsafeMutableBufferPointer { yb in
            input.withUnsafeBufferPointer { xb in
                argmax.withUnsafeMutableBufferPointer { ab in
                    for b in 0..<B {
                        let xrow = b * L * C
                        for t in 0..<lout {
                            let o = (b * lout + t) * C
                            let w = Pooling1D.window(t, strides: s, padLeft: left, poolSize: k, length: L)
                            for c in 0..<C { yb[o + c] = xb[xrow + w.lowerBound * C + c]; ab[o + c] = Int32(w.lowerBound) }
                            for p in (w.lowerBound + 1)..<w.upperBound {
                                let xr = xrow + p * C
                                for c in 0..<C where xb[xr + c] > yb[o + c] { yb[o + c] = xb[xr + c]; ab[o + c] = Int32(p) }
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == y.shape, "\(name): backward got dL/dy of shape \(dy.shape) for an output of shape \(y.shape)")
        let B = batch, L = length, C = channels, lout = outLength
        dx.reshape(B, L, C)
        dx.fill(0)
        dx.withUnsafeMutableBufferPointer { db in
            dy.withUnsafeBufferPointer { g in
                argmax.withUnsafeBufferPointer { ab in
                    for b in 0..<B {
                        for t in 0..<lout {
                            let o = (b * lout + t) * C
                            for c in 0..<C { db[(b * L + Int(ab[o + c])) * C + c] += g[o + c] }
                        }
                    }
                }
            }
        }
        return dx
    }
}
