import Foundation

/// LSTM (Keras 3): z = x_t · kernel + h_{t-1} · recurrent_kernel + bias, gate blocks i, f, c, o;
/// i, f, o = sigmoid, g = tanh(z_c); c_t = f·c_{t-1} + i·g; h_t = o·tanh(c_t); h_0 = c_0 = 0.
/// Weights (Keras layout): kernel [in, 4U], recurrent_kernel [U, 4U], bias [4U] (one bias).
///
/// Input [batch, time, in]; output h_T [batch, units], or every h_t [batch, time, units] with
/// `returnSequences`. With a mask, a padded step is skipped: h and c are carried over unchanged
/// and the output at that step is the carried h (Keras, zero_output_for_mask=False).
///
/// Time-major throughout: the input is transposed once to [T, B, D]; Z = X·W + b for all steps
/// is one gemm [T·B, 4U]; each step adds h_{t-1}·U with one gemm for the whole batch and turns
/// Z[t] into the gate activations in place (kept for backward). Backward walks t downwards
/// computing dZ[t] and dh_{t-1} = dZ[t]·Uᵀ (one gemm per step), then dW, dU, db and dX over all
/// steps at once.
public final class LSTMLayer: RecurrentCore, RecurrentLayer {
    private var z = Tensor.empty     // [T·B, 4U]: projections, then gate activations i, f, g, o
    private var c = Tensor.empty     // [T+1, B, U], c[0] = 0, c[t+1] = c_t
    private var tc = Tensor.empty    // [T, B, U] tanh(c_t)
    private var dz = Tensor.empty    // [T·B, 4U]
    private var dc = Tensor.empty    // [B, U] running dL/dc

    public init(name: String, inputDim: Int, units: Int, returnSequences: Bool, rng: inout SeededGenerator) {
        var b = Tensor(shape: [4 * units])
        for j in units..<(2 * units) { b[flat: j] = 1 }     // unit_forget_bias
        super.init(kind: "LSTM", name: name, inputDim: inputDim, units: units, gates: 4,
                   returnSequences: returnSequences, bias: b, rng: &rng)
    }

    /// c_T of the last forward, [batch, units].
    public var finalCellState: Tensor { Recurrent.slice(c, index: time, rows: batch, cols: units) }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let (B, T) = try beginForward(input)
        let U = units, G = 4 * U, BU = B * U, rows = T * B
        z.reshape(rows, G)
        c.reshape(T + 1, B, U)
        tc.reshape(T, B, U)
        Pinned.pin(self, writing: [\.z, \.h, \.c, \.tc], reading: [bias.value, recurrentKernel.value, m]) { p in
            let zp = p[\.z]                                  // [T·B, 4U]
            let hp = p[\.h], cp = p[\.c], tcp = p[\.tc]       // [T+1, B, U], [T+1, B, U], [T, B, U]
            let b = p[read: 0], uk = p[read: 1]              // [4U], [U, 4U]
            let mp = masked ? p[read: 2] : nil               // [T, B]
            // Z = X · W + b for every step: [T·B, D] · [D, 4U].
            projectInput(into: zp, bias: b)
            for i in 0..<BU { hp[i] = 0; cp[i] = 0 }
            for t in 0..<T {
                let zt = zp + t * B * G
                let hPrev = hp + t * BU, hCur = hPrev + BU
                let cPrev = cp + t * BU, cCur = cPrev + BU, tct = tcp + t * BU
                // Z[t] += h_{t-1} · U   ([B, U] · [U, 4U]); h_0 = 0 needs nothing.
                if t > 0 {
                    BLAS.gemm(m: B, n: G, k: U, a: hPrev, lda: U, b: uk, ldb: G, beta: 1, c: zt, ldc: G)
                }
                for b in 0..<B {
                    let o = b * U, zr = zt + b * G
                    if let mp, mp[t * B + b] == 0 {
                        (hCur + o).update(from: hPrev + o, count: U)
                        (cCur + o).update(from: cPrev + o, count: U)
                        continue
                    }
                    // Gate activations in place: i, f sigmoid; g tanh; o sigmoid (vectorised runs).
                    sigmoidInPlace(zr, 2 * U)
                    tanhInPlace(zr + 2 * U, U)
                    sigmoidInPlace(zr + 3 * U, U)
                    let cp0 = cPrev + o, cc = cCur + o, tt = tct + o, hc = hCur + o
                    for j in 0..<U {
                        cc[j] = zr[U + j] * cp0[j] + zr[j] * zr[2 * U + j]
                    }
                    tt.update(from: cc, count: U)
                    tanhInPlace(tt, U)
                    let og = zr + 3 * U
                    for j in 0..<U { hc[j] = og[j] * tt[j] }
                }
            }
        }
        return finishForward()
    }

    public func backward(_ dy: Tensor) -> Tensor {
        beginBackward(dy)
        let B = batch, T = time, U = units, G = 4 * U, BU = B * U, rows = T * B
        let rs = returnSequences
        dz.reshape(rows, G)
        dc.reshape(B, U)
        Pinned.pin(self, writing: [\.dz, \.dh, \.dc, \.recurrentKernel.grad, \.bias.grad],
                   reading: [z, h, c, tc, recurrentKernel.value, dy, m]) { p in
            let dzp = p[\.dz], dhp = p[\.dh], dcp = p[\.dc]     // [T·B, 4U], [B, U], [B, U]
            let du = p[\.recurrentKernel.grad], db = p[\.bias.grad]   // [U, 4U], [4U]
            let zp = p[read: 0], hp = p[read: 1], cp = p[read: 2], tcp = p[read: 3]   // as in forward
            let uk = p[read: 4], dyp = p[read: 5]            // [U, 4U], [B, U] or [B, T, U]
            let mp = masked ? p[read: 6] : nil               // [T, B]
            for i in 0..<BU { dhp[i] = rs ? 0 : dyp[i]; dcp[i] = 0 }
            for t in stride(from: T - 1, through: 0, by: -1) {
                let zt = zp + t * B * G, dzt = dzp + t * B * G
                let cPrev = cp + t * BU, tct = tcp + t * BU
                for b in 0..<B {
                    let o = b * U, yo = (b * T + t) * U, zr = zt + b * G, dzr = dzt + b * G
                    if let mp, mp[t * B + b] == 0 {
                        // Skipped step: dh, dc flow to step t-1 unchanged; no gate gradient.
                        for j in 0..<G { dzr[j] = 0 }
                        if rs { for j in 0..<U { dhp[o + j] += dyp[yo + j] } }
                        continue
                    }
                    for j in 0..<U {
                        let dhv = rs ? dhp[o + j] + dyp[yo + j] : dhp[o + j]
                        let i = zr[j], f = zr[U + j], g = zr[2 * U + j], og = zr[3 * U + j]
                        let th = tct[o + j]
                        let dcv = dcp[o + j] + dhv * og * (1 - th * th)
                        dzr[j] = dcv * g * i * (1 - i)
                        dzr[U + j] = dcv * cPrev[o + j] * f * (1 - f)
                        dzr[2 * U + j] = dcv * i * (1 - g * g)
                        dzr[3 * U + j] = dhv * th * og * (1 - og)
                        dcp[o + j] = dcv * f
                        dhp[o + j] = 0
                    }
                }
                // dh_{t-1} += dZ[t] · Uᵀ   ([B, 4U] · [4U, U])
                if t > 0 {
                    BLAS.gemm(transB: true, m: B, n: U, k: G, a: dzt, lda: G, b: uk, ldb: G, beta: 1, c: dhp, ldc: U)
                }
            }
            // dU = H[0..<T]ᵀ · dZ   ([U, T·B] · [T·B, 4U])
            BLAS.gemm(transA: true, m: U, n: G, k: rows, a: hp, lda: U, b: dzp, ldb: G, c: du, ldc: G)
            Recurrent.columnSums(dzp, rows: rows, cols: G, into: db)
        }
        return finishBackward(inputProjectionGradient: dz)
    }
}
