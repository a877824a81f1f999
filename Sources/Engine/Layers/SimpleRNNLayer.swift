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
public final class SimpleRNNLayer: RecurrentCore, RecurrentLayer {
    private var dz = Tensor.empty    // [T·B, U] dL/d(pre-activation)

    public init(name: String, inputDim: Int, units: Int, returnSequences: Bool, rng: inout SeededGenerator) {
        super.init(kind: "SimpleRNN", name: name, inputDim: inputDim, units: units, gates: 1,
                   returnSequences: returnSequences, bias: Tensor(shape: [units]), rng: &rng)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let (B, T) = try beginForward(input)
        let U = units, BU = B * U
        Pinned.pin(self, writing: [\.h], reading: [bias.value, recurrentKernel.value, m]) { p in
            let hp = p[\.h]                                  // [T+1, B, U]
            let b = p[read: 0], uk = p[read: 1]              // [U], [U, U]
            let mp = masked ? p[read: 2] : nil               // [T, B]
            for i in 0..<BU { hp[i] = 0 }
            // h[1...T] = X · W + b, all steps in one gemm ([T·B, D] · [D, U]).
            projectInput(into: hp + BU, bias: b)
            for t in 0..<T {
                let prev = hp + t * BU, cur = prev + BU
                // h[t+1] += h[t] · U  ([B, U] · [U, U]); h[0] = 0 needs nothing.
                if t > 0 {
                    BLAS.gemm(m: B, n: U, k: U, a: prev, lda: U, b: uk, ldb: U, beta: 1, c: cur, ldc: U)
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
        return finishForward()
    }

    public func backward(_ dy: Tensor) -> Tensor {
        beginBackward(dy)
        let B = batch, T = time, U = units, BU = B * U, rows = T * B
        let rs = returnSequences
        dz.reshape(rows, U)
        Pinned.pin(self, writing: [\.dz, \.dh, \.recurrentKernel.grad, \.bias.grad],
                   reading: [h, recurrentKernel.value, dy, m]) { p in
            let dzp = p[\.dz], dhp = p[\.dh]                  // [T·B, U], [B, U]
            let du = p[\.recurrentKernel.grad], db = p[\.bias.grad]   // [U, U], [U]
            let hp = p[read: 0], uk = p[read: 1], dyp = p[read: 2]     // [T+1, B, U], [U, U], [B, U] or [B, T, U]
            let mp = masked ? p[read: 3] : nil               // [T, B]
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
                    BLAS.gemm(transB: true, m: B, n: U, k: U, a: dzt, lda: U, b: uk, ldb: U, beta: 1, c: dhp, ldc: U)
                }
            }
            // dU = H[0..<T]ᵀ · dZ   ([U, T·B] · [T·B, U])
            BLAS.gemm(transA: true, m: U, n: U, k: rows, a: hp, lda: U, b: dzp, ldb: U, c: du, ldc: U)
            Recurrent.columnSums(dzp, rows: rows, cols: U, into: db)
        }
        return finishBackward(inputProjectionGradient: dz)
    }
}
