import Foundation
import Testing
@testable import Engine

/// The command-line form of schedules, their bounds, and that every optimiser takes its rate
/// from the schedule at `iterations` before the step.
@Suite struct LearningRateScheduleTests {
    @Test func parsesTheThreeForms() throws {
        #expect(try LearningRateSchedule(parsing: "exponential:decay_steps=1000:decay_rate=0.9", initial: 0.1)
                == .exponentialDecay(initial: 0.1, decaySteps: 1000, decayRate: 0.9, staircase: false))
        #expect(try LearningRateSchedule(parsing: "exponential:decay_steps=10:decay_rate=0.5:staircase", initial: 0.1)
                == .exponentialDecay(initial: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true))
        #expect(try LearningRateSchedule(parsing: "piecewise:boundaries=100,200:values=0.1,0.01,0.001", initial: 1)
                == .piecewiseConstant(boundaries: [100, 200], values: [0.1, 0.01, 0.001]))
        #expect(try LearningRateSchedule(parsing: "cosine:decay_steps=1000", initial: 0.1)
                == .cosineDecay(initial: 0.1, decaySteps: 1000, alpha: 0, warmupTarget: nil, warmupSteps: 0))
        #expect(try LearningRateSchedule(parsing: "cosine:decay_steps=1000:alpha=0.1:warmup_steps=100:warmup_target=0.01", initial: 0.001)
                == .cosineDecay(initial: 0.001, decaySteps: 1000, alpha: 0.1, warmupTarget: 0.01, warmupSteps: 100))
    }

    /// Each mistake is refused with the field named.
    @Test(arguments: [
        ("linear:decay_steps=10", "--lr-schedule", "unknown schedule 'linear' (exponential, piecewise, cosine)"),
        ("exponential:decay_rate=0.9", "--lr-schedule decay_steps", "is required for exponential"),
        ("exponential:decay_steps=ten:decay_rate=0.9", "--lr-schedule decay_steps", "must be a whole number, got 'ten'"),
        ("exponential:decay_steps=0:decay_rate=0.9", "--lr-schedule decay_steps", "must be in 1…1073741824, got 0"),
        ("exponential:decay_steps=10:decay_rate=nan", "--lr-schedule decay_rate", "must be a finite number, got 'nan'"),
        ("exponential:decay_steps=10:decay_rate=50", "--lr-schedule decay_rate", "must be in (0, 10], got 50.0"),
        ("exponential:decay_steps=10:decay_rate=0.9:alpha=1", "--lr-schedule alpha", "is not a setting of exponential (decay_rate, decay_steps)"),
        ("exponential:decay_steps=10:decay_steps=20:decay_rate=0.9", "--lr-schedule decay_steps", "given twice"),
        ("piecewise:boundaries=100,200:values=0.1,0.01", "--lr-schedule values", "must hold one more value than boundaries (3), got 2"),
        ("piecewise:boundaries=200,100:values=0.1,0.01,0.001", "--lr-schedule boundaries", "must increase strictly"),
        ("piecewise:boundaries=100,:values=0.1,0.01,0.001", "--lr-schedule boundaries", "must be a whole number, got ''"),
        ("piecewise:boundaries=100:values=-1,0.1", "--lr-schedule values", "must be a non-negative number, got -1.0"),
        ("cosine:decay_steps=100:alpha=2", "--lr-schedule alpha", "must be in [0, 1], got 2.0"),
        ("cosine:decay_steps=100:warmup_steps=10", "--lr-schedule warmup_target", "is required with warmup_steps"),
        ("cosine:decay_steps", "--lr-schedule decay_steps", "needs a value (decay_steps=…)"),
    ])
    func mistakesNameTheField(text: String, field: String, reason: String) {
        #expect(throws: EngineError.invalidSpec(field: field, reason: reason)) {
            try LearningRateSchedule(parsing: text, initial: 0.1)
        }
    }

    @Test func hugeListsAreRefusedBeforeParsing() {
        let many = Array(repeating: "1", count: LearningRateSchedule.maxBoundaries + 2).joined(separator: ",")
        #expect(throws: EngineError.self) { try LearningRateSchedule(parsing: "piecewise:boundaries=\(many):values=1", initial: 0.1) }
    }

    /// Piecewise boundaries are inclusive on the left value's side, as Keras's `x <= b`.
    @Test func piecewiseBoundaryIsInclusive() {
        let s = LearningRateSchedule.piecewiseConstant(boundaries: [2, 4], values: [3, 2, 1])
        #expect((0..<7).map { s.value(atStep: $0) } == [3, 3, 3, 2, 2, 1, 1])
    }

    /// Plain SGD, Adam, AdamW and RMSprop all use the schedule's value at the step count before
    /// the step: with a piecewise rate of 0 after the first step, only the first step moves the
    /// weight (AdamW's decay included).
    @Test(arguments: OptimizerSpec.Kind.allCases)
    func everyOptimizerFollowsTheSchedule(kind: OptimizerSpec.Kind) {
        var spec = OptimizerSpec(kind: kind)
        spec.schedule = .piecewiseConstant(boundaries: [0], values: [0.1, 0])
        let p = Parameter(name: "w", value: Tensor(shape: [2], scalars: [1, -1]))
        let opt = Optimizer(spec)
        p.grad = Tensor(shape: [2], scalars: [0.5, 0.25])
        opt.step([p])
        let afterFirst = p.value.scalars
        #expect(afterFirst != [1, -1])
        for _ in 0..<3 { opt.step([p]) }
        #expect(p.value.scalars == afterFirst, "\(kind)")
    }
}
