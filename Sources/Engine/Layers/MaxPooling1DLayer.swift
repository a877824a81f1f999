/// MaxPooling1D (Keras 3, channels_last): [batch, steps, channels] → [batch, outSteps, channels],
/// the maximum of each window of `poolSize` steps, windows `strides` apart (window geometry and
/// padding in `Pooling1D`; padded steps never win).
///
/// Gradient as TensorFlow's MaxPoolGrad: dy of an output goes to the step holding the window's
/// maximum, the first such step when several tie; overlapping windows add up.
public final class MaxPooling1DLayer: Pooling1DCore, Layer {
    private var argmax: [Int32] = []   // [B, Lout, C]: the input step holding each maximum

    /// `strides` nil means `poolSize`, as Keras.
    public init(name: String, poolSize: Int = 2, strides: Int? = nil, padding: Pooling1D.Padding = .valid) {
        super.init(kind: "MaxPooling1D", name: name, poolSize: poolSize, strides: strides, padding: padding)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try beginForward(input)
        let B = batch, L = length, C = channels, lout = outLength, left = padLeft
        let n = B * lout * C
        if argmax.count < n { argmax.append(contentsOf: repeatElement(0, count: n - argmax.count)) }
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
        beginBackward(dy)
        let B = batch, L = length, C = channels, lout = outLength
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
