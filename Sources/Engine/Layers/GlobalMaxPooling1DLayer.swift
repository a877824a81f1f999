/// GlobalMaxPooling1D: [batch, steps, channels] → [batch, channels], the maximum over steps.
///
/// Gradient as TensorFlow's `reduce_max` (which Keras uses): dy goes to the step holding the
/// maximum; when several steps tie for it, dy is divided evenly between them.
public final class GlobalMaxPooling1DLayer: Layer {
    public let name: String

    private var x = Tensor.empty       // [B, T, C], copy of the last input
    private var y = Tensor.empty       // [B, C]
    private var ties = Tensor.empty    // [C], number of steps equal to the maximum (per batch row)
    private var dx = Tensor.empty      // [B, T, C]

    public init(name: String) {
        self.name = name
    }

    public var parameters: [Parameter] { [] }

    public func outputShape(for s: [Int]) throws -> [Int] {
        try GlobalPooling.outputShape(name, "GlobalMaxPooling1D", reduction: "maximum", s)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try GlobalPooling.checkInput(name, "GlobalMaxPooling1D", reduction: "maximum", input)
        let b = input.shape[0], t = input.shape[1], c = input.shape[2]
        x.assign(input)
        y.reshape(b, c)
        y.withUnsafeMutableBufferPointer { yp in
            x.withUnsafeBufferPointer { xp in
                for bi in 0..<b {
                    let xb = bi * t * c, yb = bi * c
                    for j in 0..<c { yp[yb + j] = xp[xb + j] }
                    for ti in 1..<t {
                        let row = xb + ti * c
                        for j in 0..<c where xp[row + j] > yp[yb + j] { yp[yb + j] = xp[row + j] }
                    }
                }
            }
        }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == y.shape, "\(name): backward got dL/dy of shape \(dy.shape) for an output of shape \(y.shape)")
        let b = x.shape[0], t = x.shape[1], c = x.shape[2]
        dx.reshape(b, t, c)
        ties.reshape(c)
        dx.withUnsafeMutableBufferPointer { dxp in
            ties.withUnsafeMutableBufferPointer { n in
                x.withUnsafeBufferPointer { xp in
                    y.withUnsafeBufferPointer { yp in
                        dy.withUnsafeBufferPointer { g in
                            for bi in 0..<b {
                                let xb = bi * t * c, yb = bi * c
                                for j in 0..<c { n[j] = 0 }
                                for ti in 0..<t {
                                    let row = xb + ti * c
                                    for j in 0..<c where xp[row + j] == yp[yb + j] { n[j] += 1 }
                                }
                                for ti in 0..<t {
                                    let row = xb + ti * c
                                    for j in 0..<c {
                                        dxp[row + j] = xp[row + j] == yp[yb + j] ? g[yb + j] / n[j] : 0
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
