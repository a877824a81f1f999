import Testing
@testable import Engine

extension KerasParity {
    /// Every case of losses.json: per-sample values, the batch-mean loss, the gradient wrt the
    /// given input, and (for cases that go through an activation) the activation's output.
    @Test func losses() throws {
        let cases = try Fixtures.cases("losses.json")
        #expect(!cases.isEmpty)
        for raw in cases {
            let c = J(raw)
            let name = try c["name"].string()
            let kind = try c["kind"].string()
            guard let loss = LossKind(rawValue: kind) else { Issue.record("\(name): unknown loss kind \(kind)"); continue }
            let r = c["results"]["float32"]
            let y = try c["inputs"]["y_true"].tensor()
            var perSample: [Float] = []
            var grad = Tensor.empty
            let value: Float
            let gradKey: String
            if c["inputs"]["probabilities"].exists {
                let p = try c["inputs"]["probabilities"].tensor()
                gradKey = "grad_probabilities"
                value = loss == .binaryCrossentropy
                    ? Losses.binaryCrossentropy(probabilities: p, targets: y, perSample: &perSample, grad: &grad)
                    : Losses.sparseCategoricalCrossentropy(probabilities: p, labels: y, perSample: &perSample, grad: &grad)
            } else if c["inputs"]["logits"].exists || c["inputs"]["logits_through_activation"].exists {
                let through = c["inputs"]["logits_through_activation"].exists
                let z = try c["inputs"][through ? "logits_through_activation" : "logits"].tensor()
                gradKey = through ? "grad_logits_through_activation" : "grad_logits"
                value = loss == .binaryCrossentropy
                    ? Losses.binaryCrossentropy(logits: z, targets: y, perSample: &perSample, grad: &grad)
                    : Losses.sparseCategoricalCrossentropy(logits: z, labels: y, perSample: &perSample, grad: &grad)
                if through {
                    // The activation's own output (what a model would show as probabilities).
                    var a = z
                    let rows = z.shape[0], cols = z.count / max(rows, 1)
                    a.withUnsafeMutableBufferPointer { p in
                        (loss == .binaryCrossentropy ? Activation.sigmoid : .softmax).apply(p, rows: rows, cols: cols)
                    }
                    expectClose(a, try r["activation_output"].tensor(), .forward, "\(name) activation_output")
                }
            } else {
                Issue.record("\(name): no probabilities or logits input")
                continue
            }
            expectClose(perSample, try r["per_sample"].numbers(), .forward, "\(name) per_sample")
            expectClose([value], try r["loss"].numbers(), .forward, "\(name) loss")
            expectClose(grad, try r[gradKey].tensor(), .gradient, "\(name) \(gradKey)")
        }
    }
}
