import Foundation

/// SimpleRNN: h_t = tanh(x_t · kernel + h_{t-1} · recurrent_kernel + bias), h_0 = 0.
/// Weights (Keras layout): kernel [in, units], recurrent_kernel [units, units], bias [units].
///
/// Input [batch, time, in]; output h_T [batch, units], or every h_t [batch, time, units] with
/// `returnSequences`. With a mask, a padded step is skipped: h is carried over unchanged and
/// the output at that step is the carried state (Keras, zero_output_for_mask=False).
///
/// Works time-major: the input projection of every step is one gemm, each step one gemm for
/// the whole batch; backward mirrors it (see LSTMLayer for the full scheme).
public final class SimpleRNNLayer: RecurrentLayer {
    public let name: String
    public let units: Int
    public let returnSequences: Bool
    public let kernel: Parameter
    public let recurrentKernel: Parameter
    public let bias: Parameter
    /// [batch, time], 1 = real step, 0 = padding; nil for no mask.
    public var mask: Tensor? = nil

    private var batch = 0, time = 0
    private var masked = false       // a mask with at least one padded step is in use
    private var m = Tensor.empty     // [T, B] time-major mask
    private var xT = Tensor.empty    // [T, B, D] copy of the input
    private var h = Tensor.empty     // [T+1, B, U]: h[0] = 0, h[t+1] = h_t (projection, then state)
    private var y = Tensor.empty     // [B, U] or [B, T, U]
    private var dz = Tensor.empty    // [T·B, U] dL/d(pre-activation)
    private var dh = Tensor.empty    // [B, U] running dL/dh
    private var dxT = Tensor.empty   // [T·B, D]
    private var dx = Tensor.empty    // [B, T, D]

    public init(name: String, inputDim: Int, units: Int, returnSequences: Bool, rng: inout SeededGenerator) {
        self.name = name
        self.units = units
        self.returnSequences = returnSequences
        kernel = Parameter(name: "kernel", value: Initializer.glorotUniform([inputDim, units], rng: &rng))
        recurrentKernel = Parameter(name: "recurrent_kernel", value: Initializer.orthogonal([units, units], rng: &rng))
        bias = Parameter(name: "bias", value: Tensor(shape: [units]))
    }

    public var inputDim: Int { kernel.value.shape[0] }
    public var parameters: [Parameter] { [kernel, recurrentKernel, bias] }

    /// h_T of the last forward, [batch, units].
    public var finalState: Tensor { Recurrent.slice(h, index: time, rows: batch, cols: units) }

    public func outputShape(for s: [Int]) throws -> [Int] {
        try Recurrent.outputShape(name, "SimpleRNN", s, inputDim: inputDim, units: units,
                                  returnSequences: returnSequences)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let (B, T) = try Recurrent.checkInput(name, input, inputDim: inputDim, units: units)
        masked = try Recurrent.loadMask(name, mask, batch: B, time: T, into: &m)
        batch = B; time = T
        let D = inputDim, U = units, BU = B * U
        xT.reshape(T, B, D)
        h.reshape(T + 1, B, U)
        input.withUnsafeBufferPointer { src in
            xT.withUnsafeMutableBufferPointer { Recurrent.swap01(src.baseAddress!, $0.baseAddress!, B, T, D) }
        }
        h.withUnsafeMutableBufferPointer { hb in
            let hp = hb.baseAddress!
            for i in 0..<BU { hp[i] = 0 }
            // h[1...T] = X · W + b, all steps in one gemm ([T·B, D] · [D, U]).
            bias.value.withUnsafeBufferPointer { b in
                for r in 0..<(T * B) { (hp + BU + r * U).update(from: b.baseAddress!, count: U) }
            }
            xT.withUnsafeBufferPointer { x in
                kernel.value.withUnsafeBufferPointer { w in
                    BLAS.gemm(m: T * B, n: U, k: D, a: x.baseAddress!, lda: D, b: w.baseAddress!, ldb: U,
                              beta: 1, c: hp + BU, ldc: U)
                }
            }
            recurrentKernel.value.withUnsafeBufferPointer { uk in
                m.withUnsafeBufferPointer { mb in
                    let mp: UnsafePointer<Float>? = masked ? mb.baseAddress! : nil
                    for t in 0..<T {
                        let prev = hp + t * BU, cur = prev + BU
                        // h[t+1] += h[t] · U  ([B, U] · [U, U]); h[0] = 0 needs nothing.
                        if t > 0 {
                            BLAS.gemm(m: B, n: U, k: U, a: prev, lda: U, b: uk.baseAddress!, ldb: U,
                                      beta: 1, c: cur, ldc: U)
                        }
                        for b in 0..<B {
                            let o = b * U
                            if let mp, mp[t * B + b] == 0 {
                                (cur + o).update(from: prev + o, count: U)
                            } else {
                                tanhInPlace(cur + o, U)
                            }
                        }
                    }
                }
            }
        }
        Recurrent.writeOutput(h, into: &y, batch: B, time: T, units: U, returnSequences: returnSequences)
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == y.shape, "\(name): backward got dy \(dy.shape) for output \(y.shape)")
        let B = batch, T = time, D = inputDim, U = units, BU = B * U, rows = T * B
        let rs = returnSequences
        dz.reshape(rows, U)
        dh.reshape(B, U)
        dxT.reshape(rows, D)
        dx.reshape(B, T, D)
        dz.withUnsafeMutableBufferPointer { dzb in
            let dzp = dzb.baseAddress!
            h.withUnsafeBufferPointer { hb in
                let hp = hb.baseAddress!
                recurrentKernel.value.withUnsafeBufferPointer { uk in
                    m.withUnsafeBufferPointer { mb in
                        dy.withUnsafeBufferPointer { dyb in
                            dh.withUnsafeMutableBufferPointer { dhb in
                                let mp: UnsafePointer<Float>? = masked ? mb.baseAddress! : nil
                                let dyp = dyb.baseAddress!, dhp = dhb.baseAddress!
                                for i in 0..<BU { dhp[i] = rs ? 0 : dyp[i] }
                                for t in stride(from: T - 1, through: 0, by: -1) {
                                    let cur = hp + (t + 1) * BU, dzt = dzp + t * BU
                                    for b in 0..<B {
                                        let o = b * U, yo = (b * T + t) * U
                                        let skip = mp.map { $0[t * B + b] == 0 } ?? false
                                        for j in 0..<U {
                                            let g = rs ? dhp[o + j] + dyp[yo + j] : dhp[o + j]
                                            if skip {
                                                dzt[o + j] = 0; dhp[o + j] = g      // carried to h_{t-1}
                                            } else {
                                                let hv = cur[o + j]
                                                dzt[o + j] = g * (1 - hv * hv); dhp[o + j] = 0
                                            }
                                        }
                                    }
                                    // dh_{t-1} += dz[t] · Uᵀ
                                    if t > 0 {
                                        BLAS.gemm(transB: true, m: B, n: U, k: U, a: dzt, lda: U,
                                                  b: uk.baseAddress!, ldb: U, beta: 1, c: dhp, ldc: U)
                                    }
                                }
                            }
                        }
                    }
                }
                let dzc = UnsafePointer(dzp)
                // dU = H[0..<T]ᵀ · dZ   ([U, T·B] · [T·B, U])
                recurrentKernel.grad.withUnsafeMutableBufferPointer { du in
                    BLAS.gemm(transA: true, m: U, n: U, k: rows, a: hp, lda: U, b: dzc, ldb: U,
                              c: du.baseAddress!, ldc: U)
                }
            }
        }
        Recurrent.inputProjectionBackward(xT: xT, dz: dz, kernel: kernel, dxT: &dxT, dx: &dx,
                                          batch: B, time: T, inputDim: D, gates: U)
        bias.grad.withUnsafeMutableBufferPointer { db in
            dz.withUnsafeBufferPointer { Recurrent.columnSums($0.baseAddress!, rows: rows, cols: U, into: db.baseAddress!) }
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

    /// The output from the states h [T+1, B, U]: h_T [B, U], or h_1…h_T as [B, T, U].
    static func writeOutput(_ h: Tensor, into y: inout Tensor, batch B: Int, time T: Int, units U: Int,
                            returnSequences: Bool) {
        if returnSequences { y.reshape(B, T, U) } else { y.reshape(B, U) }
        h.withUnsafeBufferPointer { hb in
            y.withUnsafeMutableBufferPointer { yb in
                if returnSequences {
                    swap01(hb.baseAddress! + B * U, yb.baseAddress!, T, B, U)
                } else {
                    yb.baseAddress!.update(from: hb.baseAddress! + T * B * U, count: B * U)
                }
            }
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

    /// After the time loop: dW = Xᵀ · dZ and dX = dZ · Wᵀ (one gemm each, over all steps), then
    /// dX back to batch-major [B, T, D]. xT [T·B, D], dz [T·B, gates], kernel [D, gates].
    static func inputProjectionBackward(xT: Tensor, dz: Tensor, kernel: Parameter, dxT: inout Tensor, dx: inout Tensor,
                                        batch B: Int, time T: Int, inputDim D: Int, gates G: Int) {
        let rows = T * B
        dz.withUnsafeBufferPointer { dzb in
            let dzp = dzb.baseAddress!
            xT.withUnsafeBufferPointer { x in
                kernel.grad.withUnsafeMutableBufferPointer { dw in
                    BLAS.gemm(transA: true, m: D, n: G, k: rows, a: x.baseAddress!, lda: D, b: dzp, ldb: G,
                              c: dw.baseAddress!, ldc: G)
                }
            }
            kernel.value.withUnsafeBufferPointer { w in
                dxT.withUnsafeMutableBufferPointer { dxt in
                    BLAS.gemm(transB: true, m: rows, n: D, k: G, a: dzp, lda: G, b: w.baseAddress!, ldb: G,
                              c: dxt.baseAddress!, ldc: D)
                }
            }
        }
        dxT.withUnsafeBufferPointer { src in
            dx.withUnsafeMutableBufferPointer { swap01(src.baseAddress!, $0.baseAddress!, T, B, D) }
        }
    }
}
