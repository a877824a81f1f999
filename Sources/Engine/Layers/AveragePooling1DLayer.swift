/// AveragePooling1D (Keras 3, channels_last): [batch, steps, channels] → [batch, outSteps,
/// channels], the mean of each window of `poolSize` steps, windows `strides` apart (window
/// geometry and padding in `Pooling1D`). With padding "same" a window at an edge averages over
/// its real steps only, as TensorFlow's SAME average pooling (padding is not counted).
///
/// Backward: dy of an output is shared equally among its window's real steps; overlapping
/// windows add up.
public final class AveragePooling1DLayer: Layer {
    public let name: String
    public let poolSize: Int
    public let strides: Int
    public let padding: Pooling1D.Padding

    private var batch = 0, length = 0, channels = 0, outLength = 0, padLeft = 0
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
        try Pooling1D.outputShape(name, "AveragePooling1D", poolSize: poolSize, strides: strides, padding: padding, s)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.rank == 3 else { throw EngineError.shapeMismatch(layer: name, expected: [-1, -1, -1], got: input.shape) }
        let B = input.shape[0], L = input.shape[1], C = input.shape[2]
        let (lout, left) = try Pooling1D.geometry(name, "AveragePooling1D", poolSize: poolSize, strides: strides,
                                                  padding: padding, length: L, channels: C)
        batch = B; length = L; channels = C; outLength = lout; padLeft = left
        y.reshape(B, lout, C)
        let s = strides, k = poolSize
        y.withUnsafeMutableBufferPointer { yb in
            input.withUnsafeBufferPointer { xb in
                for b in 0..<B {
                    let xrow = b * L * C
                    for t in 0..<lout {
                        let o = (b * lout + t) * C
                        let w = Pooling1D.window(t, strides: s, padLeft: left, poolSize: k, length: L)
                        for c in 0..<C { yb[o + c] = 0 }
                        for p in w {
                            let xr = xrow + p * C
                            for c in 0..<C { yb[o + c] += xb[xr + c] }
                        }
                        let n = Float(w.count)
                        for c in 0..<C { yb[o + c] /= n }
                    }
                }
            }
        }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == y.shape, "\(name): backward got dL/dy of shape \(dy.shape) for an output of shape \(y.shape)")
        let B = batch, L = length, C = channels, lout = outLength, s = strides, k = poolSize, left = padLeft
        dx.reshape(B, L, C)
        dx.fill(0)
        dx.withUnsafeMutableBufferPointer { db in
            dy.withUnsafeBufferPointer { g in
                for b in 0..<B {
                    let xrow = b * L * C
                    for t in 0..<lout {
                        let o = (b * lout + t) * C
                        let w = Pooling1D.window(t, strides: s, padLeft: left, poolSize: k, length: L)
                        let n = Float(w.count)
                        for p in w {
                            let xr = xrow + p * C
                            for c in 0..<C { db[xr + c] += g[o + c] / n }
                        }
                    }
                }
            }
        }
        return dx
    }
}
