import Basics
import Foundation

/// Padded token ids and their targets: x [N, inputLength]; y [N] (0/1 for binary, class
/// indices for sparse categorical) or, for multi-label data, [N, K] of 0/1 (one column per
/// label, binary cross-entropy each).
public struct Dataset: Sendable {
    public var x: Tensor
    public var y: Tensor
    public init(x: Tensor, y: Tensor) throws {
        guard x.rank == 2, y.rank >= 1, y.shape[0] == x.shape[0], y.rank == 1 || (y.rank == 2 && y.shape[1] >= 1) else {
            throw EngineError.shapeMismatch(layer: "dataset", expected: [x.shape.first ?? -1], got: y.shape)
        }
        self.x = x
        self.y = y
    }
    public var count: Int { x.shape[0] }
    public var inputLength: Int { x.shape[1] }
    /// Targets per example: 1, or the number of labels of multi-label data.
    public var targetsPerExample: Int { y.rank == 2 ? y.shape[1] : 1 }

    /// Copies rows `indices` into reusable batch buffers.
    func gather(_ indices: ArraySlice<Int>, into xb: inout Tensor, _ yb: inout Tensor) {
        let t = inputLength, k = targetsPerExample
        xb.reshape(indices.count, t)
        if y.rank == 2 { yb.reshape(indices.count, k) } else { yb.reshape(indices.count) }
        xb.withUnsafeMutableBufferPointer { xp in yb.withUnsafeMutableBufferPointer { yp in
            x.withUnsafeBufferPointer { src in y.withUnsafeBufferPointer { ys in
                for (r, i) in indices.enumerated() {
                    (xp.baseAddress! + r * t).update(from: src.baseAddress! + i * t, count: t)
                    if k == 1 { yp[r] = ys[i] } else { (yp.baseAddress! + r * k).update(from: ys.baseAddress! + i * k, count: k) }
                }
            } }
        } }
    }
}

/// How to train: epochs, batch size, shuffling seed, class weights.
public struct FitConfig: Codable, Sendable, Equatable {
    public var epochs: Int
    public var batchSize: Int
    public var shuffle: Bool
    public var seed: UInt64
    /// Keras's `class_weight` by class index (binary: classes 0 and 1), or nil for none:
    /// each training example's loss is scaled by its class's weight (see `Losses`).
    /// Validation loss and accuracy stay unweighted, as in Keras. Optional, so a config saved
    /// before it existed still decodes.
    public var classWeights: [Float]?
    /// EarlyStopping / ReduceLROnPlateau at each epoch end (nil: none). Optional, so a config
    /// saved before they existed still decodes.
    public var callbacks: TrainingCallbacks?
    public init(epochs: Int = 3, batchSize: Int = 32, shuffle: Bool = true, seed: UInt64 = 42, classWeights: [Float]? = nil,
                callbacks: TrainingCallbacks? = nil) {
        self.epochs = epochs; self.batchSize = batchSize; self.shuffle = shuffle; self.seed = seed
        self.classWeights = classWeights
        self.callbacks = callbacks
    }
    public func validate() throws {
        try Limits.check(epochs, in: 1...Limits.maxEpochs, field: "epochs")
        try Limits.check(batchSize, in: 1...Limits.maxBatchSize, field: "batch_size")
        if let classWeights {
            try Limits.check(classWeights.count, in: 2...Limits.maxClasses, field: "class_weights count")
            if let i = classWeights.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
                throw EngineError.invalidSpec(field: "class_weights[\(i)]", reason: "\(classWeights[i]) is not a finite number above 0")
            }
        }
        try callbacks?.validate()
    }
}

/// Progress after one batch. Loss and accuracy are running means over the epoch so far, as
/// Keras's progress bar shows them; `batchLoss` is this batch's own.
public struct BatchProgress: Sendable, Equatable {
    public var epoch: Int            // 1-based
    /// The epochs the trainer trains to.
    public var epochs: Int
    public var batch: Int            // 1-based within the epoch
    public var batchesPerEpoch: Int
    public var step: Int             // batches since training began
    public var batchLoss: Float
    public var loss: Float
    public var accuracy: Float
    public var samplesPerSecond: Double
    public var epochElapsed: Double  // seconds
}

/// One finished epoch.
public struct EpochSummary: Sendable, Equatable, Codable {
    public var epoch: Int
    public var loss: Float
    public var accuracy: Float
    public var validationLoss: Float?
    public var validationAccuracy: Float?
    public var seconds: Double
    public var samplesPerSecond: Double

    public init(epoch: Int, loss: Float, accuracy: Float, validationLoss: Float? = nil, validationAccuracy: Float? = nil,
                seconds: Double, samplesPerSecond: Double) {
        self.epoch = epoch; self.loss = loss; self.accuracy = accuracy
        self.validationLoss = validationLoss; self.validationAccuracy = validationAccuracy
        self.seconds = seconds; self.samplesPerSecond = samplesPerSecond
    }
}

public enum TrainingEvent: Sendable, Equatable {
    case batchEnd(BatchProgress)
    case epochEnd(EpochSummary)
}

/// Drives training batch by batch, so a caller can stop, pause or single-step between
/// batches. Holds the model, the optimiser and the cursor (epoch, batch, shuffle state).
public final class Trainer {
    public let model: Sequential
    public let optimizer: Optimizer
    public let train: Dataset
    public let validation: Dataset?
    public let config: FitConfig

    /// The cursor: epochs completed, batches done in the current epoch, total steps.
    public private(set) var epochsCompleted = 0
    public private(set) var batchInEpoch = 0
    public private(set) var step = 0
    public private(set) var history: [EpochSummary] = []
    /// The epoch-end callbacks' counters and bests (`config.callbacks`).
    public private(set) var callbackState = TrainingCallbacks.State()
    /// The weights at the end of the best epoch by EarlyStopping's monitor, kept in memory when
    /// it restores them (`restoreBestWeights()`), with that epoch (1-based).
    public private(set) var bestWeights: (epoch: Int, values: [Tensor])?
    /// The best checkpoint's weights (`--checkpoint best`), with their epoch (1-based).
    public private(set) var bestCheckpointWeights: (epoch: Int, values: [Tensor])?

    private var rng: SeededGenerator
    /// `rng` as it was before the current epoch's shuffle (what a snapshot saves).
    private var epochGenerator: SeededGenerator
    /// The current epoch's permutation is drawn (set by its first batch, even one that threw).
    private var orderReady = false
    private var order: [Int] = []
    private var xb = Tensor.empty, yb = Tensor.empty
    /// The batch's sample weights from `config.classWeights` (reused buffer).
    private var sampleWeights: [Float] = []
    private var lossSum = 0.0, correct = 0, seen = 0
    /// Seconds spent training the current epoch's batches: time between batches (paused,
    /// stepping, answering predictions) is not training, so throughput and ETA leave it out.
    private var epochTrainingSeconds: Double = 0
    /// Seconds now, for measuring batches (tests give their own).
    public var clock: () -> Double = Trainer.now

    public init(model: Sequential, optimizer: Optimizer, train: Dataset, validation: Dataset? = nil, config: FitConfig) throws {
        try config.validate()
        try optimizer.spec.validate()
        guard train.count > 0 else { throw EngineError.invalidSpec(field: "training data", reason: "no examples") }
        guard train.inputLength == model.spec.inputLength else {
            throw EngineError.shapeMismatch(layer: model.layers[0].name, expected: [-1, model.spec.inputLength], got: train.x.shape)
        }
        let batch = Swift.min(config.batchSize, Swift.max(train.count, validation?.count ?? 0))
        guard let held = Checked.product([batch, model.activationsPerExample]), held <= Limits.maxBatchActivations else {
            throw EngineError.invalidSpec(
                field: "batch_size",
                reason: "a batch of \(batch) with this model needs \(Digits.grouped(batch * model.activationsPerExample)) numbers in its largest layer, over the limit of \(Digits.grouped(Limits.maxBatchActivations)); use at most \(Swift.max(1, Limits.maxBatchActivations / model.activationsPerExample))")
        }
        if config.callbacks?.reduceLROnPlateau != nil {
            guard case .constant = optimizer.spec.schedule else {
                throw EngineError.invalidSpec(field: "reduce_lr_on_plateau", reason: "lowers a constant learning rate; the optimiser follows a schedule (\(optimizer.spec.schedule.summary)), which Keras cannot lower either")
            }
        }
        if config.callbacks?.monitors.contains(where: \.needsValidation) == true, validation == nil {
            throw EngineError.invalidSpec(field: "callbacks.monitor", reason: "val_loss and val_accuracy need validation data; monitor loss or accuracy instead")
        }
        if config.classWeights != nil, model.isMultiLabel {
            throw EngineError.invalidSpec(field: "class_weights", reason: "class weights pick one class per example; a multi-label model (\(model.outputShape[0]) sigmoid outputs) has none to pick")
        }
        if let weights = config.classWeights {
            // Binary cross-entropy reads 0/1 targets, so it has two classes whatever the head.
            let classes = model.spec.loss == .binaryCrossentropy ? 2 : model.outputShape.reduce(1, *)
            guard weights.count == classes else {
                throw EngineError.invalidSpec(field: "class_weights", reason: "\(weights.count) weights for a model with \(classes) classes")
            }
        }
        self.model = model
        self.optimizer = optimizer
        self.train = train
        self.validation = validation
        self.config = config
        self.rng = SeededGenerator(seed: config.seed)
        self.epochGenerator = rng
    }

    public var batchesPerEpoch: Int { (train.count + config.batchSize - 1) / config.batchSize }
    /// All epochs trained, or EarlyStopping stopped the run.
    public var isFinished: Bool { epochsCompleted >= config.epochs || earlyStopped }
    public var earlyStopped: Bool { config.callbacks?.earlyStopping != nil && callbackState.earlyStopping.stoppedEpoch != nil }

    /// What one batch produced: its progress, and the epoch summary when it ended an epoch.
    public struct BatchOutcome: Sendable {
        public var progress: BatchProgress
        public var epochEnd: EpochSummary?
        /// What the epoch-end callbacks decided (nil: not an epoch end, or no callbacks). A
        /// lowered learning rate is already in `optimizer.spec`.
        public var callbacks: TrainingCallbacks.Decision?
        public var events: [TrainingEvent] { [.batchEnd(progress)] + (epochEnd.map { [.epochEnd($0)] } ?? []) }
    }

    /// Trains on the next batch; at the end of an epoch also evaluates on the validation data.
    @discardableResult
    public func runBatch() throws -> BatchOutcome {
        guard !isFinished else {
            throw EngineError.invalidSpec(field: "epochs", reason: "training already finished its \(config.epochs) epochs")
        }
        if batchInEpoch == 0 && !orderReady {
            epochGenerator = rng
            drawOrder()
            lossSum = 0; correct = 0; seen = 0
            epochTrainingSeconds = 0
            orderReady = true
        }
        let batchStart = clock()
        let lo = batchInEpoch * config.batchSize, hi = min(lo + config.batchSize, train.count)
        train.gather(order[lo..<hi], into: &xb, &yb)
        var weights: [Float]? = nil
        if let classWeights = config.classWeights {
            Self.sampleWeights(targets: yb, classWeights: classWeights, into: &sampleWeights)
            weights = sampleWeights
        }
        let (l, c) = try model.trainStep(x: xb, y: yb, sampleWeights: weights, optimizer: optimizer)
        batchInEpoch += 1
        step += 1
        lossSum += Double(l) * Double(hi - lo)
        correct += c
        seen += hi - lo
        epochTrainingSeconds += max(0, clock() - batchStart)
        let elapsed = epochTrainingSeconds
        var outcome = BatchOutcome(progress: BatchProgress(
            epoch: epochsCompleted + 1, epochs: config.epochs, batch: batchInEpoch, batchesPerEpoch: batchesPerEpoch, step: step,
            batchLoss: l, loss: Float(lossSum / Double(seen)), accuracy: Float(correct) / Float(seen),
            samplesPerSecond: Double(seen) / max(elapsed, 1e-9), epochElapsed: elapsed))
        if batchInEpoch == batchesPerEpoch {
            var summary = EpochSummary(epoch: epochsCompleted + 1, loss: Float(lossSum / Double(seen)),
                                       accuracy: Float(correct) / Float(seen), seconds: elapsed,
                                       samplesPerSecond: Double(seen) / max(elapsed, 1e-9))
            if let validation {
                let (vl, va) = try model.evaluate(validation, batchSize: config.batchSize)
                summary.validationLoss = vl
                summary.validationAccuracy = va
            }
            history.append(summary)
            if let callbacks = config.callbacks {
                let decision = callbacks.decide(epoch: epochsCompleted, summary: summary, learningRate: optimizer.spec.learningRate,
                                                state: &callbackState)
                if let lr = decision.learningRate { optimizer.spec.learningRate = lr }
                if decision.newBest, callbacks.earlyStopping?.restoreBestWeights == true {
                    bestWeights = (epochsCompleted + 1, model.parameters.map(\.value))
                }
                if decision.newBestCheckpoint { bestCheckpointWeights = (epochsCompleted + 1, model.parameters.map(\.value)) }
                outcome.callbacks = decision
            }
            epochsCompleted += 1
            batchInEpoch = 0
            orderReady = false
            outcome.epochEnd = summary
        }
        return outcome
    }

    /// Trains to the end, calling `onEvent` after every batch; return false from it to stop.
    @discardableResult
    public func fit(onEvent: (TrainingEvent) -> Bool = { _ in true }) throws -> [EpochSummary] {
        while !isFinished {
            let outcome = try runBatch()
            if !onEvent(.batchEnd(outcome.progress)) { return history }
            if let e = outcome.epochEnd, !onEvent(.epochEnd(e)) { return history }
        }
        restoreBestWeights()
        return history
    }

    /// Keras's `on_train_end` with `restore_best_weights`: the model takes the best epoch's
    /// weights kept in memory (whether or not the run stopped early). Returns that epoch
    /// (1-based), or nil when none is kept.
    @discardableResult
    public func restoreBestWeights() -> Int? {
        guard let best = bestWeights, best.values.count == model.parameters.count else { return nil }
        for (p, v) in zip(model.parameters, best.values) { p.value = v }
        return best.epoch
    }

    /// `--checkpoint best` for a model trained in one go: the model takes the best
    /// checkpoint's weights. Returns their epoch (1-based), or nil when none is kept.
    @discardableResult
    public func useBestCheckpoint() -> Int? {
        guard let best = bestCheckpointWeights, best.values.count == model.parameters.count else { return nil }
        for (p, v) in zip(model.parameters, best.values) { p.value = v }
        return best.epoch
    }

    /// Keras's `class_weight_to_sample_weights`: each target rounded to its class index and
    /// looked up (a class without a weight, which `init` rules out, gets 1).
    static func sampleWeights(targets y: Tensor, classWeights: [Float], into w: inout [Float]) {
        let n = y.count
        if w.count != n { w = [Float](repeating: 1, count: n) }
        y.withUnsafeBufferPointer { yp in
            for r in 0..<n {
                let t = yp[r].rounded()
                w[r] = t >= 0 && t < Float(classWeights.count) ? classWeights[Int(t)] : 1
            }
        }
    }

    /// The permutation of the current epoch, drawn from `rng`.
    private func drawOrder() {
        if order.count != train.count { order = Array(0..<train.count) }
        for i in order.indices { order[i] = i }
        if config.shuffle { order.shuffle(using: &rng) }
    }

    /// The cursor, the shuffle state, the running sums and the dropout generators, to save.
    /// The optimiser's state is saved separately (`Optimizer.slots`, `iterations`).
    public func snapshot() -> TrainerState {
        var s = TrainerState(fresh: config, trainCount: train.count, layerGenerators: model.generatorStates)
        s.epochsCompleted = epochsCompleted
        s.batchInEpoch = batchInEpoch
        s.step = step
        s.history = history
        s.shuffleGenerator = (batchInEpoch > 0 || orderReady) ? epochGenerator : rng
        s.lossSum = lossSum
        s.correct = correct
        s.seen = seen
        s.epochElapsed = batchInEpoch > 0 ? epochTrainingSeconds : 0
        s.callbacks = config.callbacks == nil ? nil : callbackState
        return s
    }

    /// Carries on from a snapshot: the next `runBatch` trains the batch the snapshot's trainer
    /// would have trained next. Mid-epoch, the data size, batch size and shuffling must be
    /// the ones the snapshot was taken with; at an epoch boundary only the data size must.
    /// Nothing changes when it throws.
    public func restore(_ s: TrainerState) throws {
        func fail(_ field: String, _ why: String) -> EngineError { .invalidSpec(field: "trainer state.\(field)", reason: why) }
        guard s.trainCount == train.count else {
            throw fail("train_count", "the state was saved for \(s.trainCount) training examples, the data has \(train.count)")
        }
        guard s.shuffleGenerator.state.count == 4 else {
            throw fail("shuffle_generator", "a generator state has 4 words, got \(s.shuffleGenerator.state.count)")
        }
        guard s.epochsCompleted >= 0, s.step >= 0, s.batchInEpoch >= 0, s.seen >= 0, s.correct >= 0 else {
            throw fail("cursor", "negative epoch, batch, step or count")
        }
        // Counters go on growing from here: far below Int.max, so they can never overflow.
        guard [s.epochsCompleted, s.step, s.batchInEpoch, s.seen, s.correct].allSatisfy({ $0 < 1 << 53 }) else {
            throw fail("cursor", "an epoch, batch, step or count of 2^53 or more")
        }
        if s.batchInEpoch > 0 {
            guard s.batchSize == config.batchSize else {
                throw fail("batch_size", "the state is at batch \(s.batchInEpoch) of epoch \(s.epochsCompleted + 1) with batch size \(s.batchSize); the batch size can only change at an epoch boundary (now \(config.batchSize))")
            }
            guard s.shuffle == config.shuffle else {
                throw fail("shuffle", "shuffling can only be turned on or off at an epoch boundary")
            }
            guard s.batchInEpoch < batchesPerEpoch else {
                throw fail("batch_in_epoch", "\(s.batchInEpoch) is not below the \(batchesPerEpoch) batches of an epoch")
            }
            guard s.seen == min(s.batchInEpoch * s.batchSize, train.count) else {
                throw fail("seen", "\(s.seen) examples seen does not match \(s.batchInEpoch) batches of \(s.batchSize)")
            }
        }
        try model.restoreGeneratorStates(s.layerGenerators)
        epochsCompleted = s.epochsCompleted
        batchInEpoch = s.batchInEpoch
        step = s.step
        history = s.history
        lossSum = s.lossSum
        correct = s.correct
        seen = s.seen
        rng = s.shuffleGenerator
        epochGenerator = s.shuffleGenerator
        callbackState = s.callbacks ?? TrainingCallbacks.State()
        if s.batchInEpoch > 0 {
            drawOrder()
            orderReady = true
            epochTrainingSeconds = s.epochElapsed
        } else {
            orderReady = false
        }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}

extension Sequential {
    /// Mean loss and accuracy over a data set, in batches.
    public func evaluate(_ data: Dataset, batchSize: Int = 32) throws -> (loss: Float, accuracy: Float) {
        try Limits.check(batchSize, in: 1...Limits.maxBatchSize, field: "batch_size")
        var xb = Tensor.empty, yb = Tensor.empty
        var lossSum = 0.0, correct = 0
        var lo = 0
        let all = Array(0..<data.count)
        while lo < data.count {
            let hi = min(lo + batchSize, data.count)
            data.gather(all[lo..<hi], into: &xb, &yb)
            let (l, c) = try evaluateBatch(x: xb, y: yb)
            lossSum += Double(l) * Double(hi - lo)
            correct += c
            lo = hi
        }
        return (Float(lossSum / Double(max(data.count, 1))), Float(correct) / Float(max(data.count, 1)))
    }

    /// Model outputs for every row of x [N, inputLength], in batches: [N, outputs].
    public func predict(_ x: Tensor, batchSize: Int = 32) throws -> Tensor {
        try Limits.check(batchSize, in: 1...Limits.maxBatchSize, field: "batch_size")
        // The copy below reads rows of `t` numbers from x: a narrower x would be read past its end.
        guard x.rank == 2, x.shape[1] == spec.inputLength else {
            throw EngineError.shapeMismatch(layer: layers.first?.name ?? "input", expected: [-1, spec.inputLength], got: x.shape)
        }
        let n = x.shape[0], t = spec.inputLength
        let k = outputShape.reduce(1, *)
        var out = Tensor(shape: [n] + outputShape)
        var xb = Tensor.empty
        var lo = 0
        while lo < n {
            let hi = min(lo + batchSize, n)
            xb.reshape(hi - lo, t)
            xb.withUnsafeMutableBufferPointer { d in x.withUnsafeBufferPointer { s in
                d.baseAddress!.update(from: s.baseAddress! + lo * t, count: (hi - lo) * t)
            } }
            let y = try inferenceForward(xb)
            out.withUnsafeMutableBufferPointer { o in y.withUnsafeBufferPointer { yp in
                (o.baseAddress! + lo * k).update(from: yp.baseAddress!, count: (hi - lo) * k)
            } }
            lo = hi
        }
        return out
    }
}
