/// What SimpleRNN, GRU and LSTM share: the Keras weights (kernel [in, G·U], recurrent_kernel
/// [U, G·U], bias, for G gate blocks of `units`), the mask, the time-major copy of the input,
/// the states h and the steps around the time loop — input and mask checks, the transposes, the
/// input projection of every step in one gemm and its backward. Each subclass keeps its own
/// time loop, forward and backward side by side.
public class RecurrentCore {
    public let name: String
    public let units: Int
    public let returnSequences: Bool
    public let kernel: Parameter
    public let recurrentKernel: Parameter
    public let bias: Parameter
    /// [batch, time], 1 = real step, 0 = padding; nil for no mask.
    public var mask: Tensor? = nil
    /// Keras's class name, for errors ("LSTM needs a sequence…").
    let kind: String

    var batch = 0, time = 0
    var masked = false       // a mask with at least one padded step is in use
    var m = Tensor.empty     // [T, B] time-major mask
    var xT = Tensor.empty    // [T, B, D] copy of the input
    var h = Tensor.empty     // [T+1, B, U]: h[0] = 0, h[t+1] = h_t
    var y = Tensor.empty     // [B, U] or [B, T, U]
    var dh = Tensor.empty    // [B, U] running dL/dh
    var dxT = Tensor.empty   // [T·B, D]
    var dx = Tensor.empty    // [B, T, D]

    /// Draws the kernel (Glorot uniform) and then the recurrent kernel (orthogonal) from `rng`,
    /// in that order, as Keras does; `bias` is the layer's initial bias.
    init(kind: String, name: String, inputDim: Int, units: Int, gates: Int, returnSequences: Bool, bias: Tensor,
         rng: inout SeededGenerator) {
        self.kind = kind
        self.name = name
        self.units = units
        self.returnSequences = returnSequences
        kernel = Parameter(name: "kernel", value: Initializer.glorotUniform([inputDim, gates * units], rng: &rng))
        recurrentKernel = Parameter(name: "recurrent_kernel",
                                    value: Initializer.orthogonal([units, gates * units], rng: &rng))
        self.bias = Parameter(name: "bias", value: bias)
    }

    public var inputDim: Int { kernel.value.shape[0] }
    public var parameters: [Parameter] { [kernel, recurrentKernel, bias] }

    /// h_T of the last forward, [batch, units].
    public var finalState: Tensor { Recurrent.slice(h, index: time, rows: batch, cols: units) }

    public func outputShape(for s: [Int]) throws -> [Int] {
        try Recurrent.outputShape(name, kind, s, inputDim: inputDim, units: units, returnSequences: returnSequences)
    }

    /// The start of every forward: checks `input` [B, T, D] and the mask, keeps the mask
    /// time-major in `m` and the input in `xT` [T, B, D], sizes `h` [T+1, B, U]. Returns (B, T).
    func beginForward(_ input: Tensor) throws -> (batch: Int, time: Int) {
        let (B, T) = try Recurrent.checkInput(name, input, inputDim: inputDim, units: units)
        masked = try Recurrent.loadMask(name, mask, batch: B, time: T, into: &m)
        batch = B; time = T
        let D = inputDim
        xT.reshape(T, B, D)
        h.reshape(T + 1, B, units)
        Pinned.pin(self, writing: [\.xT], reading: [input]) { p in Recurrent.swap01(p[read: 0], p[\.xT], B, T, D) }
        return (B, T)
    }

    /// out[T·B, G·U] = X · W + b for every step at once ([T·B, D] · [D, G·U]), `b` one row.
    func projectInput(into out: UnsafeMutablePointer<Float>, bias b: UnsafePointer<Float>) {
        let rows = time * batch, D = inputDim, G = kernel.value.shape[1]
        for r in 0..<rows { (out + r * G).update(from: b, count: G) }
        Pinned.pin(self, writing: [], reading: [xT, kernel.value]) { p in
            let x = p[read: 0], w = p[read: 1]      // [T·B, D], [D, G·U]
            BLAS.gemm(m: rows, n: G, k: D, a: x, lda: D, b: w, ldb: G, beta: 1, c: out, ldc: G)
        }
    }

    /// The end of every forward: the output from the states h [T+1, B, U]: h_T [B, U], or
    /// h_1…h_T as [B, T, U].
    func finishForward() -> Tensor {
        let B = batch, T = time, U = units
        if returnSequences { y.reshape(B, T, U) } else { y.reshape(B, U) }
        Pinned.pin(self, writing: [\.y], reading: [h]) { p in
            let hp = p[read: 0], yp = p[\.y]
            if returnSequences {
                Recurrent.swap01(hp + B * U, yp, T, B, U)
            } else {
                yp.update(from: hp + T * B * U, count: B * U)
            }
        }
        return y
    }

    /// The start of every backward: checks dy against the last output and sizes dh [B, U],
    /// dxT [T·B, D] and dx [B, T, D].
    func beginBackward(_ dy: Tensor) {
        precondition(dy.shape == y.shape, "\(name): backward got dy \(dy.shape) for output \(y.shape)")
        dh.reshape(batch, units)
        dxT.reshape(time * batch, inputDim)
        dx.reshape(batch, time, inputDim)
    }

    /// The end of every backward, from dz = dL/d(input projection) [T·B, G·U]: dW = Xᵀ · dZ and
    /// dX = dZ · Wᵀ (one gemm each, over all steps), then dX back to batch-major [B, T, D].
    func finishBackward(inputProjectionGradient dz: Tensor) -> Tensor {
        let B = batch, T = time, D = inputDim, G = kernel.value.shape[1], rows = T * B
        Pinned.pin(self, writing: [\.kernel.grad, \.dxT, \.dx], reading: [dz, xT, kernel.value]) { p in
            let dzp = p[read: 0], x = p[read: 1], w = p[read: 2]        // [T·B, G], [T·B, D], [D, G]
            let dw = p[\.kernel.grad], dxt = p[\.dxT], dxp = p[\.dx]    // [D, G], [T·B, D], [B, T, D]
            BLAS.gemm(transA: true, m: D, n: G, k: rows, a: x, lda: D, b: dzp, ldb: G, c: dw, ldc: G)
            BLAS.gemm(transB: true, m: rows, n: D, k: G, a: dzp, lda: G, b: w, ldb: G, c: dxt, ldc: D)
            Recurrent.swap01(dxt, dxp, T, B, D)
        }
        return dx
    }
}

// MARK: - Shared by the recurrent layers (SimpleRNN, GRU, LSTM)

enum Recurrent {
    /// `(time, features)` → `(units)` or `(time, units)`, or why the layer cannot follow.
    static func outputShape(_ layer: String, _ kind: String, _ s: [Int], inputDim: Int, units: Int,
                            returnSequences: Bool) throws -> [Int] {
        guard s.count == 2 else {
            throw EngineError.incompatibleLayer(
                layer: layer, inputShape: s,
                reason: "\(kind) needs a sequence (time, features); put it after an Embedding, a Conv1D or a recurrent layer with return_sequences=True")
        }
        guard units > 0 else {
            throw EngineError.incompatibleLayer(layer: layer, inputShape: s, reason: "\(kind) needs units > 0, got \(units)")
        }
        guard s[1] == inputDim, inputDim > 0 else {
            throw EngineError.incompatibleLayer(layer: layer, inputShape: s,
                                                reason: "the kernel expects \(inputDim) features per step, got \(s[1])")
        }
        guard s[0] > 0 else {
            throw EngineError.incompatibleLayer(layer: layer, inputShape: s, reason: "\(kind) needs at least one time step")
        }
        return returnSequences ? [s[0], units] : [units]
    }

    /// Checks `x` is [batch, time, inputDim] with batch, time > 0; returns (batch, time).
    static func checkInput(_ layer: String, _ x: Tensor, inputDim: Int, units: Int) throws -> (Int, Int) {
        guard x.rank == 3, x.shape[2] == inputDim, x.shape[0] > 0, x.shape[1] > 0, inputDim > 0, units > 0 else {
            throw EngineError.shapeMismatch(layer: layer, expected: [-1, -1, inputDim], got: x.shape)
        }
        return (x.shape[0], x.shape[1])
    }

    /// Copies `mask` [batch, time] into `m` as time-major [time, batch] of 1 (real) / 0 (padding).
    /// Returns false when there is no mask or it pads nothing (then `m` is not used).
    static func loadMask(_ layer: String, _ mask: Tensor?, batch: Int, time: Int, into m: inout Tensor) throws -> Bool {
        guard let mask else { return false }
        guard mask.shape == [batch, time] else {
            throw EngineError.shapeMismatch(layer: "\(layer) (mask)", expected: [batch, time], got: mask.shape)
        }
        m.reshape(time, batch)
        var padded = false
        mask.withUnsafeBufferPointer { src in
            m.withUnsafeMutableBufferPointer { dst in
                for b in 0..<batch {
                    for t in 0..<time {
                        let real = src[b * time + t] != 0
                        dst[t * batch + b] = real ? 1 : 0
                        if !real { padded = true }
                    }
                }
            }
        }
        return padded
    }

    /// dst[j, i, :] = src[i, j, :] for src of shape [a, b, d] (swaps the two leading axes).
    @inline(__always)
    static func swap01(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ a: Int, _ b: Int, _ d: Int) {
        for i in 0..<a {
            for j in 0..<b { (dst + (j * a + i) * d).update(from: src + (i * b + j) * d, count: d) }
        }
    }

    /// A copy of block `index` ([rows, cols]) of a tensor laid out as [_, rows, cols].
    static func slice(_ t: Tensor, index: Int, rows: Int, cols: Int) -> Tensor {
        let n = rows * cols
        guard n > 0, (index + 1) * n <= t.count else { return Tensor(shape: [rows, cols]) }
        let s = t.withUnsafeBufferPointer { Array($0[(index * n)..<((index + 1) * n)]) }
        return Tensor(shape: [rows, cols], scalars: s)
    }

    /// out[c] = Σ_r p[r, c].
    static func columnSums(_ p: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>) {
        for c in 0..<cols { out[c] = 0 }
        for r in 0..<rows {
            let row = p + r * cols
            for c in 0..<cols { out[c] += row[c] }
        }
    }
}
