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
        h.withUnsafeMutableBufferPointer { hb in
            let hp = hb.baseAddress!
            for i in 0..<BU { hp[i] = 0 }
            // h[1...T] = X · W + b, all steps in one gemm ([T·B, D] · [D, U]).
            bias.value.withUnsafeBufferPointer { projectInput(into: hp + BU, bias: $0.baseAddress!) }
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
        return finishForward()
    }

    public func backward(_ dy: Tensor) -> Tensor {
        beginBackward(dy)
        let B = batch, T = time, U = units, BU = B * U, rows = T * B
        let rs = returnSequences
        dz.reshape(rows, U)
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
        bias.grad.withUnsafeMutableBufferPointer { db in
            dz.withUnsafeBufferPointer { Recurrent.columnSums($0.baseAddress!, rows: rows, cols: U, into: db.baseAddress!) }
        }
        return finishBackward(inputProjectionGradient: dz)
    }
}
