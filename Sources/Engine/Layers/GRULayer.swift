import Foundation

/// GRU (Keras 3 default, reset_after=True), gate blocks z (update), r (reset), h (candidate):
///   x-part  a = x_t · kernel + b_x,   h-part  q = h_{t-1} · recurrent_kernel + b_h;
///   z = sigmoid(a_z + q_z); r = sigmoid(a_r + q_r); hh = tanh(a_h + r · q_h);
///   h_t = z · h_{t-1} + (1 - z) · hh;  h_0 = 0.
/// Weights (Keras layout): kernel [in, 3U], recurrent_kernel [U, 3U], bias [2, 3U] (row 0 = b_x,
/// row 1 = b_h).
///
/// Input [batch, time, in]; output h_T [batch, units], or every h_t [batch, time, units] with
/// `returnSequences`. With a mask, a padded step is skipped: h is carried over unchanged and the
/// output at that step is the carried state (Keras, zero_output_for_mask=False).
///
/// Time-major like LSTMLayer: A = X·W + b_x for all steps in one gemm; per step one gemm
/// Q[t] = h_{t-1}·U + b_h (kept, since r multiplies q_h); backward one gemm per step for
/// dh_{t-1}, then dW, dU, db, dX over all steps at once.
public final class GRULayer: RecurrentCore, RecurrentLayer {
    private var a = Tensor.empty     // [T·B, 3U]: x projections, then activations z, r, hh
    private var q = Tensor.empty     // [T·B, 3U]: h_{t-1} · U + b_h per step
    private var da = Tensor.empty    // [T·B, 3U] dL/da
    private var dq = Tensor.empty    // [T·B, 3U] dL/dq

    public init(name: String, inputDim: Int, units: Int, returnSequences: Bool, rng: inout SeededGenerator) {
        super.init(kind: "GRU", name: name, inputDim: inputDim, units: units, gates: 3,
                   returnSequences: returnSequences, bias: Tensor(shape: [2, 3 * units]), rng: &rng)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let (B, T) = try beginForward(input)
        let U = units, G = 3 * U, BU = B * U, rows = T * B
        a.reshape(rows, G)
        q.reshape(rows, G)
        Pinned.pin(self, writing: [\.a, \.q, \.h], reading: [bias.value, recurrentKernel.value, m]) { p in
            let ap = p[\.a], qp = p[\.q], hp = p[\.h]         // [T·B, 3U], [T·B, 3U], [T+1, B, U]
            let bx = p[read: 0], bh = bx + G, uk = p[read: 1] // [3U] twice, [U, 3U]
            let mp = masked ? p[read: 2] : nil               // [T, B]
            // A = X · W + b_x for every step: [T·B, D] · [D, 3U].
            projectInput(into: ap, bias: bx)
            for i in 0..<BU { hp[i] = 0 }
            for t in 0..<T {
                let at = ap + t * B * G, qt = qp + t * B * G
                let hPrev = hp + t * BU, hCur = hPrev + BU
                // Q[t] = h_{t-1} · U + b_h   ([B, U] · [U, 3U]); h_0 = 0 leaves b_h.
                for b in 0..<B { (qt + b * G).update(from: bh, count: G) }
                if t > 0 {
                    BLAS.gemm(m: B, n: G, k: U, a: hPrev, lda: U, b: uk, ldb: G, beta: 1, c: qt, ldc: G)
                }
                for b in 0..<B {
                    let o = b * U, ar = at + b * G, qr = qt + b * G
                    if let mp, mp[t * B + b] == 0 {
                        (hCur + o).update(from: hPrev + o, count: U)
                        continue
                    }
                    // In vectorisable passes: z, r = σ(x-part + h-part); hh = tanh(x-part + r·h-part);
                    // h = z·h_{t-1} + (1 − z)·hh. The activations replace the x-part in place.
                    for j in 0..<(2 * U) { ar[j] += qr[j] }
                    sigmoidInPlace(ar, 2 * U)
                    let rg = ar + U, hh = ar + 2 * U, qh = qr + 2 * U
                    for j in 0..<U { hh[j] += rg[j] * qh[j] }
                    tanhInPlace(hh, U)
                    let hc = hCur + o, hp = hPrev + o
                    for j in 0..<U { hc[j] = ar[j] * hp[j] + (1 - ar[j]) * hh[j] }
                }
            }
        }
        return finishForward()
    }

    public func backward(_ dy: Tensor) -> Tensor {
        beginBackward(dy)
        let B = batch, T = time, U = units, G = 3 * U, BU = B * U, rows = T * B
        let rs = returnSequences
        da.reshape(rows, G)
        dq.reshape(rows, G)
        Pinned.pin(self, writing: [\.da, \.dq, \.dh, \.recurrentKernel.grad, \.bias.grad],
                   reading: [a, q, h, recurrentKernel.value, dy, m]) { p in
            let dap = p[\.da], dqp = p[\.dq], dhp = p[\.dh]     // [T·B, 3U], [T·B, 3U], [B, U]
            let du = p[\.recurrentKernel.grad], db = p[\.bias.grad]   // [U, 3U], [2, 3U]
            let ap = p[read: 0], qp = p[read: 1], hp = p[read: 2]      // as in forward
            let uk = p[read: 3], dyp = p[read: 4]            // [U, 3U], [B, U] or [B, T, U]
            let mp = masked ? p[read: 5] : nil               // [T, B]
            for i in 0..<BU { dhp[i] = rs ? 0 : dyp[i] }
            for t in stride(from: T - 1, through: 0, by: -1) {
                let off = t * B * G, hPrev = hp + t * BU
                for b in 0..<B {
                    let o = b * U, yo = (b * T + t) * U
                    let ar = ap + off + b * G, qr = qp + off + b * G
                    let dar = dap + off + b * G, dqr = dqp + off + b * G
                    if let mp, mp[t * B + b] == 0 {
                        // Skipped step: dh flows to step t-1 unchanged; no gate gradient.
                        for j in 0..<G { dar[j] = 0; dqr[j] = 0 }
                        if rs { for j in 0..<U { dhp[o + j] += dyp[yo + j] } }
                        continue
                    }
                    for j in 0..<U {
                        let dhv = rs ? dhp[o + j] + dyp[yo + j] : dhp[o + j]
                        let zg = ar[j], rg = ar[U + j], hh = ar[2 * U + j]
                        let dAh = dhv * (1 - zg) * (1 - hh * hh)
                        let dAr = dAh * qr[2 * U + j] * rg * (1 - rg)
                        let dAz = dhv * (hPrev[o + j] - hh) * zg * (1 - zg)
                        dar[j] = dAz; dar[U + j] = dAr; dar[2 * U + j] = dAh
                        dqr[j] = dAz; dqr[U + j] = dAr; dqr[2 * U + j] = dAh * rg
                        dhp[o + j] = dhv * zg
                    }
                }
                // dh_{t-1} += dQ[t] · Uᵀ   ([B, 3U] · [3U, U])
                if t > 0 {
                    BLAS.gemm(transB: true, m: B, n: U, k: G, a: dqp + off, lda: G, b: uk, ldb: G, beta: 1, c: dhp, ldc: U)
                }
            }
            // dU = H[0..<T]ᵀ · dQ   ([U, T·B] · [T·B, 3U])
            BLAS.gemm(transA: true, m: U, n: G, k: rows, a: hp, lda: U, b: dqp, ldb: G, c: du, ldc: G)
            // db_x = Σ dA, db_h = Σ dQ
            Recurrent.columnSums(dap, rows: rows, cols: G, into: db)
            Recurrent.columnSums(dqp, rows: rows, cols: G, into: db + G)
        }
        return finishBackward(inputProjectionGradient: da)
    }
}
