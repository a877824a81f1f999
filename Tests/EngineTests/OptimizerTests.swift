import Foundation
import Testing
@testable import Engine

/// Optimiser steps against Keras 3's update rules, replayed in Double on a small parameter
/// with a changing gradient. (Adam and plain SGD are also held to real Keras by the model
/// fixtures.)
@Suite struct OptimizerTests {
    static let w0: [Double] = [0.5, -1.25, 2.0, 0.0]
    static func grad(_ step: Int) -> [Double] { [0.3, -0.2 * Double(step), 1.5, -0.01 * Double(step * step)] }

    /// Runs `steps` steps of the engine's optimiser and returns the final weights.
    func run(_ spec: OptimizerSpec, steps: Int = 4) -> [Float] {
        let p = Parameter(name: "w", value: Tensor(shape: [4], scalars: Self.w0.map(Float.init)))
        let opt = Optimizer(spec)
        for s in 1...steps {
            p.grad = Tensor(shape: [4], scalars: Self.grad(s).map(Float.init))
            opt.step([p])
        }
        #expect(opt.iterations == steps)
        return p.value.scalars
    }

    func expectNear(_ got: [Float], _ want: [Double]) {
        for (g, w) in zip(got, want) { #expect(abs(Double(g) - w) <= 1e-5 + 1e-5 * abs(w), "got \(got), want \(want)") }
    }

    @Test func sgdMomentumAndNesterov() {
        for nesterov in [false, true] {
            var w = Self.w0, m = [Double](repeating: 0, count: 4)
            let lr = 0.1, mu = 0.9
            for s in 1...4 {
                let g = Self.grad(s)
                for i in 0..<4 {
                    m[i] = mu * m[i] - lr * g[i]
                    w[i] += nesterov ? mu * m[i] - lr * g[i] : m[i]
                }
            }
            expectNear(run(.sgd(learningRate: 0.1, momentum: 0.9, nesterov: nesterov)), w)
        }
    }

    @Test func adamWDecaysThenSteps() {
        var spec = OptimizerSpec(kind: .adamw, learningRate: 0.01)
        #expect(spec.weightDecay == 0.004)
        spec.weightDecay = 0.1
        var w = Self.w0, m = [Double](repeating: 0, count: 4), v = m
        for s in 1...4 {
            let g = Self.grad(s)
            let alpha = 0.01 * (1 - pow(0.999, Double(s))).squareRoot() / (1 - pow(0.9, Double(s)))
            for i in 0..<4 {
                w[i] -= w[i] * 0.01 * 0.1
                m[i] += (g[i] - m[i]) * 0.1
                v[i] += (g[i] * g[i] - v[i]) * 0.001
                w[i] -= m[i] * alpha / (v[i].squareRoot() + 1e-7)
            }
        }
        expectNear(run(spec), w)
    }

    @Test(arguments: [(0.0, false), (0.5, false), (0.0, true), (0.5, true)])
    func rmsprop(_ setting: (Double, Bool)) {
        let (mu, centered) = setting
        var spec = OptimizerSpec(kind: .rmsprop, learningRate: 0.01)
        spec.momentum = Float(mu); spec.centered = centered
        var w = Self.w0, v = [Double](repeating: 0, count: 4), a = v, mo = v
        for s in 1...4 {
            let g = Self.grad(s)
            for i in 0..<4 {
                v[i] = 0.9 * v[i] + 0.1 * g[i] * g[i]
                var denom = v[i] + 1e-7
                if centered { a[i] = 0.9 * a[i] + 0.1 * g[i]; denom = v[i] - a[i] * a[i] + 1e-7 }
                let inc = 0.01 * g[i] / denom.squareRoot()
                if mu > 0 { mo[i] = mu * mo[i] + inc; w[i] -= mo[i] } else { w[i] -= inc }
            }
        }
        expectNear(run(spec), w)
    }

    @Test func globalNormClippingScalesAllGradients() {
        var spec = OptimizerSpec.sgd(learningRate: 1)
        spec.globalClipNorm = 1
        let p = Parameter(name: "a", value: Tensor(shape: [2], scalars: [0, 0]))
        let q = Parameter(name: "b", value: Tensor(shape: [1], scalars: [0]))
        p.grad = Tensor(shape: [2], scalars: [3, 0])
        q.grad = Tensor(shape: [1], scalars: [4])   // global norm 5
        Optimizer(spec).step([p, q])
        #expect(abs(p.value[flat: 0] + 0.6) < 1e-6 && abs(q.value[flat: 0] + 0.8) < 1e-6)
        // Below the limit: unchanged.
        p.grad = Tensor(shape: [2], scalars: [0.3, 0]); q.grad = Tensor(shape: [1], scalars: [0.4])
        let before = p.value[flat: 0]
        Optimizer(spec).step([p, q])
        #expect(abs(p.value[flat: 0] - (before - 0.3)) < 1e-6)
    }

    @Test func badSettingsAreNamed() {
        var s = OptimizerSpec.adam(learningRate: -1)
        #expect(throws: EngineError.self) { try s.validate() }
        s = .adam(); s.beta1 = 1
        do { try s.validate(); Issue.record("expected an error") } catch { #expect("\(error)".contains("beta1")) }
    }

    @Test func stateRestoresExactly() throws {
        let spec = OptimizerSpec.adam(learningRate: 0.01)
        let p = Parameter(name: "w", value: Tensor(shape: [4], scalars: Self.w0.map(Float.init)))
        let q = Parameter(name: "w", value: p.value)
        let a = Optimizer(spec)
        p.grad = Tensor(shape: [4], scalars: Self.grad(1).map(Float.init))
        a.step([p])
        let b = Optimizer(spec)
        q.value = p.value
        try b.restore(iterations: a.iterations, slots: a.slots, params: [q])
        p.grad = Tensor(shape: [4], scalars: Self.grad(2).map(Float.init)); q.grad = p.grad
        a.step([p]); b.step([q])
        #expect(p.value == q.value)
        #expect(throws: EngineError.self) { try Optimizer(spec).restore(iterations: 1, slots: [:], params: [q]) }
    }
}
