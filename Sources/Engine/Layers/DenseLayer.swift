/// Dense: y = activation(x · kernel + bias) over the last axis of an input of any rank.
/// Weights (Keras layout): kernel [in, units], bias [units].
public final class DenseLayer: Layer {
    public let name: String
    public let units: Int
    public let activation: Activation
    public let useBias: Bool
    public let kernel: Parameter
    public let bias: Parameter?

    private var x = Tensor.empty      // [rows, in], copy of the last input
    private var y = Tensor.empty      // [..., units], the last output (after activation)
    private var dz = Tensor.empty     // [rows, units]
    /// The pre-activation output of the last forward, kept when the activation is sigmoid or
    /// softmax: a model's loss reads it, as Keras's does (see `backward(logitsGradient:)`).
    public private(set) var logits = Tensor.empty
    private var dx = Tensor.empty     // [..., in]

    public init(name: String, inputDim: Int, units: Int, activation: Activation = .linear,
                useBias: Bool = true, rng: inout SeededGenerator) {
        self.name = name
        self.units = units
        self.activation = activation
        self.useBias = useBias
        kernel = Parameter(name: "kernel", value: Initializer.glorotUniform([inputDim, units], rng: &rng))
        bias = useBias ? Parameter(name: "bias", value: Tensor(shape: [units])) : nil
    }

    public var inputDim: Int { kernel.value.shape[0] }
    public var parameters: [Parameter] { [kernel] + (bias.map { [$0] } ?? []) }

    public func outputShape(for s: [Int]) throws -> [Int] {
        guard let last = s.last else {
            throw EngineError.incompatibleLayer(layer: name, inputShape: s, reason: "Dense needs at least one feature axis")
        }
        guard last == inputDim else {
            throw EngineError.incompatibleLayer(layer: name, inputShape: s,
                                                reason: "the kernel expects \(inputDim) features on the last axis, got \(last)")
        }
        return Array(s.dropLast()) + [units]
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.rank >= 2, input.shape.last == inputDim else {
            throw EngineError.shapeMismatch(layer: name, expected: [-1, inputDim], got: input.shape)
        }
        let rows = input.count / inputDim, n = units, k = inputDim
        x.assign(input)
        if input.rank == 2 { y.reshape(rows, n) } else { y.reshape(to: Array(input.shape.dropLast()) + [n]) }
        let keepLogits = activation == .sigmoid || activation == .softmax
        if keepLogits { logits.reshape(like: y) }
        Pinned.pin(self, writing: [\.y, \.logits], reading: [x, kernel.value] + (bias.map { [$0.value] } ?? [])) { p in
            let yp = p.buffer(\.y)                           // [rows, n]
            let xp = p[read: 0], w = p[read: 1]              // [rows, k], [k, n]
            if bias != nil {
                let b = p[read: 2]                           // [n]
                for r in 0..<rows { for j in 0..<n { yp[r * n + j] = b[j] } }
            }
            BLAS.gemm(m: rows, n: n, k: k, a: xp, lda: k, b: w, ldb: n, beta: useBias ? 1 : 0, c: yp.baseAddress!, ldc: n)
            if keepLogits { p[\.logits].update(from: yp.baseAddress!, count: rows * n) }
            activation.apply(yp, rows: rows, cols: n)
        }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        dz.assign(dy)
        let rows = x.count / inputDim
        Pinned.pin(self, writing: [\.dz], reading: [y]) { p in
            activation.backward(output: p.buffer(read: 0), grad: p.buffer(\.dz), rows: rows, cols: units)
        }
        return backwardFromPreActivation()
    }

    /// Backward from dL/d(logits), skipping the activation: how a model trains a sigmoid or
    /// softmax head whose loss was computed from the logits.
    public func backward(logitsGradient dl: Tensor) -> Tensor {
        dz.assign(dl)
        return backwardFromPreActivation()
    }

    /// Gradients from dz = dL/d(x·W + b), held in `dz`.
    private func backwardFromPreActivation() -> Tensor {
        let rows = x.count / inputDim, n = units, k = inputDim
        if y.rank == 2 { dx.reshape(rows, k) } else { dx.reshape(to: Array(y.shape.dropLast()) + [k]) }
        let biasGrad: [ReferenceWritableKeyPath<DenseLayer, Tensor>] = bias == nil ? [] : [\.bias!.grad]
        Pinned.pin(self, writing: [\.kernel.grad, \.dx] + biasGrad, reading: [dz, x, kernel.value]) { p in
            let dw = p[\.kernel.grad], dxp = p[\.dx]         // [k, n], [rows, k]
            let g = p.buffer(read: 0), gp = p[read: 0]       // dz [rows, n]
            let xp = p[read: 1], w = p[read: 2]              // [rows, k], [k, n]
            // dW[k, n] = xᵀ · dz
            BLAS.gemm(transA: true, m: k, n: n, k: rows, a: xp, lda: k, b: gp, ldb: n, c: dw, ldc: n)
            if bias != nil {
                let db = p.buffer(\.bias!.grad)               // [n]
                for j in 0..<n { db[j] = 0 }
                for r in 0..<rows { for j in 0..<n { db[j] += g[r * n + j] } }
            }
            // dx[rows, k] = dz · Wᵀ
            BLAS.gemm(transB: true, m: rows, n: k, k: n, a: gp, lda: n, b: w, ldb: n, c: dxp, ldc: k)
        }
        return dx
    }
}
