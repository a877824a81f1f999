import Testing
@testable import Engine

/// The parity checks must fail when an expected number is wrong: each check here runs on a
/// fixture case with one number changed, with mismatches collected (not recorded), and the
/// test asserts that something was caught.
@Suite struct ParitySelfTests {
    /// Returns a copy of a JSON tree with the first number under `path` (keys) scaled.
    static func perturb(_ v: Any, _ path: [String]) -> Any {
        if path.isEmpty {
            if let t = v as? [String: Any], let values = t["values"] {
                var c = t; c["values"] = perturb(values, []); return c
            }
            if let a = v as? [Any], let first = a.first { var c = a; c[0] = perturb(first, []); return c }
            if let n = v as? Double { return n * 1.001 + 1e-3 }
            if let n = v as? Float { return n * 1.001 + 1e-3 }
            return v
        }
        guard var d = v as? [String: Any], let child = d[path[0]] else { return v }
        d[path[0]] = perturb(child, Array(path.dropFirst()))
        return d
    }

    @Test func denseOutputMismatchIsCaught() throws {
        let c = try Fixtures.cases("dense.json")[0]
        let bad = J(Self.perturb(c, ["results", "float32", "output"]))
        var rng = SeededGenerator(seed: 1)
        let x = try bad["inputs"]["x"].tensor()
        let layer = DenseLayer(name: "dense", inputDim: x.shape.last!, units: try bad["layer"]["config"]["units"].int(),
                               activation: try Activation.named(try bad["layer"]["config"]["activation"].string(), layer: "d"), rng: &rng)
        try loadWeights(layer, bad)
        #expect(try caught { try checkLayerCase(layer, bad, input: x) })
    }

    @Test func modelGradientAndStepMismatchesAreCaught() throws {
        let c = try Fixtures.cases("model_seed.json")[0]
        let order = try J(c)["weight_order"].array.map { try $0.string() }
        let lstmKernel = try #require(order.first { $0.contains("lstm") && $0.hasSuffix("/kernel") })
        #expect(try caught { try checkModelCase(Self.perturb(c, ["results", "float32", "grads", lstmKernel]) as! [String: Any]) })
        #expect(try caught {
            try checkModelCase(Self.perturb(c, ["results", "float32", "training_dense_gradients", "weights_after_step", "3", order[0]]) as! [String: Any])
        })
        #expect(try caught { try checkModelCase(Self.perturb(c, ["results", "float32", "loss"]) as! [String: Any]) })
        // The unchanged case catches nothing.
        #expect(try !caught { try checkModelCase(c) })
    }

    /// Runs a check with mismatches collected; true when it caught at least one.
    func caught(_ check: () throws -> Void) throws -> Bool {
        let log = MismatchLog()
        try ParityReporting.$log.withValue(log) { try check() }
        return !log.messages.isEmpty
    }
}
