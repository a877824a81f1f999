import ArgumentParser
import Engine
import Foundation
import Sessions

/// How a neural model trains: declared once for `train` and `train --session`, and turned into
/// the optimiser and fit settings by one function (`settings(over:)`) for both. Each option is
/// optional so that continuing a session can tell an option given from a default: only what
/// is given changes the run.
struct TrainingOptions: ParsableArguments {
    static let defaultEpochs = 3
    static let defaultBatchSize = 32
    static let defaultLearningRate: Float = 0.001
    static let defaultSeed: UInt64 = 42

    @Option(help: "Epochs (default 3); when continuing a session: epochs to train beyond those done.") var epochs: Int?
    @Option(name: .customLong("batch-size"), help: "Batch size (default 32).") var givenBatchSize: Int?
    @Option(name: .customLong("learning-rate"), help: "Learning rate (default 0.001).") var givenLearningRate: Float?
    @Option(name: .customLong("optimizer"), help: "Optimizer: adam (default), adamw, sgd, rmsprop.") var givenOptimizer: String?
    @Option(help: "Clip gradients to this global norm.") var clipNorm: Float?
    @Option(help: ArgumentHelp("Learning-rate schedule (Keras's), starting from --learning-rate: exponential:decay_steps=N:decay_rate=F[:staircase], piecewise:boundaries=N,N:values=F,F,F, cosine:decay_steps=N[:alpha=F][:warmup_steps=N:warmup_target=F].", valueName: "schedule"))
    var lrSchedule: String?
    @Option(help: "Momentum for sgd and rmsprop (0 ≤ F < 1; default 0).") var momentum: Float?
    @Flag(inversion: .prefixedNo, help: "Nesterov momentum (sgd with --momentum).") var nesterov: Bool?
    @Flag(inversion: .prefixedNo, help: "Adam as Keras on TensorFlow runs it: Embedding second moments from per-occurrence squared gradients (default: textbook Adam).")
    var kerasAdam: Bool?
    @Option(name: .customLong("seed"), help: "Random seed (weights, shuffling, split; default 42).") var givenSeed: UInt64?
    @Option(help: "Class weights, as Keras's class_weight (neural models): balanced (n / (classes × count of the class), on the training split) or LABEL=WEIGHT,… (e.g. pos=2,neg=1; other labels get 1).")
    var classWeight: String?
    @Option(help: ArgumentHelp("Keras's EarlyStopping at each epoch end: monitor=val_loss|val_accuracy|loss|accuracy,patience=N,min_delta=F,mode=auto|min|max,start_from_epoch=N,baseline=F,restore_best (each optional; Keras's defaults). 'off' drops it from a continued run.", valueName: "settings"))
    var earlyStopping: String?
    @Option(help: ArgumentHelp("Keras's ReduceLROnPlateau at each epoch end: monitor=…,factor=F,patience=N,min_lr=F,cooldown=N,mode=…,min_delta=F (each optional; Keras's defaults: factor 0.1, patience 10, min_delta 1e-4). 'off' drops it.", valueName: "settings"))
    var reduceLrOnPlateau: String?
    @Option(help: ArgumentHelp("Which epoch's weights are the model: last (default) or best, by --early-stopping's monitor (else val_loss), as Keras's ModelCheckpoint(save_best_only=True); a session keeps both and predicts and exports with the best.", valueName: "best|last"))
    var checkpoint: String?

    var batchSize: Int { givenBatchSize ?? Self.defaultBatchSize }
    var learningRate: Float { givenLearningRate ?? Self.defaultLearningRate }
    var seed: UInt64 { givenSeed ?? Self.defaultSeed }

    /// The optimiser and fit settings of a run.
    struct Settings: Equatable {
        var optimizer: OptimizerSpec
        var fit: FitConfig
    }

    /// The settings the options describe: over `base` (the run being continued: only the
    /// options given change it), or over the defaults for a new model. The epochs of a
    /// continued run are not set here (`--epochs` then counts epochs beyond those done), nor
    /// the class weights (they need the training labels: `ClassWeight.weights`). A mistake is
    /// a usage error naming the option.
    func settings(over base: Settings? = nil) throws -> Settings {
        let kindName = givenOptimizer ?? base?.optimizer.kind.rawValue ?? OptimizerSpec.Kind.adam.rawValue
        guard let kind = OptimizerSpec.Kind(rawValue: kindName) else {
            throw ValidationError("unknown optimizer '\(kindName)' (adam, adamw, sgd, rmsprop)")
        }
        var opt: OptimizerSpec
        if let base, base.optimizer.kind == kind {
            opt = base.optimizer
            if let givenLearningRate {
                // Setting the rate makes the schedule that constant: a schedule the run follows
                // is not dropped unless a new one is given with it.
                if lrSchedule == nil, opt.schedule != .constant(opt.learningRate) {
                    throw ValidationError("--learning-rate: the run follows a schedule starting from \(opt.learningRate); give --lr-schedule too to replace it")
                }
                opt.learningRate = givenLearningRate
            }
        } else {
            // A new optimiser: its own defaults, keeping the run's rate, clipping and Adam variant.
            opt = OptimizerSpec(kind: kind, learningRate: givenLearningRate ?? base?.optimizer.learningRate ?? Self.defaultLearningRate)
            opt.globalClipNorm = base?.optimizer.globalClipNorm
            opt.kerasSparseEmbeddingMoments = base?.optimizer.kerasSparseEmbeddingMoments ?? false
        }
        if let clipNorm { opt.globalClipNorm = clipNorm }
        if let momentum {
            guard kind == .sgd || kind == .rmsprop else { throw ValidationError("--momentum applies to sgd and rmsprop, not \(kind.rawValue)") }
            guard momentum.isFinite, momentum >= 0, momentum < 1 else { throw ValidationError("--momentum must be in [0, 1), got \(momentum)") }
            opt.momentum = momentum
        }
        if let nesterov { opt.nesterov = nesterov }
        if opt.nesterov, kind != .sgd || opt.momentum == 0 {
            // Kept from the run (not given): say how to drop it.
            throw ValidationError("--nesterov needs --optimizer sgd with --momentum > 0" + (nesterov == nil ? " (the run uses it: add --no-nesterov)" : ""))
        }
        if let kerasAdam { opt.kerasSparseEmbeddingMoments = kerasAdam }
        do {
            if let lrSchedule { opt.schedule = try LearningRateSchedule(parsing: lrSchedule, initial: opt.learningRate) }
            try opt.validate()
        } catch EngineError.invalidSpec(let field, let reason) {
            throw ValidationError("\(field): \(reason)")
        }
        var fit = base?.fit ?? FitConfig(epochs: epochs ?? Self.defaultEpochs, batchSize: batchSize, seed: seed)
        if let givenBatchSize { fit.batchSize = givenBatchSize }
        do {
            var callbacks = fit.callbacks ?? TrainingCallbacks()
            if let earlyStopping { callbacks.earlyStopping = earlyStopping == "off" ? nil : try EarlyStopping(parsing: earlyStopping) }
            if let reduceLrOnPlateau {
                callbacks.reduceLROnPlateau = reduceLrOnPlateau == "off" ? nil : try ReduceLROnPlateau(parsing: reduceLrOnPlateau)
            }
            switch checkpoint {
            case nil: break
            case "last": callbacks.bestCheckpoint = nil
            case "best":
                callbacks.bestCheckpoint = BestCheckpoint(monitor: callbacks.earlyStopping?.monitor ?? .valLoss,
                                                          mode: callbacks.earlyStopping?.mode ?? .auto)
            case let other?: throw ValidationError("--checkpoint: '\(other)' is not best or last")
            }
            fit.callbacks = callbacks.isEmpty ? nil : callbacks
        } catch EngineError.invalidSpec(let field, let reason) {
            throw ValidationError("\(field): \(reason)")
        }
        if fit.callbacks?.reduceLROnPlateau != nil, opt.schedule != .constant(opt.learningRate) {
            throw ValidationError("--reduce-lr-on-plateau lowers a constant learning rate; the run follows --lr-schedule (\(opt.schedule.summary)): use one or the other")
        }
        return Settings(optimizer: opt, fit: fit)
    }

    /// `--class-weight` parsed (nil without it).
    func classWeightChoice() throws -> ClassWeight? {
        guard let classWeight else { return nil }
        do { return try ClassWeight.parse(classWeight) } catch let e as SessionError { throw ValidationError("--class-weight: \(e)") }
    }

    /// The options given that `settings(over:)` applies to the optimiser and fit settings, as
    /// typed (for the line that says what changed).
    var givenSettingFlags: [String] {
        [("--batch-size", givenBatchSize != nil), ("--learning-rate", givenLearningRate != nil), ("--optimizer", givenOptimizer != nil),
         ("--clip-norm", clipNorm != nil), ("--lr-schedule", lrSchedule != nil), ("--momentum", momentum != nil),
         ("--nesterov", nesterov != nil), ("--keras-adam", kerasAdam != nil), ("--class-weight", classWeight != nil),
         ("--early-stopping", earlyStopping != nil), ("--reduce-lr-on-plateau", reduceLrOnPlateau != nil), ("--checkpoint", checkpoint != nil)]
            .filter(\.1).map(\.0)
    }
}
