/// Conv1D over channels-last sequences, Keras semantics (cross-correlation, kernel not flipped):
///
///     y[b, t, f] = act(bias[f] + Σ_{k, c} xpad[b, t·strides + k·dilation, c] · kernel[k, c, f])
///
/// Weights (Keras layout): kernel [kernelSize, inputChannels, filters], bias [filters].
///
/// Padding (span = dilation·(kernelSize − 1) + 1):
/// - valid:  no padding, outLength = ⌊(L − span) / strides⌋ + 1;
/// - same:   outLength = ⌈L / strides⌉, total = max((outLength − 1)·strides + span − L, 0),
///           left = ⌊total / 2⌋, the odd extra zero goes at the END;
/// - causal: left padding span − 1, outLength = L (strides 1 only).
///
/// Computed as im2col into an own buffer cols [B·Lout, K·Cin] and one gemm with the kernel
/// viewed as [K·Cin, F]. Backward: dW = colsᵀ · dZ, dcols = dZ · Wᵀ, then a col2im
/// scatter-add into dx.
public final class Conv1DLayer: Layer {
    public enum Padding: String, Codable, Sendable, CaseIterable {
        case valid, same, causal
    }

    public let name: String
    public let inputChannels: Int
    public let filters: Int
    public let kernelSize: Int
    public let strides: Int
    public let padding: Padding
    public let dilation: Int
    public let activation: Activation
    public let useBias: Bool
    public let kernel: Parameter
    public let bias: Parameter?

    private var cols = Tensor.empty    // [B·Lout, K·Cin], im2col of the last input
    private var y = Tensor.empty       // [B, Lout, F], the last output (after activation)
    private var dz = Tensor.empty      // [B·Lout, F]
    private var dcols = Tensor.empty   // [B·Lout, K·Cin]
    private var dx = Tensor.empty      // [B, L, Cin]
    private var batch = 0, length = 0, outLength = 0, padLeft = 0

    public init(name: String, inputChannels: Int, filters: Int, kernelSize: Int, strides: Int = 1,
                padding: Padding = .valid, dilation: Int = 1, activation: Activation = .linear,
                useBias: Bool = true, rng: inout SeededGenerator) {
        self.name = name
        self.inputChannels = inputChannels
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.dilation = dilation
        self.activation = activation
        self.useBias = useBias
        // Negative sizes are reported by `validate` (from outputShape/forward); never trap here.
        let shape = [max(kernelSize, 0), max(inputChannels, 0), max(filters, 0)]
        kernel = Parameter(name: "kernel", value: Initializer.glorotUniform(shape, rng: &rng))
        bias = useBias ? Parameter(name: "bias", value: Tensor(shape: [max(filters, 0)])) : nil
    }

    public var parameters: [Parameter] { [kernel] + (bias.map { [$0] } ?? []) }

    /// Throws `EngineError.invalidSpec` for a configuration Keras rejects: non-positive sizes,
    /// strides > 1 together with dilation > 1, or strides > 1 with causal padding.
    public static func validate(name: String, inputChannels: Int, filters: Int, kernelSize: Int,
                                strides: Int, padding: Padding, dilation: Int) throws {
        for (field, v) in [("filters", filters), ("kernel_size", kernelSize), ("strides", strides),
                           ("dilation_rate", dilation), ("input channels", inputChannels)] where v < 1 {
            throw EngineError.invalidSpec(field: "\(name).\(field)", reason: "must be at least 1, got \(v)")
        }
        if strides > 1 && dilation > 1 {
            throw EngineError.invalidSpec(field: "\(name).strides",
                                          reason: "strides > 1 (\(strides)) is not supported together with dilation_rate > 1 (\(dilation))")
        }
        if strides > 1 && padding == .causal {
            throw EngineError.invalidSpec(field: "\(name).strides",
                                          reason: "strides > 1 (\(strides)) is not supported with causal padding")
        }
    }

    /// Output length and left padding for a sequence of `length` steps; throws when the
    /// configuration is invalid or the output would be empty.
    public func geometry(length: Int) throws -> (outLength: Int, padLeft: Int) {
        try Self.validate(name: name, inputChannels: inputChannels, filters: filters, kernelSize: kernelSize,
                          strides: strides, padding: padding, dilation: dilation)
        let span = dilation * (kernelSize - 1) + 1
        let out: Int, left: Int
        switch padding {
        case .valid:
            out = length >= span ? (length - span) / strides + 1 : 0
            left = 0
        case .same:
            out = length > 0 ? (length + strides - 1) / strides : 0
            let total = max((out - 1) * strides + span - length, 0)
            left = total / 2
        case .causal:
            out = max(length, 0)
            left = span - 1
        }
        guard out >= 1 else {
            throw EngineError.incompatibleLayer(
                layer: name, inputShape: [length, inputChannels],
                reason: "a sequence of length \(length) is too short for kernel_size \(kernelSize) with dilation_rate \(dilation), strides \(strides) and padding '\(padding.rawValue)' (the kernel spans \(span) steps; the output would have length \(out))")
        }
        return (out, left)
    }

    public func outputShape(for s: [Int]) throws -> [Int] {
        guard s.count == 2 else {
            throw EngineError.incompatibleLayer(layer: name, inputShape: s,
                                                reason: "Conv1D takes sequences of shape (None, steps, channels)")
        }
        guard s[1] == inputChannels else {
            throw EngineError.incompatibleLayer(layer: name, inputShape: s,
                                                reason: "the kernel expects \(inputChannels) channels on the last axis, got \(s[1])")
        }
        return [try geometry(length: s[0]).outLength, filters]
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.rank == 3, input.shape[2] == inputChannels else {
            throw EngineError.shapeMismatch(layer: name, expected: [-1, -1, inputChannels], got: input.shape)
        }
        let (lout, left) = try geometry(length: input.shape[1])
        let b = input.shape[0], l = input.shape[1], cin = inputChannels, f = filters
        let k = kernelSize, d = dilation, s = strides, kc = k * cin, rows = b * lout
        batch = b; length = l; outLength = lout; padLeft = left

        cols.reshape(rows, kc)
        y.reshape(b, lout, f)
        Pinned.pin(self, writing: [\.cols, \.y], reading: [input, kernel.value] + (bias.map { [$0.value] } ?? [])) { p in
            let cbase = p[\.cols], yp = p.buffer(\.y)        // [B·Lout, K·Cin], [B, Lout, F]
            let xbase = p[read: 0], w = p[read: 1]           // [B, L, Cin], [K·Cin, F]
            // im2col: cols[(b, t), (k, c)] = xpad[b, t·s + k·d − left, c], zero outside [0, L).
            for bi in 0..<b {
                let xb = xbase + bi * l * cin
                for t in 0..<lout {
                    let row = cbase + (bi * lout + t) * kc
                    let start = t * s - left
                    for ki in 0..<k {
                        let pos = start + ki * d
                        let dst = row + ki * cin
                        if pos >= 0 && pos < l {
                            dst.update(from: xb + pos * cin, count: cin)
                        } else {
                            dst.update(repeating: 0, count: cin)
                        }
                    }
                }
            }
            // y[B·Lout, F] = cols · W[K·Cin, F] + bias
            if bias != nil {
                let bp = p[read: 2]                          // [F]
                for r in 0..<rows { for j in 0..<f { yp[r * f + j] = bp[j] } }
            }
            BLAS.gemm(m: rows, n: f, k: kc, a: cbase, lda: kc, b: w, ldb: f, beta: useBias ? 1 : 0, c: yp.baseAddress!, ldc: f)
            activation.apply(yp, rows: rows, cols: f)
        }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == y.shape, "\(name): backward got dL/dy of shape \(dy.shape) for an output of shape \(y.shape)")
        let b = batch, l = length, lout = outLength, left = padLeft
        let cin = inputChannels, f = filters, k = kernelSize, d = dilation, s = strides
        let kc = k * cin, rows = b * lout
        // dz keeps the shape [B·Lout, F] from batch to batch (a changing shape would build a new
        // shape array every time).
        dz.reshape(rows, f)
        dcols.reshape(rows, kc)
        dx.reshape(b, l, cin)
        dx.fill(0)
        let biasGrad: [ReferenceWritableKeyPath<Conv1DLayer, Tensor>] = bias == nil ? [] : [\.bias!.grad]
        Pinned.pin(self, writing: [\.dz, \.dcols, \.dx, \.kernel.grad] + biasGrad,
                   reading: [dy, y, cols, kernel.value]) { p in
            let g = p.buffer(\.dz)                            // [B·Lout, F]
            let dc = p.buffer(\.dcols), dxp = p.buffer(\.dx)  // [B·Lout, K·Cin], [B, L, Cin]
            let dw = p[\.kernel.grad]                         // [K·Cin, F]
            let cp = p[read: 2], w = p[read: 3]              // [B·Lout, K·Cin], [K·Cin, F]
            if rows * f > 0 { g.baseAddress!.update(from: p[read: 0], count: rows * f) }
            activation.backward(output: p.buffer(read: 1), grad: g, rows: rows, cols: f)
            let gp = UnsafePointer(g.baseAddress!)
            // dW[K·Cin, F] = colsᵀ · dz
            BLAS.gemm(transA: true, m: kc, n: f, k: rows, a: cp, lda: kc, b: gp, ldb: f, c: dw, ldc: f)
            if bias != nil {
                let db = p.buffer(\.bias!.grad)               // [F]
                for j in 0..<f { db[j] = 0 }
                for r in 0..<rows { for j in 0..<f { db[j] += g[r * f + j] } }
            }
            // dcols[B·Lout, K·Cin] = dz · Wᵀ
            BLAS.gemm(transB: true, m: rows, n: kc, k: f, a: gp, lda: f, b: w, ldb: f, c: dc.baseAddress!, ldc: kc)

            // col2im: scatter-add every column entry back to the input step it was copied from.
            for bi in 0..<b {
                let xb = bi * l * cin
                for t in 0..<lout {
                    let row = (bi * lout + t) * kc
                    let start = t * s - left
                    for ki in 0..<k {
                        let pos = start + ki * d
                        guard pos >= 0 && pos < l else { continue }
                        let src = row + ki * cin, dst = xb + pos * cin
                        for c in 0..<cin { dxp[dst + c] += dc[src + c] }
                    }
                }
            }
        }
        return dx
    }
}
