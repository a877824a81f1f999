import Engine
import Foundation
import TextData

/// The engine's worker: owns the workspaces and the schedule. Confined to the worker thread
/// (created there, used only there).
final class EngineWorker {
    let maxActiveJobs: Int
    private var workspaces: [String: Workspace] = [:]
    /// Sessions training now (≤ maxActiveJobs), and those waiting for a slot, in order.
    private var active: [String] = []
    private var queue: [String] = []
    private var turn = 0

    init(maxActiveJobs: Int) { self.maxActiveJobs = maxActiveJobs }

    var hasRunnableJob: Bool { !active.isEmpty }

    // MARK: - Commands

    func handle(_ e: EngineEnvelope) {
        let result: Result<Void, any Error>
        do {
            try perform(e)
            result = .success(())
        } catch {
            result = .failure(Self.sessionError(error))
        }
        // A command may have changed the weights or the model (a new run, a cancel): the
        // console's copy follows before the reply.
        workspaces[e.id]?.refreshMirror()
        e.sink.yield(.reply(token: e.token, result))
    }

    private func perform(_ e: EngineEnvelope) throws {
        if case let .attach(files) = e.command {
            guard workspaces[e.id] == nil else { throw SessionError.invalidSetting(field: "session", reason: "already open in the engine") }
            workspaces[e.id] = try Self.load(id: e.id, files: files, sink: e.sink)
            return
        }
        guard let ws = workspaces[e.id] else {
            throw SessionError.invalidSetting(field: "session", reason: "not open in the engine")
        }
        ws.sink = e.sink
        switch e.command {
        case .attach: break
        case let .detach(save):
            // Saved, and at rest on disk: the last autosave may have said training.
            if save { try saveForStop(ws, status: isComplete(ws) ? .finished : .idle) }
            try ws.files.flush()
            leaveSchedule(ws)
            workspaces[e.id] = nil
        case let .setData(data):
            if let old = ws.trainer {
                // Carry the in-memory cursor over to the new data.
                let t = try Trainer(model: ws.model, optimizer: ws.optimizer, train: data.train, validation: data.validation, config: old.config)
                try t.restore(old.snapshot())
                ws.trainer = t
            }
            ws.data = data
        case .start:
            if ws.status.isActive { return }
            try ensureWritable(ws)
            let trainer = try ensureTrainer(ws)
            if trainer.isFinished { setStatus(ws, .finished); return }
            if active.count < maxActiveJobs {
                active.append(ws.id)
                setStatus(ws, .training)
            } else {
                queue.append(ws.id)
                setStatus(ws, .queued)
            }
        case .pause:
            guard ws.status.isActive else { return }
            leaveSchedule(ws)
            setStatus(ws, .paused)
        case .step:
            try ensureWritable(ws)
            let trainer = try ensureTrainer(ws)
            if trainer.isFinished { setStatus(ws, .finished); return }
            if ws.status.isActive { leaveSchedule(ws) }
            if ws.status != .paused { setStatus(ws, .paused) }
            runBatch(ws)
        case .stop:
            let wasJob = ws.status.isActive || ws.status == .paused
            leaveSchedule(ws)
            let target: SessionStatus = isComplete(ws) ? .finished : .idle
            do {
                try saveForStop(ws, status: target)
                try ws.files.flush()
            } catch {
                fail(ws, "cannot save a checkpoint: \(Self.sessionError(error))")
                throw error
            }
            if wasJob { setStatus(ws, target) }
        case .save:
            guard ws.unsaved > 0 && !ws.files.readOnly else { return }
            do {
                try checkpoint(ws, status: isComplete(ws) ? .finished : .idle)
            } catch {
                fail(ws, "cannot save a checkpoint: \(Self.sessionError(error))")
                throw error
            }
        case .cancel:
            try ensureWritable(ws)
            leaveSchedule(ws)
            try ws.files.flush()   // the last checkpoint may still be on its way to disk
            let data = ws.data
            let fresh = try Self.load(id: ws.id, files: ws.files, sink: ws.sink)
            fresh.data = data
            fresh.mirror = ws.mirror
            workspaces[ws.id] = fresh
            let rec = ws.files.record
            try ws.files.filterHistory { rec.keeps($0) }
            setStatus(fresh, rec.engineRun.isComplete ? .finished : .idle)
        case let .newRun(runID, started, run):
            try ensureWritable(ws)
            guard !ws.status.isActive && ws.status != .paused else {
                throw SessionError.busy(session: ws.files.record.name, status: ws.status, operation: "change the model")
            }
            var config = ws.files.record.classifierConfig
            config.model = run.model
            let classifier = try TextClassifier(config: config, seed: run.weightSeed)
            try Self.checkHead(classifier)
            // Pretrained vectors go into the run's first weights (the checkpoint below), so
            // the run never reads their file again.
            try PretrainedEmbeddings.apply(to: classifier)
            var run = run
            run.cursor.layerGenerators = classifier.model.generatorStates
            let optimizer = Optimizer(run.optimizer)
            let newRun = RunRecord(id: runID, started: started, kind: .neural(run))
            let rec = try ws.files.commitCheckpoint(make: { n in
                let meta = Self.metadata(ws.id, n, runID)
                return (try classifier.model.weightsData(metadata: meta), try optimizer.stateData(for: classifier.model, metadata: meta))
            }, change: { r in
                // A neural run that never trained holds nothing worth keeping: its weights were
                // the checkpoint's, which this one replaces.
                r.runs.removeAll { $0.neural.map { !$0.hasTrained } ?? false }
                r.runs.append(newRun)
                r.status = .idle
            })
            try ws.files.flush()
            ws.classifier = classifier
            ws.optimizer = optimizer
            ws.trainer = nil
            ws.unsaved = 0
            ws.runId = runID
            ws.sink.yield(.session(.checkpoint(session: ws.name, info: CheckpointInfo(number: rec.checkpoint, run: runID, epochsCompleted: 0, batchInEpoch: 0, step: 0))))
            setStatus(ws, .idle)
        case let .mirror(m):
            ws.mirror = m
        case let .reconfigure(spec, fit):
            try ensureWritable(ws)
            guard !ws.status.isActive else {
                throw SessionError.busy(session: ws.files.record.name, status: ws.status, operation: "change the training settings")
            }
            try spec.validate()
            try fit.validate()
            // Keep the optimiser's slots when the new settings use the same ones.
            let optimizer = Optimizer(spec)
            var reset = false
            if ws.optimizer.iterations > 0 {
                do { try optimizer.restore(iterations: ws.optimizer.iterations, slots: ws.optimizer.slots, params: ws.model.parameters) } catch {
                    reset = true
                }
            }
            let cursor = ws.trainer?.snapshot() ?? ws.files.record.engineRun.cursor
            var trainer: Trainer?
            if let data = ws.data {
                let t = try Trainer(model: ws.model, optimizer: optimizer, train: data.train, validation: data.validation, config: fit)
                try t.restore(cursor)
                trainer = t
            } else if cursor.batchInEpoch > 0 && (cursor.batchSize != fit.batchSize || cursor.shuffle != fit.shuffle) {
                throw SessionError.invalidSetting(field: "batch_size", reason: "the run is at batch \(cursor.batchInEpoch) of epoch \(cursor.epochsCompleted + 1): the batch size and shuffling can only change at an epoch boundary")
            }
            ws.optimizer = optimizer
            ws.trainer = trainer
            if reset {
                ws.sink.yield(.session(.warning(session: ws.name, message: "the new optimiser settings keep different state: the moments / momentum start afresh")))
            }
            let target: SessionStatus = ws.status == .paused ? .paused : (cursor.epochsCompleted >= fit.epochs ? .finished : .idle)
            try checkpoint(ws, status: target) { r in
                r.updateEngineRun { run in
                    guard run.optimizer != spec || run.fit != fit else { return }
                    // Once it has trained, the run records when its settings changed.
                    if run.hasTrained || cursor.step > 0 {
                        run.changes.append(SettingsChange(step: cursor.step, time: Date(), optimizer: spec, fit: fit))
                    }
                    run.optimizer = spec
                    run.fit = fit
                }
            }
            try ws.files.flush()
            if target != ws.status { setStatus(ws, target) }
        }
    }

    /// The current run has trained all its planned epochs.
    private func isComplete(_ ws: Workspace) -> Bool {
        if let t = ws.trainer { return t.isFinished }
        return ws.files.record.engineRun.isComplete
    }

    private func ensureWritable(_ ws: Workspace) throws {
        if ws.files.readOnly { throw SessionError.readOnly(session: ws.files.record.name) }
    }

    /// The trainer for the current run, on the loaded data, at the cursor of the in-memory
    /// trainer (when there is one) or of the last checkpoint.
    @discardableResult
    private func ensureTrainer(_ ws: Workspace) throws -> Trainer {
        let run = ws.files.record.engineRun
        if let t = ws.trainer, t.config == run.fit { return t }
        guard let data = ws.data else {
            throw SessionError.invalidSetting(field: "data", reason: "the session's data set is not loaded")
        }
        let cursor = ws.trainer?.snapshot() ?? run.cursor
        let t = try Trainer(model: ws.model, optimizer: ws.optimizer, train: data.train, validation: data.validation, config: run.fit)
        try t.restore(cursor)
        ws.trainer = t
        return t
    }

    // MARK: - Training

    func runNextBatch() {
        guard !active.isEmpty else { return }
        turn = turn % active.count
        let id = active[turn]
        turn += 1
        guard let ws = workspaces[id] else { active.removeAll { $0 == id }; return }
        runBatch(ws)
    }

    /// One batch with its history lines, events and any checkpoint it is due.
    private func runBatch(_ ws: Workspace) {
        guard let trainer = ws.trainer else { fail(ws, "no trainer (the data set is not loaded)"); return }
        let outcome: Trainer.BatchOutcome
        do {
            outcome = try trainer.runBatch()
        } catch let EngineError.nonFinite(place, _) {
            let c = trainer.snapshot()
            ws.sink.yield(.session(.warning(session: ws.name, message: "the loss became NaN or infinite at epoch \(c.epochsCompleted + 1), batch \(c.batchInEpoch + 1) (step \(c.step + 1); non-finite value in \(place)): training paused. Lower the learning rate or clip gradients, then resume, or change the model.")))
            leaveSchedule(ws)
            setStatus(ws, .paused)
            return
        } catch {
            fail(ws, "\(Self.sessionError(error))")
            return
        }
        ws.unsaved += 1
        let now = Date().timeIntervalSince1970
        var lines = [HistoryRecord(run: ws.runId, progress: outcome.progress, time: now)]
        if let e = outcome.epochEnd { lines.append(HistoryRecord(run: ws.runId, step: outcome.progress.step, summary: e, time: now)) }
        do { try ws.files.appendHistory(lines) } catch {
            fail(ws, "\(Self.sessionError(error))")
            return
        }
        if ws.mirror?.isWanted == true { ws.refreshMirror() }
        ws.sink.yield(.session(.batch(session: ws.name, run: ws.runId, progress: outcome.progress)))
        if let e = outcome.epochEnd { ws.sink.yield(.session(.epoch(session: ws.name, run: ws.runId, summary: e))) }
        var settingsChange: (inout SessionRecord) -> Void = { _ in }
        if let e = outcome.epochEnd, let decision = outcome.callbacks {
            do { settingsChange = try applyCallbacks(ws, trainer, epoch: e, decision: decision) } catch {
                fail(ws, "\(Self.sessionError(error))")
                return
            }
        }
        let finished = trainer.isFinished
        let due = outcome.epochEnd != nil || ws.unsaved >= ws.files.record.autosaveEvery
        if due {
            let persisted: SessionStatus = finished ? .finished : (ws.status == .paused ? .paused : .training)
            do { try checkpoint(ws, status: persisted, also: settingsChange) } catch {
                fail(ws, "cannot save a checkpoint: \(Self.sessionError(error))")
                return
            }
        }
        if finished {
            // Finished means saved: the run's last checkpoint must be on disk before anyone is
            // told, or a write that fails in the background would go unreported.
            do { try ws.files.flush() } catch {
                fail(ws, "cannot save a checkpoint: \(Self.sessionError(error))")
                return
            }
            leaveSchedule(ws)
            setStatus(ws, .finished)
        }
    }

    /// What EarlyStopping and ReduceLROnPlateau decided at an epoch end, acted on: a new best
    /// epoch's weights are kept (`RunFiles.bestWeightsURL`) when the run restores them; a stop
    /// is said, and the model takes the best epoch's weights back; a lowered rate is said and
    /// returned as the change the epoch's checkpoint records in the run (a `SettingsChange`).
    private func applyCallbacks(_ ws: Workspace, _ trainer: Trainer, epoch e: EpochSummary,
                                decision: TrainingCallbacks.Decision) throws -> (inout SessionRecord) -> Void {
        let callbacks = trainer.config.callbacks
        let best = RunFiles.earlyStoppingBestURL(in: ws.files.directory, run: ws.runId)
        func keep(at url: URL) throws {
            let meta = ["format": "workbench", "session": ws.id, "run": String(ws.runId), "epoch": String(e.epoch)]
            let data = try ws.model.weightsData(metadata: meta)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try AtomicFile.write(data, to: url)
            } catch let error as EngineError { throw error } catch {
                throw SessionError.file(path: url.path, reason: "could not keep the best epoch's weights: \(error)")
            }
        }
        if decision.newBest, callbacks?.earlyStopping?.restoreBestWeights == true { try keep(at: best) }
        // Before EarlyStopping can restore other weights into the model.
        if decision.newBestCheckpoint { try keep(at: RunFiles.bestWeightsURL(in: ws.files.directory, run: ws.runId)) }
        if decision.stop {
            var message = "Epoch \(e.epoch): early stopping (\(callbacks?.earlyStopping?.monitor.rawValue ?? "") has not improved for \(trainer.callbackState.earlyStopping.wait) epochs)"
            if callbacks?.earlyStopping?.restoreBestWeights == true, let bestEpoch = trainer.callbackState.earlyStopping.bestEpoch {
                // Keras's on_train_end: the model ends with the best epoch's weights, which the
                // run kept on disk (a resumed run has no copy in memory).
                guard let data = try SessionFileAccess.read(best) else {
                    throw SessionError.file(path: best.path, reason: "the best epoch's weights are missing")
                }
                _ = try ws.model.loadWeights(from: data, path: best.path)
                message += "; restoring model weights from the end of the best epoch: \(bestEpoch + 1)"
            }
            ws.sink.yield(.session(.warning(session: ws.name, message: message)))
        }
        guard let lr = decision.learningRate else { return { _ in } }
        ws.sink.yield(.session(.warning(session: ws.name, message: "Epoch \(e.epoch): ReduceLROnPlateau reducing learning rate to \(lr)")))
        let spec = trainer.optimizer.spec, step = trainer.step
        return { r in
            r.updateEngineRun { run in
                run.optimizer = spec
                run.changes.append(SettingsChange(step: step, time: Date(), optimizer: spec, fit: run.fit))
            }
        }
    }

    /// Commits weights, optimiser state and cursor as the next checkpoint (the files are
    /// written in the background, in order; `files.flush()` waits for them).
    private func checkpoint(_ ws: Workspace, status: SessionStatus, also: (inout SessionRecord) -> Void = { _ in }) throws {
        let cursor = ws.trainer?.snapshot() ?? ws.files.record.engineRun.cursor
        let model = ws.model, optimizer = ws.optimizer, id = ws.id, run = ws.runId
        let rec = try ws.files.commitCheckpoint(make: { n in
            let meta = Self.metadata(id, n, run)
            return (try model.weightsData(metadata: meta), try optimizer.stateData(for: model, metadata: meta))
        }, change: { r in
            also(&r)
            r.updateEngineRun { $0.cursor = cursor }
            r.status = status
        })
        ws.unsaved = 0
        ws.sink.yield(.session(.checkpoint(session: ws.name, info: CheckpointInfo(number: rec.checkpoint, run: run, epochsCompleted: cursor.epochsCompleted,
                                                          batchInEpoch: cursor.batchInEpoch, step: cursor.step))))
    }

    /// Saves unsaved progress as a checkpoint with `status`; with nothing unsaved (the job
    /// stopped right after an autosave or an epoch end), still records `status` when the last
    /// checkpoint has another: one written mid-job says training, and a session stopped
    /// cleanly must not open as one whose process died while training.
    private func saveForStop(_ ws: Workspace, status: SessionStatus) throws {
        guard !ws.files.readOnly else { return }
        if ws.unsaved > 0 {
            try checkpoint(ws, status: status)
        } else if ws.files.record.status != status {
            _ = try ws.files.update { $0.status = status }
        }
    }

    static func metadata(_ id: String, _ n: Int, _ run: Int) -> [String: String] {
        ["format": "workbench", "session": id, "checkpoint": String(n), "run": String(run)]
    }

    private func fail(_ ws: Workspace, _ reason: String) {
        leaveSchedule(ws)
        setStatus(ws, .failed(reason))
        if !ws.files.readOnly { _ = try? ws.files.update { $0.status = .failed(reason) } }
    }

    private func setStatus(_ ws: Workspace, _ s: SessionStatus) {
        // A job that ends or pauses leaves the console's copy as its weights are.
        ws.refreshMirror()
        ws.status = s
        ws.sink.yield(.session(.status(session: ws.name, status: s)))
    }

    /// Takes the session out of the active slots and the queue, promoting queued jobs.
    private func leaveSchedule(_ ws: Workspace) {
        active.removeAll { $0 == ws.id }
        queue.removeAll { $0 == ws.id }
        while active.count < maxActiveJobs, !queue.isEmpty {
            let next = queue.removeFirst()
            guard let w = workspaces[next] else { continue }
            active.append(next)
            setStatus(w, .training)
        }
    }

    // MARK: - Predictions and classifier tasks

    func answer(_ r: PredictionRequest) {
        guard let ws = workspaces[r.id] else {
            r.continuation.resume(throwing: SessionError.invalidSetting(field: "session", reason: "not open in the engine"))
            return
        }
        do { r.continuation.resume(returning: try ws.classifier.probabilities(r.texts)) } catch {
            r.continuation.resume(throwing: Self.sessionError(error))
        }
    }

    func run(_ task: ClassifierTask) {
        task.body(workspaces[task.id]?.classifier)
    }

    /// Ends every job, saving unsaved progress.
    func shutdown() {
        for ws in workspaces.values {
            let wasJob = ws.status.isActive || ws.status == .paused
            let target: SessionStatus = isComplete(ws) ? .finished : .idle
            _ = try? saveForStop(ws, status: target)
            try? ws.files.flush()
            if wasJob { setStatus(ws, target) }
        }
        workspaces = [:]
        active = []
        queue = []
    }
}
