import Basics
import Engine
import Foundation
import Learners
import TextData

/// Training a session through the shared engine, and changing its model and settings.
extension SessionHandle {
    // MARK: - Training

    /// Starts or resumes training what the plan says. A learner plan trains a new learner
    /// run in one go. A neural plan continues the engine's run when it is the current run with
    /// the plan's model (to its planned epochs, or with `additionalEpochs` that many past those
    /// completed, a partly trained epoch counting as the first); otherwise a new run begins
    /// from fresh weights. Returns once the job is queued or training (or finished at once,
    /// when there is nothing left to train).
    public func train(additionalEpochs: Int? = nil) async throws {
        try checkOpen(writable: true)
        if status.isActive {
            if additionalEpochs != nil { throw SessionError.busy(session: name, status: status, operation: "change the planned epochs") }
            return
        }
        let record = files.record
        switch record.plan {
        case let .learner(recipe):
            if additionalEpochs != nil {
                throw SessionError.invalidSetting(field: "epochs", reason: "a \(recipe.kind.title) trains in one go, not in epochs")
            }
            try await startLearnerRun(recipe: recipe)
        case let .neural(plan):
            if status != .paused { try await beginNeuralRunIfNeeded(plan: plan) }
            let engine = files.record.engineRun
            var fit = engine.fit
            if let more = additionalEpochs, engine.hasTrained {
                guard more >= 1 else { throw SessionError.invalidSetting(field: "epochs", reason: "must be at least 1, got \(more)") }
                let done = live.epochsCompleted
                let (total, overflow) = done.addingReportingOverflow(more)
                guard !overflow, total <= Limits.maxEpochs else {
                    throw SessionError.invalidSetting(field: "epochs", reason: "\(done) done and \(more) more is over the limit of \(Digits.grouped(Limits.maxEpochs)) epochs")
                }
                fit.epochs = total
            } else if let more = additionalEpochs {
                guard more >= 1 else { throw SessionError.invalidSetting(field: "epochs", reason: "must be at least 1, got \(more)") }
                fit.epochs = more
            }
            try await ensureData()
            if fit != engine.fit { try await send(.reconfigure(engine.optimizer, fit)) }
            try await send(.start)
        }
    }

    /// Makes the engine's run the one that trains `plan`: keeps it when it is the current run
    /// with the plan's model and has trained (or has not trained and can take the plan's
    /// settings as they are); otherwise begins a new run from fresh weights (the engine run's
    /// weights are kept in `runs/` when it trained). Returns whether a new run began.
    @discardableResult
    func beginNeuralRunIfNeeded(plan: NeuralPlan) async throws -> Bool {
        let record = files.record
        let engine = record.engineRun
        let engineIsLast = record.engineRunIndex == record.runs.count - 1
        if engineIsLast && engine.model == plan.model && (engine.hasTrained || live.step > 0) { return false }
        if engineIsLast && engine.model == plan.model && engine.plan == plan && !engine.hasTrained && live.step == 0 {
            return false
        }
        try await archiveEngineRun()
        let runID = live.step > 0 ? (record.runs.map(\.id).max() ?? 0) + 1 : record.nextNeuralRunID
        let cursor = TrainerState(fresh: plan.fit, trainCount: engine.cursor.trainCount, layerGenerators: [:])
        let run = NeuralRun(model: plan.model, optimizer: plan.optimizer, fit: plan.fit, weightSeed: plan.fit.seed, cursor: cursor)
        try await send(.newRun(id: runID, started: Date(), run))
        live = .start
        consoleRunID = nil
        if let started = files.record.runs.last { publish(.runStarted(session: name, run: started)) }
        return true
    }

    /// Resumes a paused session (the same as `train` without more epochs).
    public func resume() async throws { try await train() }

    /// Pauses at the next batch boundary.
    /// Writes a checkpoint now (when there is unsaved progress), without stopping training.
    public func save() async throws {
        try checkOpen()
        try await send(.save)
    }

    public func pause() async throws {
        try checkOpen()
        try refuseWhileLearnerTrains("paused")
        try await send(.pause)
    }

    /// Trains exactly one batch now and leaves the session paused.
    public func step() async throws {
        try checkOpen(writable: true)
        switch files.record.plan {
        case let .learner(recipe):
            throw SessionError.invalidSetting(field: "model", reason: "a \(recipe.kind.title) has no batches to step through")
        case let .neural(plan):
            if status != .paused { try await beginNeuralRunIfNeeded(plan: plan) }
        }
        try await ensureData()
        try await send(.step)
    }

    /// Ends the job at the next batch boundary, keeping the weights so far (a checkpoint is
    /// written); training again carries on from there.
    public func stop() async throws {
        try checkOpen()
        try refuseWhileLearnerTrains("stopped")
        try await send(.stop)
    }

    /// Ends the job and goes back to the last checkpoint: progress since then is dropped,
    /// from the weights and from the history.
    public func cancel() async throws {
        try checkOpen()
        guard !readOnly else { return }
        try await send(.cancel)
        live = LiveCursor(files.record.engineRun.cursor)
    }

    /// A learner trains in one go: there is no batch boundary to pause or stop at.
    private func refuseWhileLearnerTrains(_ what: String) throws {
        guard learnerJob != nil, case let .learner(l) = files.record.runs.last?.kind else { return }
        let recipe = l.recipe
        throw SessionError.invalidSetting(field: "model", reason: "a \(recipe.kind.title) trains in one go and cannot be \(what); it ends on its own")
    }

    func ensureData() async throws {
        if dataSent { return }
        let loaded = try await loadedData()
        try await send(.setData(loaded.encoded))
        data = loaded
        dataSent = true
    }

    /// The session's examples: as creation or training read them, or read now.
    func loadedData() async throws -> LoadedData {
        if let data { return data }
        let record = files.record
        return try await Self.detached { try SessionBuilder.loadData(record: record) }
    }

    // MARK: - Changing the model and the settings

    /// Replaces the layers the plan trains (the model being shaped). Nothing trains and no
    /// run begins: the next `train` begins a run with these layers from fresh weights. The
    /// plan keeps the optimiser and fit settings it had (a learner plan: the engine run's).
    public func changeModel(layers: [LayerSpec], loss: LossKind? = nil) async throws {
        try checkOpen(writable: true)
        let record = files.record
        for (i, l) in layers.enumerated() { try SessionBuilder.mapEngine { try l.validate(index: i) } }
        var plan = record.plan.neuralSettings ?? record.engineRun.plan
        plan.model = ModelSpec(inputLength: record.maxLength, vocabularySize: record.engineRun.model.vocabularySize, layers: layers, loss: loss)
        try await setPlan(.neural(plan))
    }

    /// Makes `plan` what training makes next. Refused while a job runs or is paused (the
    /// paused run would no longer be what the plan says).
    public func setPlan(_ plan: RunPlan) async throws {
        try checkOpen(writable: true)
        guard !status.isActive && status != .paused else {
            throw SessionError.busy(session: name, status: status, operation: "change the model (stop it first)")
        }
        if case let .neural(p) = plan {
            let spec = p.model
            let config = ClassifierConfig(tokenizer: files.record.tokenizer, labels: files.record.labels, maxLength: files.record.maxLength,
                                          padding: files.record.padding, truncating: files.record.truncating, model: spec)
            try await Self.detached {
                let c = try SessionBuilder.mapEngine { try TextClassifier(config: config, seed: p.fit.seed) }
                try EngineWorker.checkHead(c)
            }
            try SessionBuilder.mapEngine { try p.fit.validate(); try p.optimizer.validate() }
        }
        guard files.record.plan != plan else { return }
        try files.update { $0.plan = plan }
        publish(.planChanged(session: name, plan: plan))
    }

    /// Changes the optimiser, the fit settings or the autosave interval of the current run
    /// while no job runs (paused is fine). The batch size and shuffling can only change at an
    /// epoch boundary. Optimiser slots are kept when the new settings use the same ones.
    public func updateTraining(optimizer: OptimizerSpec? = nil, fit: FitConfig? = nil,
                               autosaveEvery: Int? = nil) async throws {
        try checkOpen(writable: true)
        guard !status.isActive else {
            throw SessionError.busy(session: name, status: status, operation: "change the training settings (pause it first)")
        }
        if let a = autosaveEvery {
            guard a >= 1 else { throw SessionError.invalidSetting(field: "autosave_every", reason: "must be at least 1, got \(a)") }
            try files.update { $0.autosaveEvery = a }
        }
        guard optimizer != nil || fit != nil else { return }
        let record = files.record
        // The plan takes the settings, and so does the engine's run when it is what the plan
        // trains (recorded in the run from the step it applies at).
        if case var .neural(plan) = record.plan {
            plan.optimizer = optimizer ?? plan.optimizer
            plan.fit = fit ?? plan.fit
            try SessionBuilder.mapEngine { try plan.fit.validate(); try plan.optimizer.validate() }
            if plan != record.plan.neuralSettings {
                try files.update { $0.plan = .neural(plan) }
                publish(.planChanged(session: name, plan: .neural(plan)))
            }
        }
        let engine = record.engineRun
        if record.engineRunIndex == record.runs.count - 1, record.plan.neuralSettings?.model ?? engine.model == engine.model {
            try await send(.reconfigure(optimizer ?? engine.optimizer, fit ?? engine.fit))
        }
    }
}
