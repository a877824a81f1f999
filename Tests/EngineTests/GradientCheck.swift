import Testing
@testable import Engine

/// Finite-difference gradient checks: loss = Σ y·r for a fixed random r, so dL/dy = r; compare
/// the layer's backward with central differences of that loss for every parameter and (for
/// float inputs) the input. Float32 differences are noisy, hence the relative tolerance.
enum GradientCheck {
    static func randomTensor(_ shape: [Int], _ rng: inout SeededGenerator, scale: Float = 1) -> Tensor {
        Initializer.uniform(shape, -scale, scale, rng: &rng)
    }

    static func loss(_ layer: Layer, _ x: Tensor, _ r: Tensor) throws -> Double {
        let y = try layer.forward(x, training: false)
        var s = 0.0
        let ys = y.scalars, rs = r.scalars
        for i in 0..<ys.count { s += Double(ys[i]) * Double(rs[i]) }
        return s
    }

    /// Checks every parameter's gradient and, unless `checkInput` is false, the input gradient.
    /// `probes` caps how many coordinates per tensor are checked (spread evenly).
    static func check(_ layer: Layer, input: Tensor, checkInput: Bool = true, seed: UInt64 = 7,
                      eps: Float = 1e-2, rtol: Double = 2e-2, atol: Double = 2e-3, probes: Int = 40,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        var rng = SeededGenerator(seed: seed)
        let y = try layer.forward(input, training: false)
        let r = randomTensor(y.shape, &rng)
        let dx = layer.backward(r)
        let analyticParams = layer.parameters.map { $0.grad }

        func compare(_ what: String, count: Int, analytic: (Int) -> Float, perturb: (Int, Float) -> Void) throws {
            let stride = max(1, count / probes)
            for i in Swift.stride(from: 0, to: count, by: stride) {
                perturb(i, eps)
                let lp = try loss(layer, input, r)
                perturb(i, -2 * eps)
                let lm = try loss(layer, input, r)
                perturb(i, eps)
                let numeric = (lp - lm) / (2 * Double(eps))
                let a = Double(analytic(i))
                if !(abs(a - numeric) <= atol + rtol * max(abs(a), abs(numeric))) {
                    Issue.record("\(layer.name) \(what)[\(i)]: backward \(a), finite difference \(numeric)",
                                 sourceLocation: sourceLocation)
                    return
                }
            }
        }
        for (pi, p) in layer.parameters.enumerated() {
            try compare("grad \(p.name)", count: p.value.count, analytic: { analyticParams[pi][flat: $0] },
                        perturb: { i, d in p.value[flat: i] += d })
        }
        if checkInput {
            var x = input
            #expect(dx.shape == input.shape, "\(layer.name): input gradient shape \(dx.shape) vs input \(input.shape)",
                    sourceLocation: sourceLocation)
            let stride = max(1, x.count / probes)
            for i in Swift.stride(from: 0, to: x.count, by: stride) {
                let orig = x[flat: i]
                x[flat: i] = orig + eps
                let lp = try loss(layer, x, r)
                x[flat: i] = orig - eps
                let lm = try loss(layer, x, r)
                x[flat: i] = orig
                let numeric = (lp - lm) / (2 * Double(eps))
                let a = Double(dx[flat: i])
                if !(abs(a - numeric) <= atol + rtol * max(abs(a), abs(numeric))) {
                    Issue.record("\(layer.name) input grad[\(i)]: backward \(a), finite difference \(numeric)",
                                 sourceLocation: sourceLocation)
                    return
                }
            }
        }
    }
}
