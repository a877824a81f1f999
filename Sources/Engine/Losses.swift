import Foundation

/// The losses the engine trains with, with Keras's names.
public enum LossKind: String, Codable, Sendable, CaseIterable {
    case binaryCrossentropy = "binary_crossentropy"
    case sparseCategoricalCrossentropy = "sparse_categorical_crossentropy"
}

/// Keras's cross-entropies. Each returns the batch-mean loss, writes the per-sample values
/// and dLoss/dinput (for that batch mean) into caller-owned buffers.
///
/// `sampleWeights` (one per row, or nil for all 1) are Keras's sample weights, which
/// `class_weight` becomes: each row's loss is multiplied by its weight and the products are
/// summed and divided by the number of rows (Keras's "sum_over_batch_size", not a division
/// by the sum of the weights); the gradient scales with them. `perSample` stays unweighted.
///
/// Inside a model, a sigmoid / softmax output hands its logits to the loss (Keras does this
/// silently), so training uses the `logits` forms; the `probabilities` forms, with Keras's
/// clipping to [1e-7, 1 − 1e-7], are for bare probability tensors.
public enum Losses {
    public static let epsilon: Float = 1e-7

    /// Binary cross-entropy of probabilities [N, K] (or [N]) against targets of the same shape:
    /// p = clip(q, ε, 1−ε); mean over the last axis, then over the batch. The gradient is 0
    /// where the clip is active.
    @discardableResult
    public static func binaryCrossentropy(probabilities q: Tensor, targets y: Tensor,
                                          perSample: inout [Float], grad: inout Tensor, sampleWeights: [Float]? = nil) -> Float {
        let n = q.shape.first ?? 0, k = n == 0 ? 1 : q.count / n
        let lo = epsilon, hi = 1 - epsilon
        grad.reshape(like: q)
        prepare(&perSample, n)
        var total = 0.0
        q.withUnsafeBufferPointer { qp in y.withUnsafeBufferPointer { yp in grad.withUnsafeMutableBufferPointer { g in
            for r in 0..<n {
                let w = weight(sampleWeights, r)
                var s = 0.0
                for c in 0..<k {
                    let i = r * k + c
                    let inside = qp[i] >= lo && qp[i] <= hi
                    let p = Double(min(max(qp[i], lo), hi)), t = Double(yp[i])
                    s -= t * Foundation.log(p) + (1 - t) * Foundation.log(1 - p)
                    g[i] = inside ? Float(w * -(t / p - (1 - t) / (1 - p)) / Double(k * n)) : 0
                }
                perSample[r] = Float(s / Double(k))
                total += w * s / Double(k)
            }
        } } }
        return Float(total / Double(max(n, 1)))
    }

    /// Binary cross-entropy from logits: max(z,0) − z·y + log(1 + e^−|z|); no clipping.
    @discardableResult
    public static func binaryCrossentropy(logits z: Tensor, targets y: Tensor,
                                          perSample: inout [Float], grad: inout Tensor, sampleWeights: [Float]? = nil) -> Float {
        let n = z.shape.first ?? 0, k = n == 0 ? 1 : z.count / n
        grad.reshape(like: z)
        prepare(&perSample, n)
        var total = 0.0
        z.withUnsafeBufferPointer { zp in y.withUnsafeBufferPointer { yp in grad.withUnsafeMutableBufferPointer { g in
            for r in 0..<n {
                let w = weight(sampleWeights, r)
                var s = 0.0
                for c in 0..<k {
                    let i = r * k + c
                    let x = Double(zp[i]), t = Double(yp[i])
                    s += max(x, 0) - x * t + Foundation.log1p(Foundation.exp(-abs(x)))
                    g[i] = Float(w) * (logistic(zp[i]) - yp[i]) / Float(k * n)
                }
                perSample[r] = Float(s / Double(k))
                total += w * s / Double(k)
            }
        } } }
        return Float(total / Double(max(n, 1)))
    }

    /// Sparse categorical cross-entropy of probabilities [N, K] against integer labels [N]:
    /// −log(p[label] / Σp) on the clipped p (rows that do not sum to 1 are renormalised).
    @discardableResult
    public static func sparseCategoricalCrossentropy(probabilities q: Tensor, labels: Tensor,
                                                     perSample: inout [Float], grad: inout Tensor, sampleWeights: [Float]? = nil) -> Float {
        let n = q.shape.first ?? 0, k = n == 0 ? 1 : q.count / n
        let lo = epsilon, hi = 1 - epsilon
        grad.reshape(like: q)
        prepare(&perSample, n)
        var total = 0.0
        q.withUnsafeBufferPointer { qp in labels.withUnsafeBufferPointer { lp in grad.withUnsafeMutableBufferPointer { g in
            for r in 0..<n {
                let w = weight(sampleWeights, r)
                let label = Int(lp[r])
                var sum = 0.0
                for c in 0..<k { sum += Double(min(max(qp[r * k + c], lo), hi)) }
                let pl = Double(min(max(qp[r * k + label], lo), hi))
                let l = -Foundation.log(pl / sum)
                perSample[r] = Float(l)
                total += w * l
                for c in 0..<k {
                    let i = r * k + c
                    let inside = qp[i] >= lo && qp[i] <= hi
                    var d = 1 / sum
                    if c == label { d -= 1 / pl }
                    g[i] = inside ? Float(w * d / Double(n)) : 0
                }
            }
        } } }
        return Float(total / Double(max(n, 1)))
    }

    /// Sparse categorical cross-entropy from logits [N, K]: −log_softmax(z)[label].
    @discardableResult
    public static func sparseCategoricalCrossentropy(logits z: Tensor, labels: Tensor,
                                                     perSample: inout [Float], grad: inout Tensor, sampleWeights: [Float]? = nil) -> Float {
        let n = z.shape.first ?? 0, k = n == 0 ? 1 : z.count / n
        grad.reshape(like: z)
        prepare(&perSample, n)
        var total = 0.0
        z.withUnsafeBufferPointer { zp in labels.withUnsafeBufferPointer { lp in grad.withUnsafeMutableBufferPointer { g in
            for r in 0..<n {
                let w = weight(sampleWeights, r)
                let label = Int(lp[r])
                var m = -Float.infinity
                for c in 0..<k where zp[r * k + c] > m { m = zp[r * k + c] }
                var sum = 0.0
                for c in 0..<k { sum += Foundation.exp(Double(zp[r * k + c] - m)) }
                let logSum = Foundation.log(sum) + Double(m)
                let l = logSum - Double(zp[r * k + label])
                perSample[r] = Float(l)
                total += w * l
                for c in 0..<k {
                    let p = Foundation.exp(Double(zp[r * k + c]) - logSum)
                    g[r * k + c] = Float(w * (p - (c == label ? 1 : 0)) / Double(n))
                }
            }
        } } }
        return Float(total / Double(max(n, 1)))
    }

    /// Row r's sample weight (1 without weights), widened for the sums.
    @inline(__always)
    private static func weight(_ weights: [Float]?, _ r: Int) -> Double {
        guard let weights, r < weights.count else { return 1 }
        return Double(weights[r])
    }

    private static func prepare(_ a: inout [Float], _ n: Int) {
        if a.count != n { a = [Float](repeating: 0, count: n) }
    }
}
