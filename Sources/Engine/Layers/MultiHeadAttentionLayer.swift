import Foundation

/// MultiHeadAttention (Keras) used as self-attention: query = key = value = x.
/// Input [batch, time, modelDim] → output [batch, time, outputDim].
///
/// Weights (Keras layout and `layer.weights` order; the biases only with `useBias`):
///   query/kernel [modelDim, heads, keyDim]     query/bias [heads, keyDim]
///   key/kernel   [modelDim, heads, keyDim]     key/bias   [heads, keyDim]
///   value/kernel [modelDim, heads, valueDim]   value/bias [heads, valueDim]
///   attention_output/kernel [heads, valueDim, outputDim]   attention_output/bias [outputDim]
///
/// With N = batch·time, the projections are plain matrices (a [d, h, k] kernel is a
/// [d, h·k] matrix in memory), head h occupying columns h·k ..< (h+1)·k:
///   Q = (x·Wq + bq) / sqrt(keyDim)   [N, heads·keyDim]
///   K = x·Wk + bk                    [N, heads·keyDim]
///   V = x·Wv + bv                    [N, heads·valueDim]
///   P[b,h] = softmax over keys of Q[b,h]·K[b,h]ᵀ   [time, time]   (`attentionScores`)
///   C[b,h] = P[b,h]·V[b,h]           written into C [N, heads·valueDim]
///   y = C·Wo + bo                    [N, outputDim]
///
/// Mask (`MaskConsumer`, [batch, time], 1 = real step): Keras's implicit-mask behaviour, as
/// Keras computes it when it returns attention scores. Query step t may attend to key s
/// only when both are real; disallowed scores are replaced by -1e9 before the softmax and
/// the probabilities are multiplied by the mask afterwards, so a disallowed pair gets
/// probability exactly 0 and a padded query step attends to nothing (its context is 0 and
/// its output is the output bias).
public final class MultiHeadAttentionLayer: MaskConsumer {
    public let name: String
    public let modelDim: Int
    public let heads: Int
    public let keyDim: Int
    public let valueDim: Int
    public let outputDim: Int
    public let useBias: Bool

    public let queryKernel: Parameter
    public let queryBias: Parameter?
    public let keyKernel: Parameter
    public let keyBias: Parameter?
    public let valueKernel: Parameter
    public let valueBias: Parameter?
    public let outputKernel: Parameter
    public let outputBias: Parameter?

    /// [batch, time]; 1 = real step, 0 = padding. Set before `forward`; nil for no mask.
    public var mask: Tensor? = nil

    /// Set when the configuration cannot work (a dimension that is not positive); thrown by
    /// `outputShape` and `forward`.
    private let configurationError: EngineError?

    private var batch = 0, time = 0
    private var x = Tensor.empty        // [N, modelDim], copy of the last input
    private var q = Tensor.empty        // [N, heads·keyDim], already scaled by 1/sqrt(keyDim)
    private var k = Tensor.empty        // [N, heads·keyDim]
    private var v = Tensor.empty        // [N, heads·valueDim]
    private var scores = Tensor.empty   // [batch, heads, time, time], softmax probabilities
    private var ctx = Tensor.empty      // [N, heads·valueDim]
    private var y = Tensor.empty        // [batch, time, outputDim]
    private var dctx = Tensor.empty     // [N, heads·valueDim]
    private var dp = Tensor.empty       // [time, time], dL/dP then dL/dscores of one (batch, head)
    private var dq = Tensor.empty       // [N, heads·keyDim], dL/d(unscaled Q)
    private var dk = Tensor.empty       // [N, heads·keyDim]
    private var dv = Tensor.empty       // [N, heads·valueDim]
    private var dx = Tensor.empty       // [batch, time, modelDim]

    /// The attention probabilities of the last forward, [batch, heads, time, time]
    /// (Keras's `attention_scores`, [batch, heads, T, S]).
    public var attentionScores: Tensor { scores }

    /// Keras `MultiHeadAttention(num_heads: heads, key_dim: keyDim, value_dim: valueDim,
    /// output_shape: outputDim, use_bias: useBias)` over inputs with `modelDim` features.
    /// `valueDim` defaults to `keyDim`, `outputDim` to `modelDim`. Kernels are Glorot uniform
    /// with Keras's EinsumDense fans (fan_in = the contracted axes, fan_out = the others:
    /// [d, h·k] for the projections, [h·v, out] for the output); biases are zero.
    public init(name: String, modelDim: Int, heads: Int, keyDim: Int, valueDim: Int? = nil,
                outputDim: Int? = nil, useBias: Bool = true, rng: inout SeededGenerator) {
        let valueDim = valueDim ?? keyDim
        let outputDim = outputDim ?? modelDim
        self.name = name
        self.modelDim = modelDim
        self.heads = heads
        self.keyDim = keyDim
        self.valueDim = valueDim
        self.outputDim = outputDim
        self.useBias = useBias

        let dims = [("modelDim", modelDim), ("heads", heads), ("keyDim", keyDim),
                    ("valueDim", valueDim), ("outputDim", outputDim)]
        if let bad = dims.first(where: { $0.1 <= 0 }) {
            configurationError = .invalidSpec(field: "\(name).\(bad.0)",
                                              reason: "MultiHeadAttention needs a positive \(bad.0), got \(bad.1)")
        } else {
            configurationError = nil
        }
        // Clamped so that an impossible configuration still builds (and then throws).
        let d = max(modelDim, 0), h = max(heads, 0), kd = max(keyDim, 0), vd = max(valueDim, 0)
        let o = max(outputDim, 0)

        func kernel(_ name: String, _ matrix: [Int], _ shape: [Int]) -> Parameter {
            var w = Initializer.glorotUniform(matrix, rng: &rng)
            w.reshape(to: shape)
            return Parameter(name: name, value: w)
        }
        func bias(_ name: String, _ shape: [Int]) -> Parameter? {
            useBias ? Parameter(name: name, value: Tensor(shape: shape)) : nil
        }
        queryKernel = kernel("query/kernel", [d, h * kd], [d, h, kd])
        queryBias = bias("query/bias", [h, kd])
        keyKernel = kernel("key/kernel", [d, h * kd], [d, h, kd])
        keyBias = bias("key/bias", [h, kd])
        valueKernel = kernel("value/kernel", [d, h * vd], [d, h, vd])
        valueBias = bias("value/bias", [h, vd])
        outputKernel = kernel("attention_output/kernel", [h * vd, o], [h, vd, o])
        outputBias = bias("attention_output/bias", [o])
    }

    public var parameters: [Parameter] {
        [queryKernel, queryBias, keyKernel, keyBias, valueKernel, valueBias, outputKernel, outputBias]
            .compactMap { $0 }
    }

    public func outputShape(for s: [Int]) throws -> [Int] {
        if let configurationError { throw configurationError }
        guard s.count == 2 else {
            throw EngineError.incompatibleLayer(
                layer: name, inputShape: s,
                reason: "MultiHeadAttention takes a sequence (None, time, \(modelDim)); got rank \(s.count + 1)")
        }
        guard s[1] == modelDim else {
            throw EngineError.incompatibleLayer(
                layer: name, inputShape: s,
                reason: "the query/key/value kernels expect \(modelDim) features on the last axis, got \(s[1])")
        }
        return [s[0], outputDim]
    }

    // MARK: Forward

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        if let configurationError { throw configurationError }
        guard input.rank == 3, input.shape[2] == modelDim else {
            throw EngineError.shapeMismatch(layer: name, expected: [-1, -1, modelDim], got: input.shape)
        }
        let B = input.shape[0], T = input.shape[1]
        if let mask, mask.shape != [B, T] {
            throw EngineError.invalidSpec(field: "\(name) mask",
                                          reason: "mask has shape \(mask.shape), expected [\(B), \(T)] for input \(input.shape)")
        }
        let N = B * T, H = heads, K = keyDim, Vd = valueDim, HK = H * K, HV = H * Vd
        batch = B; time = T
        x.assign(input)
        q.reshape(N, HK); k.reshape(N, HK); v.reshape(N, HV)
        scores.reshape(B, H, T, T)
        ctx.reshape(N, HV)
        y.reshape(B, T, outputDim)
        if N == 0 { return y }

        project(into: &q, queryKernel, queryBias, rows: N, cols: HK, scale: Float(1 / Double(K).squareRoot()))
        project(into: &k, keyKernel, keyBias, rows: N, cols: HK, scale: 1)
        project(into: &v, valueKernel, valueBias, rows: N, cols: HV, scale: 1)

        scores.withUnsafeMutableBufferPointer { sb in
            let s = sb.baseAddress!
            q.withUnsafeBufferPointer { qb in k.withUnsafeBufferPointer { kb in
                for b in 0..<B {
                    for h in 0..<H {
                        // S[b,h] [T, T] = Q[b,h] [T, K] · K[b,h]ᵀ, strided views of Q and K.
                        let off = b * T * HK + h * K
                        BLAS.gemm(transB: true, m: T, n: T, k: K,
                                  a: qb.baseAddress! + off, lda: HK, b: kb.baseAddress! + off, ldb: HK,
                                  c: s + (b * H + h) * T * T, ldc: T)
                    }
                }
            } }
            if let mask {
                mask.withUnsafeBufferPointer { mb in
                    for b in 0..<B {
                        let keep = mb.baseAddress! + b * T
                        for h in 0..<H { Self.maskedSoftmaxRows(s + (b * H + h) * T * T, T, keep: keep) }
                    }
                }
            } else {
                for i in 0..<(B * H) { Self.softmaxRows(s + i * T * T, T) }
            }
            v.withUnsafeBufferPointer { vb in ctx.withUnsafeMutableBufferPointer { cb in
                for b in 0..<B {
                    for h in 0..<H {
                        // C[b,h] [T, Vd] = P[b,h] [T, T] · V[b,h] [T, Vd]
                        let off = b * T * HV + h * Vd
                        BLAS.gemm(m: T, n: Vd, k: T, a: s + (b * H + h) * T * T, lda: T,
                                  b: vb.baseAddress! + off, ldb: HV, c: cb.baseAddress! + off, ldc: HV)
                    }
                }
            } }
        }

        // y [N, O] = C [N, HV] · Wo [HV, O] + bo
        let O = outputDim
        y.withUnsafeMutableBufferPointer { yb in
            if let outputBias {
                outputBias.value.withUnsafeBufferPointer { bb in
                    for r in 0..<N { for j in 0..<O { yb[r * O + j] = bb[j] } }
                }
            }
            ctx.withUnsafeBufferPointer { cb in outputKernel.value.withUnsafeBufferPointer { wb in
                BLAS.gemm(m: N, n: O, k: HV, a: cb.baseAddress!, lda: HV, b: wb.baseAddress!, ldb: O,
                          beta: outputBias == nil ? 0 : 1, c: yb.baseAddress!, ldc: O)
            } }
        }
        return y
    }

    /// out [rows, cols] = (x [rows, modelDim] · W [modelDim, cols] + b) · scale.
    private func project(into out: inout Tensor, _ w: Parameter, _ b: Parameter?, rows: Int, cols: Int, scale: Float) {
        let D = modelDim
        out.withUnsafeMutableBufferPointer { o in
            if let b {
                b.value.withUnsafeBufferPointer { bb in
                    for r in 0..<rows { for j in 0..<cols { o[r * cols + j] = bb[j] } }
                }
            }
            x.withUnsafeBufferPointer { xb in w.value.withUnsafeBufferPointer { wb in
                BLAS.gemm(m: rows, n: cols, k: D, a: xb.baseAddress!, lda: D, b: wb.baseAddress!, ldb: cols,
                          beta: b == nil ? 0 : 1, c: o.baseAddress!, ldc: cols)
            } }
            if scale != 1 { for i in 0..<(rows * cols) { o[i] *= scale } }
        }
    }

    /// Softmax of each of the T rows of a [T, T] block, in place.
    @inline(__always)
    private static func softmaxRows(_ p: UnsafeMutablePointer<Float>, _ T: Int) {
        for t in 0..<T {
            let row = p + t * T
            var m = -Float.infinity
            for s in 0..<T where row[s] > m { m = row[s] }
            var sum: Float = 0
            for s in 0..<T { let e = Foundation.exp(row[s] - m); row[s] = e; sum += e }
            let inv = 1 / sum
            for s in 0..<T { row[s] *= inv }
        }
    }

    /// Softmax of each row over the keys s with keep[s] > 0.5; rows t with keep[t] ≤ 0.5 and
    /// masked keys get probability 0 (Keras: scores → -1e9 where masked, softmax, × mask).
    @inline(__always)
    private static func maskedSoftmaxRows(_ p: UnsafeMutablePointer<Float>, _ T: Int, keep: UnsafePointer<Float>) {
        for t in 0..<T {
            let row = p + t * T
            var m = -Float.infinity
            if keep[t] > 0.5 {
                for s in 0..<T where keep[s] > 0.5 && row[s] > m { m = row[s] }
            }
            if m == -Float.infinity {   // padded query step (or nothing to attend to)
                for s in 0..<T { row[s] = 0 }
                continue
            }
            var sum: Float = 0
            for s in 0..<T {
                let e: Float = keep[s] > 0.5 ? Foundation.exp(row[s] - m) : 0
                row[s] = e; sum += e
            }
            let inv = 1 / sum
            for s in 0..<T { row[s] *= inv }
        }
    }

    // MARK: Backward

    public func backward(_ dyIn: Tensor) -> Tensor {
        let B = batch, T = time, N = B * T, D = modelDim, H = heads, K = keyDim, Vd = valueDim, O = outputDim
        let HK = H * K, HV = H * Vd
        precondition(dyIn.shape == y.shape, "\(name): backward got dL/dy of shape \(dyIn.shape), output was \(y.shape)")
        dx.reshape(B, T, D)
        dctx.reshape(N, HV); dq.reshape(N, HK); dk.reshape(N, HK); dv.reshape(N, HV)
        dp.reshape(T, T)
        if N == 0 {
            for p in parameters { p.grad.fill(0) }
            return dx
        }
        let scale = Float(1 / Double(K).squareRoot())

        // Output projection: dWo [HV, O] = Cᵀ · dy, dbo = Σ_rows dy, dC [N, HV] = dy · Woᵀ.
        dyIn.withUnsafeBufferPointer { gb in
            let g = gb.baseAddress!
            ctx.withUnsafeBufferPointer { cb in outputKernel.grad.withUnsafeMutableBufferPointer { dw in
                BLAS.gemm(transA: true, m: HV, n: O, k: N, a: cb.baseAddress!, lda: HV, b: g, ldb: O,
                          c: dw.baseAddress!, ldc: O)
            } }
            if let outputBias { Self.columnSums(g, rows: N, cols: O, into: &outputBias.grad) }
            outputKernel.value.withUnsafeBufferPointer { wb in dctx.withUnsafeMutableBufferPointer { dcb in
                BLAS.gemm(transB: true, m: N, n: HV, k: O, a: g, lda: O, b: wb.baseAddress!, ldb: O,
                          c: dcb.baseAddress!, ldc: HV)
            } }
        }

        // Attention, per (batch, head), on strided views.
        scores.withUnsafeBufferPointer { sb in dp.withUnsafeMutableBufferPointer { dpb in
            let s = sb.baseAddress!, d = dpb.baseAddress!
            q.withUnsafeBufferPointer { qb in k.withUnsafeBufferPointer { kb in v.withUnsafeBufferPointer { vb in
                dctx.withUnsafeBufferPointer { dcb in
                    dq.withUnsafeMutableBufferPointer { dqb in dk.withUnsafeMutableBufferPointer { dkb in
                        dv.withUnsafeMutableBufferPointer { dvb in
                            for b in 0..<B {
                                for h in 0..<H {
                                    let p = s + (b * H + h) * T * T
                                    let vOff = b * T * HV + h * Vd, kOff = b * T * HK + h * K
                                    // dP [T, T] = dC[b,h] [T, Vd] · V[b,h]ᵀ
                                    BLAS.gemm(transB: true, m: T, n: T, k: Vd, a: dcb.baseAddress! + vOff, lda: HV,
                                              b: vb.baseAddress! + vOff, ldb: HV, c: d, ldc: T)
                                    // dV[b,h] [T, Vd] = Pᵀ · dC[b,h]
                                    BLAS.gemm(transA: true, m: T, n: Vd, k: T, a: p, lda: T,
                                              b: dcb.baseAddress! + vOff, ldb: HV, c: dvb.baseAddress! + vOff, ldc: HV)
                                    // Softmax backward per row: dS = P ⊙ (dP − Σ_s P·dP)
                                    for t in 0..<T {
                                        let pr = p + t * T, dr = d + t * T
                                        var dot: Float = 0
                                        for j in 0..<T { dot += pr[j] * dr[j] }
                                        for j in 0..<T { dr[j] = pr[j] * (dr[j] - dot) }
                                    }
                                    // dQ[b,h] [T, K] = scale · dS · K[b,h]  (w.r.t. the unscaled Q)
                                    BLAS.gemm(m: T, n: K, k: T, alpha: scale, a: d, lda: T,
                                              b: kb.baseAddress! + kOff, ldb: HK, c: dqb.baseAddress! + kOff, ldc: HK)
                                    // dK[b,h] [T, K] = dSᵀ · Q[b,h]  (Q already scaled)
                                    BLAS.gemm(transA: true, m: T, n: K, k: T, a: d, lda: T,
                                              b: qb.baseAddress! + kOff, ldb: HK, c: dkb.baseAddress! + kOff, ldc: HK)
                                }
                            }
                        }
                    } }
                }
            } } }
        } }

        // Input projections: dW = xᵀ · d, db = Σ_rows d, dx = Σ d · Wᵀ over Q, K and V.
        projectBackward(dq, queryKernel, queryBias, rows: N, cols: HK, accumulate: false)
        projectBackward(dk, keyKernel, keyBias, rows: N, cols: HK, accumulate: true)
        projectBackward(dv, valueKernel, valueBias, rows: N, cols: HV, accumulate: true)
        return dx
    }

    private func projectBackward(_ g: Tensor, _ w: Parameter, _ b: Parameter?, rows: Int, cols: Int, accumulate: Bool) {
        let D = modelDim
        g.withUnsafeBufferPointer { gb in
            let gp = gb.baseAddress!
            x.withUnsafeBufferPointer { xb in w.grad.withUnsafeMutableBufferPointer { dw in
                // dW [D, cols] = xᵀ [D, rows] · g [rows, cols]
                BLAS.gemm(transA: true, m: D, n: cols, k: rows, a: xb.baseAddress!, lda: D, b: gp, ldb: cols,
                          c: dw.baseAddress!, ldc: cols)
            } }
            if let b { Self.columnSums(gp, rows: rows, cols: cols, into: &b.grad) }
            w.value.withUnsafeBufferPointer { wb in dx.withUnsafeMutableBufferPointer { dxb in
                // dx [rows, D] (+)= g [rows, cols] · Wᵀ [cols, D]
                BLAS.gemm(transB: true, m: rows, n: D, k: cols, a: gp, lda: cols, b: wb.baseAddress!, ldb: cols,
                          beta: accumulate ? 1 : 0, c: dxb.baseAddress!, ldc: D)
            } }
        }
    }

    /// out[j] = Σ_r g[r, j] (overwrites).
    private static func columnSums(_ g: UnsafePointer<Float>, rows: Int, cols: Int, into out: inout Tensor) {
        out.withUnsafeMutableBufferPointer { o in
            for j in 0..<cols { o[j] = 0 }
            for r in 0..<rows { for j in 0..<cols { o[j] += g[r * cols + j] } }
        }
    }
}
