import Engine
import Foundation
import Learners
import TextData

/// Training a session through the shared engine, and changing its model and settings.
extension SessionManager {
    // MARK: - Training

    /// Starts or resumes training. Without `additionalEpochs` the current run trains to its
    /// planned epochs; with it, to that many epochs past those completed (a partly trained
    /// epoch counts as the first). Returns once the job is queued or training (or finished at
    /// once, when there is nothing left to train).
    public func train(_ name: String, additionalEpochs: Int? = nil) async throws {
        let id = try await openID(name, writable: true)
        guard let o = sessions[id] else { throw SessionError.notFound(name) }
        if o.status.isActive {
            if additionalEpochs != nil { throw SessionError.busy(session: name, status: o.status, operation: "change the planned epochs") }
            return
        }
        let run = o.files.record.currentRun
        if let recipe = run.learner {
            if additionalEpochs != nil {
                throw SessionError.invalidSetting(field: "epochs", reason: "a \(recipe.kind.title) trains in one go, not in epochs")
            }
            return try await startLearnerJob(id, recipe: recipe)
        }
        var fit = run.fit
        if let more = additionalEpochs {
            guard more >= 1 else { throw SessionError.invalidSetting(field: "epochs", reason: "must be at least 1, got \(more)") }
            let (total, overflow) = o.epochsCompleted.addingReportingOverflow(more)
            guard !overflow, total <= Limits.maxEpochs else {
                throw SessionError.invalidSetting(field: "epochs", reason: "\(o.epochsCompleted) done and \(more) more is over the limit of \(Limits.grouped(Limits.maxEpochs)) epochs")
            }
            fit.epochs = total
        }
        try await ensureData(id)
        if fit != run.fit { try await send(id, .reconfigure(run.optimizer, fit)) }
        try await send(id, .start)
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
        if let recipe = sessions[id]?.files.record.currentRun.learner {
            throw SessionError.invalidSetting(field: "model", reason: "a \(recipe.kind.title) has no batches to step through")
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
        let c = o.files.record.currentRun.cursor
        sessions[o.id]?.epochsCompleted = c.epochsCompleted
        sessions[o.id]?.batchInEpoch = c.batchInEpoch
        sessions[o.id]?.step = c.step
    }

    /// A learner trains in one go: there is no batch boundary to pause or stop at.
    private func refuseWhileLearnerTrains(_ o: OpenSession, _ what: String) throws {
        guard o.learnerJob != nil, let recipe = o.files.record.currentRun.learner else { return }
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

    /// Replaces the model while the session is idle (or finished / failed): a new run starts
    /// from fresh weights; the history keeps the runs apart. Returns the new run's id.
    @discardableResult
    public func changeModel(_ name: String, layers: [LayerSpec], loss: LossKind? = nil) async throws -> Int {
        let id = try await openID(name, writable: true)
        guard let o = sessions[id] else { throw SessionError.notFound(name) }
        guard !o.status.isActive && o.status != .paused else {
            throw SessionError.busy(session: name, status: o.status, operation: "change the model (stop it first)")
        }
        let record = o.files.record
        let current = record.currentRun
        for (i, l) in layers.enumerated() { try SessionBuilder.mapEngine { try l.validate(index: i) } }
        try await archiveCurrentRun(id)
        let spec = ModelSpec(inputLength: record.maxLength, vocabularySize: current.model.vocabularySize, layers: layers, loss: loss)
        let run = try await beginRun(id, after: current, model: spec, learner: nil)
        publish(.runStarted(session: name, run: run.id, model: spec))
        return run.id
    }

    /// Starts run `current.id + 1` with fresh weights for `model` (and `learner`, if set) on
    /// the worker, which writes its checkpoint; the session's cursor and console go to it.
    func beginRun(_ id: String, after current: RunRecord, model: ModelSpec, learner: LearnerRecipe?) async throws -> RunRecord {
        let cursor = TrainerState(fresh: current.fit, trainCount: current.cursor.trainCount, layerGenerators: [:])
        let run = RunRecord(id: current.id + 1, started: Date(), model: model, optimizer: current.optimizer, fit: current.fit,
                            weightSeed: current.fit.seed, cursor: cursor, learner: learner)
        try await send(id, .newRun(run))
        sessions[id]?.epochsCompleted = 0
        sessions[id]?.batchInEpoch = 0
        sessions[id]?.step = 0
        sessions[id]?.consoleRun = nil
        return run
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
        if optimizer != nil || fit != nil {
            let current = o.files.record.currentRun
            try await send(id, .reconfigure(optimizer ?? current.optimizer, fit ?? current.fit))
        }
    }
}
