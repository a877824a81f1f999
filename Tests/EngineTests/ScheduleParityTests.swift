import Foundation
import Testing
@testable import Engine

/// Learning-rate schedules and SGD momentum against real Keras (schedules.json,
/// sgd_momentum.json from the repository's generator).
@Suite struct ScheduleParityTests {
    /// Keras's float32 schedule values are matched to 1e-7 relative at every step.
    static let scheduleTolerance = Tolerance(rtol: 1e-7, atol: 0)

    /// The engine's schedule for a fixture case's Keras class and constructor arguments.
    static func schedule(_ c: J) throws -> LearningRateSchedule {
        let cfg = c["config"]
        func f(_ k: String) throws -> Float { Float(try cfg[k].double()) }
        switch try c["class_name"].string() {
        case "ExponentialDecay":
            return .exponentialDecay(initial: try f("initial_learning_rate"), decaySteps: try cfg["decay_steps"].int(),
                                     decayRate: try f("decay_rate"), staircase: cfg["staircase"].bool())
        case "PiecewiseConstantDecay":
            return .piecewiseConstant(boundaries: try cfg["boundaries"].array.map { try $0.int() },
                                      values: try cfg["values"].array.map { Float(try $0.double()) })
        case "CosineDecay":
            return .cosineDecay(initial: try f("initial_learning_rate"), decaySteps: try cfg["decay_steps"].int(),
                                alpha: try f("alpha"), warmupTarget: cfg["warmup_target"].exists ? try f("warmup_target") : nil,
                                warmupSteps: cfg["warmup_steps"].exists ? try cfg["warmup_steps"].int() : 0)
        case let other:
            throw Fixtures.Missing(description: "\(c.path): unknown schedule \(other)")
        }
    }

    static func checkScheduleCase(_ raw: [String: Any]) throws {
        let c = J(raw)
        let s = try schedule(c)
        try s.validate(field: "schedule")
        let want = try c["values"].array.map { Float(try $0.double()) }
        let got = (0..<want.count).map { s.value(atStep: $0) }
        expectClose(got, want, scheduleTolerance, "\(try c["name"].string()) values")
    }

    @Test func schedulesMatchKerasAtEveryStep() throws {
        let cases = try Fixtures.cases("schedules.json")
        #expect(cases.count >= 9)
        for c in cases { try Self.checkScheduleCase(c) }
    }

    /// A two-layer Dense model (tanh, softmax) trained by the engine's optimiser, checked
    /// against Keras's weights after each step.
    static func checkSGDCase(_ raw: [String: Any]) throws {
        let c = J(raw)
        let name = try c["name"].string()
        let order = try c["weight_order"].array.map { try $0.string() }
        let x = try c["inputs"]["x"].tensor(), y = try c["inputs"]["y"].tensor()
        var rng = SeededGenerator(seed: 1)
        let hidden = DenseLayer(name: "dense", inputDim: x.shape[1], units: 4, activation: .tanh, rng: &rng)
        let head = DenseLayer(name: "dense_1", inputDim: 4, units: 3, activation: .softmax, rng: &rng)
        let params = hidden.parameters + head.parameters
        for (p, path) in zip(params, order) { p.value = try c["initial_weights"][path].tensor() }

        let o = c["optimizer"]
        var spec = OptimizerSpec.sgd(momentum: Float(try o["momentum"].double()), nesterov: o["nesterov"].bool())
        if o["learning_rate"].object != nil {
            spec.schedule = try schedule(o["learning_rate"])
        } else {
            spec.learningRate = Float(try o["learning_rate"].double())
        }
        let optimizer = Optimizer(spec)
        let t = c["training"]
        let losses = try t["loss_before_step"].array.map { Float(try $0.double()) }
        for step in 1...losses.count {
            let h = try hidden.forward(x, training: true)
            _ = try head.forward(h, training: true)
            var perSample: [Float] = [], grad = Tensor.empty
            let loss = Losses.sparseCategoricalCrossentropy(logits: head.logits, labels: y, perSample: &perSample, grad: &grad)
            expectClose([loss], [losses[step - 1]], .forward, "\(name) loss before step \(step)")
            _ = hidden.backward(head.backward(logitsGradient: grad))
            optimizer.step(params)
            for (p, path) in zip(params, order) {
                expectClose(p.value, try t["weights_after_step"]["\(step)"][path].tensor(), .training, "\(name) \(path) after step \(step)")
            }
        }
    }

    @Test func sgdMomentumAndNesterovMatchKeras() throws {
        let cases = try Fixtures.cases("sgd_momentum.json")
        #expect(cases.count == 3)
        for c in cases { try Self.checkSGDCase(c) }
    }

    /// The checks above catch a wrong number (ParitySelfTests' pattern).
    @Test func wrongScheduleValueOrStepIsCaught() throws {
        let schedules = try Fixtures.cases("schedules.json")
        for c in schedules {
            var bad = c
            var values = try #require(c["values"] as? [Any])
            let i = values.count / 2
            values[i] = (values[i] as! Double) * (1 + 1e-6)
            bad["values"] = values
            #expect(try caught { try Self.checkScheduleCase(bad) }, "\(c["name"] ?? "")")
            #expect(try !caught { try Self.checkScheduleCase(c) })
        }
        let sgd = try Fixtures.cases("sgd_momentum.json")[1]
        let path = try #require((sgd["weight_order"] as? [String])?.first)
        #expect(try caught { try Self.checkSGDCase(ParitySelfTests.perturb(sgd, ["training", "weights_after_step", "3", path]) as! [String: Any]) })
        // Nesterov off where Keras had it on is caught too.
        var plain = sgd
        var opt = try #require(sgd["optimizer"] as? [String: Any])
        opt["nesterov"] = false
        plain["optimizer"] = opt
        #expect(try caught { try Self.checkSGDCase(plain) })
        #expect(try !caught { try Self.checkSGDCase(sgd) })
    }

    func caught(_ check: () throws -> Void) throws -> Bool {
        let log = MismatchLog()
        try ParityReporting.$log.withValue(log) { try check() }
        return !log.messages.isEmpty
    }
}
