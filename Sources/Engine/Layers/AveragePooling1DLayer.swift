/// AveragePooling1D (Keras 3, channels_last): [batch, steps, channels] → [batch, outSteps,
/// channels], the mean of each window of `poolSize` steps, windows `strides` apart (window
/// geometry and padding in `Pooling1D`). With padding "same" a window at an edge averages over
/// its real steps only, as TensorFlow's SAME average pooling (padding is not counted).
///
/// Backward: dy of an output is shared equally among its window's real steps; overlapping
/// windows add up.
public final class AveragePooling1DLayer: Pooling1DCore, Layer {

    /// `strides` nil means `poolSize`, as Keras.
    public init(name: String, poolSize: Int = 2, strides: Int? = nil, padding: Pooling1D.Padding = .valid) {
        super.init(kind: "AveragePooling1D", name: name, poolSize: poolSize, strides: strides, padding: padding)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try beginForward(input)
        let B = batch, L = length, C = channels, lout = outLength, left = padLeft
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
        beginBackward(dy)
        let B = batch, L = length, C = channels, lout = outLength, s = strides, k = poolSize, left = padLeft
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
