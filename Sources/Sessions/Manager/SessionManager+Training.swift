import Engine
import Foundation
import Learners
import TextData

/// Training a session through the shared engine, and changing its model and settings.
extension SessionManager {
    // MARK: - Training

    /// Starts or resumes training what the plan says. A learner plan trains a new learner
    /// run in one go. A neural plan continues the engine's run when it is the current run with
    /// the plan's model (to its planned epochs, or with `additionalEpochs` that many past those
    /// completed, a partly trained epoch counting as the first); otherwise a new run begins
    /// from fresh weights. Returns once the job is queued or training (or finished at once,
    /// when there is nothing left to train).
    public func train(_ name: String, additionalEpochs: Int? = nil) async throws {
        let id = try await openID(name, writable: true)
        guard let o = sessions[id] else { throw SessionError.notFound(name) }
        if o.status.isActive {
            if additionalEpochs != nil { throw SessionError.busy(session: name, status: o.status, operation: "change the planned epochs") }
            return
        }
        let record = o.files.record
        switch record.plan {
        case let .learner(recipe):
            if additionalEpochs != nil {
                throw SessionError.invalidSetting(field: "epochs", reason: "a \(recipe.kind.title) trains in one go, not in epochs")
            }
            try await startLearnerRun(id, recipe: recipe)
        case let .neural(plan):
            if o.status != .paused { try await beginNeuralRunIfNeeded(id, plan: plan) }
            var fit = sessions[id]?.files.record.engineRun.fit ?? plan.fit
            let engine = sessions[id]?.files.record.engineRun
            if let more = additionalEpochs, let engine, engine.hasTrained {
                guard more >= 1 else { throw SessionError.invalidSetting(field: "epochs", reason: "must be at least 1, got \(more)") }
                let done = sessions[id]?.epochsCompleted ?? 0
                let (total, overflow) = done.addingReportingOverflow(more)
                guard !overflow, total <= Limits.maxEpochs else {
                    throw SessionError.invalidSetting(field: "epochs", reason: "\(done) done and \(more) more is over the limit of \(Limits.grouped(Limits.maxEpochs)) epochs")
                }
                fit.epochs = total
            } else if let more = additionalEpochs {
                guard more >= 1 else { throw SessionError.invalidSetting(field: "epochs", reason: "must be at least 1, got \(more)") }
                fit.epochs = more
            }
            try await ensureData(id)
            if let engine, fit != engine.fit { try await send(id, .reconfigure(engine.optimizer, fit)) }
            try await send(id, .start)
        }
    }

    /// Makes the engine's run the one that trains `plan`: keeps it when it is the current run
    /// with the plan's model and has trained (or has not trained and can take the plan's
    /// settings as they are); otherwise begins a new run from fresh weights (the engine run's
    /// weights are kept in `runs/` when it trained). Returns whether a new run began.
    @discardableResult
    func beginNeuralRunIfNeeded(_ id: String, plan: NeuralPlan) async throws -> Bool {
        guard let o = sessions[id] else { throw SessionError.notFound(id) }
        let record = o.files.record
        let engine = record.engineRun
        let engineIsLast = record.engineRunIndex == record.runs.count - 1
        if engineIsLast && engine.model == plan.model && (engine.hasTrained || o.step > 0) { return false }
        if engineIsLast && engine.model == plan.model && engine.plan == plan && !engine.hasTrained && o.step == 0 {
            return false
        }
        try await archiveEngineRun(id)
        let runID = o.step > 0 ? (record.runs.map(\.id).max() ?? 0) + 1 : record.nextNeuralRunID
        let cursor = TrainerState(fresh: plan.fit, trainCount: engine.cursor.trainCount, layerGenerators: [:])
        let run = NeuralRun(model: plan.model, optimizer: plan.optimizer, fit: plan.fit, weightSeed: plan.fit.seed, cursor: cursor)
        try await send(id, .newRun(id: runID, started: Date(), run))
        sessions[id]?.epochsCompleted = 0
        sessions[id]?.batchInEpoch = 0
        sessions[id]?.step = 0
        sessions[id]?.consoleRun = nil
        if let started = sessions[id]?.files.record.runs.last { publish(.runStarted(session: o.name, run: started)) }
        return true
    }

    /// Resumes a paused session (the same as `train` without more epochs).
    public func resume(_ name: String) async throws { try await train(name) }

    /// Pauses at the next batch boundary.
    /// Writes a checkpoint now (when there is unsaved progress), without stopping training.
    public func save(_ name: String) async throws {
        guard let o = openSession(named: name) else { throw SessionError.notFound(name) }
        try await send(o.id, .save)
    }

    public func pause(_ name: String) async throws {
        guard let o = openSession(named: name) else { return }
        try refuseWhileLearnerTrains(o, "paused")
        try await send(o.id, .pause)
    }

    /// Trains exactly one batch now and leaves the session paused.
    public func step(_ name: String) async throws {
        let id = try await openID(name, writable: true)
        guard let o = sessions[id] else { throw SessionError.notFound(name) }
        switch o.files.record.plan {
        case let .learner(recipe):
            throw SessionError.invalidSetting(field: "model", reason: "a \(recipe.kind.title) has no batches to step through")
        case let .neural(plan):
            if o.status != .paused { try await beginNeuralRunIfNeeded(id, plan: plan) }
        }
        try await ensureData(id)
        try await send(id, .step)
    }

    /// Ends the job at the next batch boundary, keeping the weights so far (a checkpoint is
    /// written); training again carries on from there.
    public func stop(_ name: String) async throws {
        guard let o = openSession(named: name) else { return }
        try refuseWhileLearnerTrains(o, "stopped")
        try await send(o.id, .stop)
    }

    /// Ends the job and goes back to the last checkpoint: progress since then is dropped,
    /// from the weights and from the history.
    public func cancel(_ name: String) async throws {
        guard let o = openSession(named: name), !o.readOnly else { return }
        try await send(o.id, .cancel)
        let c = o.files.record.engineRun.cursor
        sessions[o.id]?.epochsCompleted = c.epochsCompleted
        sessions[o.id]?.batchInEpoch = c.batchInEpoch
        sessions[o.id]?.step = c.step
    }

    /// A learner trains in one go: there is no batch boundary to pause or stop at.
    private func refuseWhileLearnerTrains(_ o: OpenSession, _ what: String) throws {
        guard o.learnerJob != nil, case let .learner(l) = o.files.record.runs.last?.kind else { return }
        let recipe = l.recipe
        throw SessionError.invalidSetting(field: "model", reason: "a \(recipe.kind.title) trains in one go and cannot be \(what); it ends on its own")
    }

    /// Waits until the session is not queued or training, and returns its status.
    public func waitUntilSettled(_ name: String) async -> SessionStatus {
        guard let o = openSession(named: name) else { return (try? info(name).status) ?? .idle }
        if !o.status.isActive { return o.status }
        return await withCheckedContinuation { settleWaiters[o.id, default: []].append($0) }
    }

    func ensureData(_ id: String) async throws {
        guard let o = sessions[id] else { return }
        if o.dataSent { return }
        let data: LoadedData
        if let d = o.data {
            data = d
        } else {
            let record = o.files.record
            data = try await Self.detached { try SessionBuilder.loadData(record: record) }
        }
        try await send(id, .setData(data.encoded))
        sessions[id]?.data = data
        sessions[id]?.dataSent = true
    }

    // MARK: - Changing the model and the settings

    /// Replaces the layers the plan trains (the model being shaped). Nothing trains and no
    /// run begins: the next `train` begins a run with these layers from fresh weights. The
    /// plan keeps the optimiser and fit settings it had (a learner plan: the engine run's).
    public func changeModel(_ name: String, layers: [LayerSpec], loss: LossKind? = nil) async throws {
        let id = try await openID(name, writable: true)
        guard let o = sessions[id] else { throw SessionError.notFound(name) }
        let record = o.files.record
        for (i, l) in layers.enumerated() { try SessionBuilder.mapEngine { try l.validate(index: i) } }
        var plan = record.plan.neuralSettings ?? record.engineRun.plan
        plan.model = ModelSpec(inputLength: record.maxLength, vocabularySize: record.engineRun.model.vocabularySize, layers: layers, loss: loss)
        try await setPlan(name, .neural(plan))
    }

    /// Makes `plan` what training makes next. Refused while a job runs or is paused (the
    /// paused run would no longer be what the plan says).
    public func setPlan(_ name: String, _ plan: RunPlan) async throws {
        let id = try await openID(name, writable: true)
        guard let o = sessions[id] else { throw SessionError.notFound(name) }
        guard !o.status.isActive && o.status != .paused else {
            throw SessionError.busy(session: name, status: o.status, operation: "change the model (stop it first)")
        }
        if case let .neural(p) = plan {
            let spec = p.model
            let config = ClassifierConfig(tokenizer: o.files.record.tokenizer, labels: o.files.record.labels, maxLength: o.files.record.maxLength,
                                          padding: o.files.record.padding, truncating: o.files.record.truncating, model: spec)
            try await Self.detached {
                let c = try SessionBuilder.mapEngine { try TextClassifier(config: config, seed: p.fit.seed) }
                try EngineWorker.checkHead(c)
            }
            try SessionBuilder.mapEngine { try p.fit.validate(); try p.optimizer.validate() }
        }
        guard o.files.record.plan != plan else { return }
        try o.files.update { $0.plan = plan }
        publish(.planChanged(session: name, plan: plan))
    }

    /// Changes the optimiser, the fit settings or the autosave interval of the current run
    /// while no job runs (paused is fine). The batch size and shuffling can only change at an
    /// epoch boundary. Optimiser slots are kept when the new settings use the same ones.
    public func updateTraining(_ name: String, optimizer: OptimizerSpec? = nil, fit: FitConfig? = nil,
                               autosaveEvery: Int? = nil) async throws {
        let id = try await openID(name, writable: true)
        guard let o = sessions[id] else { throw SessionError.notFound(name) }
        guard !o.status.isActive else {
            throw SessionError.busy(session: name, status: o.status, operation: "change the training settings (pause it first)")
        }
        if let a = autosaveEvery {
            guard a >= 1 else { throw SessionError.invalidSetting(field: "autosave_every", reason: "must be at least 1, got \(a)") }
            try o.files.update { $0.autosaveEvery = a }
        }
        guard optimizer != nil || fit != nil else { return }
        let record = o.files.record
        // The plan takes the settings, and so does the engine's run when it is what the plan
        // trains (recorded in the run from the step it applies at).
        if case var .neural(plan) = record.plan {
            plan.optimizer = optimizer ?? plan.optimizer
            plan.fit = fit ?? plan.fit
            try SessionBuilder.mapEngine { try plan.fit.validate(); try plan.optimizer.validate() }
            if plan != record.plan.neuralSettings {
                try o.files.update { $0.plan = .neural(plan) }
                publish(.planChanged(session: name, plan: .neural(plan)))
            }
        }
        let engine = record.engineRun
        if record.engineRunIndex == record.runs.count - 1, record.plan.neuralSettings?.model ?? engine.model == engine.model {
            try await send(id, .reconfigure(optimizer ?? engine.optimizer, fit ?? engine.fit))
        }
    }
}
