import Engine
import Foundation
import Learners
import TextData

/// A session's runs side by side: learner runs (an SVM, a forest, fastText… trained in one go
/// on the session's texts), the leaderboard of every run, and opening any earlier run in the
/// console. Each finished run's model stays in the session's `runs/` folder.
extension SessionHandle {
    // MARK: - Learner runs

    /// Makes `recipe` what training makes next (`setPlan`); `train` trains it as a new run.
    public func useLearner(recipe: LearnerRecipe) async throws {
        try await setPlan(.learner(recipe))
    }

    /// Trains `recipe` as a run of its own and waits for it, leaving the plan as it is (the
    /// zoo: learners beside the model being shaped). Returns the run's id; throws the reason
    /// when training fails.
    @discardableResult
    public func trainLearner(recipe: LearnerRecipe) async throws -> Int {
        try checkOpen(writable: true)
        guard !status.isActive && status != .paused else {
            throw SessionError.busy(session: name, status: status, operation: "train a learner (stop it first)")
        }
        let run = try await startLearnerRun(recipe: recipe)
        if case let .failed(reason) = await waitUntilSettled() {
            throw SessionError.invalidSetting(field: "model", reason: "\(recipe.spec) failed: \(reason)")
        }
        return run
    }

    /// The zoo: trains each recipe as a run of its own, one after the other, in the
    /// background, leaving the plan as it is. Returns at once (refused while a job runs or is
    /// paused); the runs and their results come as events, and `learnerQueueEnded` says how
    /// the queue ended (a failure stops it, with the reason). A new queue replaces one still
    /// waiting; closing the session cancels it.
    public func trainLearners(_ recipes: [LearnerRecipe]) throws {
        try checkOpen(writable: true)
        guard !status.isActive && status != .paused else {
            throw SessionError.busy(session: name, status: status, operation: "train learners (stop it first)")
        }
        guard !recipes.isEmpty else { throw SessionError.invalidSetting(field: "model", reason: "no learner named") }
        learnerQueue?.cancel()
        learnerQueue = Task { [weak self] in
            var trained = 0
            for recipe in recipes where !Task.isCancelled {
                do {
                    try await self?.trainLearner(recipe: recipe)
                    trained += 1
                } catch {
                    await self?.learnerQueueEnded(trained: trained, failure: "\(recipe.spec): \(error)")
                    return
                }
            }
            await self?.learnerQueueEnded(trained: trained, failure: nil)
        }
    }

    private func learnerQueueEnded(trained: Int, failure: String?) {
        learnerQueue = nil
        publish(.learnerQueueEnded(session: name, trained: trained, failure: failure))
    }

    /// Begins a learner run and trains it off the actor and off the engine's worker: the
    /// status goes to training at once and to finished (or failed, with the reason) when done.
    @discardableResult
    func startLearnerRun(recipe: LearnerRecipe) async throws -> Int {
        try await archiveEngineRun()
        let files = files
        let seed = files.record.engineRun.fit.seed
        let record = try files.update { r in
            let runID = (r.runs.map(\.id).max() ?? 0) + 1
            r.runs.append(RunRecord(id: runID, started: Date(), kind: .learner(LearnerRun(recipe: recipe, seed: seed))))
        }
        let run = record.runs[record.runs.count - 1]
        let runId = run.id
        consoleRunID = nil
        publish(.runStarted(session: name, run: run))
        setStatus(.training)
        let loaded = data
        learnerJob = Task { [weak self] in
            do {
                let data = try await Self.detached { try loaded ?? SessionBuilder.loadData(record: record) }
                let (trained, result) = try await Self.detached {
                    try Self.fitLearner(recipe, run: runId, data: data, seed: seed, files: files)
                }
                await self?.learnerJobEnded(run: runId, recipe: recipe, data: data, outcome: .success((trained, result)))
            } catch {
                await self?.learnerJobEnded(run: runId, recipe: recipe, data: nil, outcome: .failure(error))
            }
        }
        return runId
    }

    /// Fits, scores and saves a learner run; the record gets its result and the history its
    /// one line (the chart's point).
    static func fitLearner(_ recipe: LearnerRecipe, run runId: Int, data: LoadedData, seed: UInt64,
                           files: SessionFiles) throws -> (TrainedLearner, LearnerResult) {
        let started = Date()
        let trained = try recipe.fit(data.train, seed: seed)
        let seconds = Date().timeIntervalSince(started)
        let (loss, accuracy) = try score(trained.learner, on: data.train)
        let validation = data.validation.isEmpty ? nil : try score(trained.learner, on: data.validation)
        let result = LearnerResult(loss: loss, accuracy: accuracy, validationLoss: validation?.loss, validationAccuracy: validation?.accuracy,
                                   seconds: seconds, samplesPerSecond: seconds > 0 ? Double(data.train.count) / seconds : 0)
        let url = RunFiles.learnerURL(in: files.directory, run: runId)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try LearnerIO.save(trained.learner, to: url)
        } catch let e as LearnerError {
            throw SessionError.file(path: url.path, reason: e.description)
        }
        _ = try files.update { r in
            guard let i = r.runs.firstIndex(where: { $0.id == runId }), case var .learner(l) = r.runs[i].kind else { return }
            l.result = result
            r.runs[i].kind = .learner(l)
            r.status = .finished
        }
        let line = EpochSummary(epoch: 1, loss: loss, accuracy: accuracy, validationLoss: result.validationLoss,
                                validationAccuracy: result.validationAccuracy, seconds: seconds, samplesPerSecond: result.samplesPerSecond)
        try files.appendHistory([HistoryRecord(run: runId, step: 0, summary: line, time: Date().timeIntervalSince1970)])
        try files.flush()
        return (trained, result)
    }

    private func learnerJobEnded(run: Int, recipe: LearnerRecipe, data loaded: LoadedData?,
                                 outcome: Result<(TrainedLearner, LearnerResult), any Error>) {
        learnerJob = nil
        if let loaded { adopt(loaded) }
        switch outcome {
        case let .success((trained, result)):
            runModels[run] = .learner(trained.learner)
            for w in trained.warnings { publish(.warning(session: name, message: "\(recipe.kind.title): \(w)")) }
            publish(.learnerTrained(session: name, run: run, result: result))
            setStatus(.finished)
        case let .failure(error):
            let reason = (error as? LearnerError)?.description ?? "\(error)"
            if !isClosed { _ = try? files.update { $0.status = .failed(reason) } }
            setStatus(.failed(reason))
        }
    }

    /// Cross-entropy (probabilities clipped to 1e-7, as Keras does) and accuracy of a learner
    /// on labelled texts, so learner runs chart beside neural ones.
    static func score(_ learner: any Learner, on examples: [LabelledText]) throws -> (loss: Float, accuracy: Float) {
        guard !examples.isEmpty else { return (0, 0) }
        var loss = 0.0, correct = 0
        for e in examples {
            let y = try learner.labels.encode(e.label)
            let p = learner.predictProbabilities(e.text)
            loss -= Foundation.log(Double(min(max(p[y], 1e-7), 1 - 1e-7)))
            if p.indices.max(by: { p[$0] < p[$1] }) == y { correct += 1 }
        }
        return (Float(loss / Double(examples.count)), Float(correct) / Float(examples.count))
    }

    /// Keeps the engine run's weights in `runs/` before another run becomes current (a
    /// checkpoint is written first, so unsaved batches are kept too). A run that never trained
    /// has nothing to keep.
    func archiveEngineRun() async throws {
        let record = files.record
        let runID = record.engineRunID
        guard record.engineRun.hasTrained || live.step > 0 else { return }
        try await send(.save)
        let files = files
        try await Self.detached {
            try files.flush()
            let dir = files.directory
            try RunFiles.keep(dir.appendingPathComponent(SessionStore.weightsFile), as: RunFiles.weightsURL(in: dir, run: runID))
        }
    }

    // MARK: - The leaderboard and the console's run

    /// Every run of the session with its metrics, ranked best first by validation accuracy
    /// (then training accuracy, then the newest); runs without metrics come last.
    public func leaderboard() async throws -> [RunStanding] {
        try checkOpen()
        let record = files.record
        let dir = files.directory
        let current = record.currentRun.id
        let console = consoleRunID ?? current
        // Runs that trained (one that never did only holds the checkpoint's fresh weights).
        let standings = record.runs.filter { $0.hasTrained || $0.id == current }.map { run in
            RunStanding(run: run, isCurrent: run.id == current, isInConsole: run.id == console,
                        canOpen: RunFiles.hasModel(run, engineRun: record.engineRunID, in: dir))
        }
        return RunStanding.ranked(standings)
    }

    /// Answers the console (classify, explain) with run `run`'s model instead of the current
    /// one; nil goes back to the current model. The run's model is loaded once and kept.
    public func useInConsole(run: Int?) async throws {
        try checkOpen()
        let record = files.record
        guard let run, run != record.currentRun.id else {
            consoleRunID = nil
            return
        }
        guard let r = record.runs.first(where: { $0.id == run }) else {
            throw SessionError.invalidSetting(field: "run", reason: "session '\(name)' has no run \(run) (runs: \(record.runs.map { "\($0.id)" }.joined(separator: ", ")))")
        }
        _ = try await runModel(run: r)
        consoleRunID = run
    }

    /// The learned numbers of the current run's learner: all, and those of its input side
    /// (fastText's embedding rows, a TF-IDF model's idf weights). Nil for a neural or
    /// untrained run.
    public func learnerParameters() async -> (total: Int, input: Int)? {
        let run = files.record.currentRun
        guard !isClosed, case .learner = run.kind, run.isComplete,
              case let .learner(l)? = try? await runModel(run: run) else { return nil }
        return try? await Self.detached {
            if let t = l as? TfidfLearner {
                let idf = t.vectorizer.featureCount
                return (try t.archive().parameterCount + idf, idf)
            }
            let a = try l.archive()
            return (a.parameterCount, a.count(of: "input"))
        }
    }

    /// The run the console uses (nil: the current one).
    public var consoleRun: Int? { consoleRunID }

    /// The model of `run` when it is not the engine's (a learner run, or an earlier run),
    /// loaded from `runs/` on first use.
    func runModel(run: RunRecord) async throws -> RunModel {
        if let m = runModels[run.id] { return m }
        let dir = files.directory
        let model: RunModel
        switch run.kind {
        case .learner:
            let url = RunFiles.learnerURL(in: dir, run: run.id)
            model = .learner(try await Self.detached {
                guard let data = try SessionFileAccess.read(url) else {
                    throw SessionError.file(path: url.path, reason: "run \(run.id)'s model is missing (was it trained to the end?)")
                }
                do { return try LearnerIO.decode(data, path: url.path) } catch let e as LearnerError { throw SessionError.file(path: url.path, reason: e.description) }
            })
        case let .neural(n):
            var neuralConfig = files.record.classifierConfig
            neuralConfig.model = n.model
            let config = neuralConfig
            let url = RunFiles.weightsURL(in: dir, run: run.id)
            let seed = n.weightSeed
            model = .neural(try await Self.detached {
                guard let data = try SessionFileAccess.read(url) else {
                    throw SessionError.file(path: url.path, reason: "run \(run.id)'s weights were not kept (it never trained a batch)")
                }
                let c = try SessionBuilder.mapEngine { try TextClassifier(config: config, seed: seed) }
                do { try c.model.loadWeights(from: data, path: url.path) } catch let EngineError.file(path, reason) { throw SessionError.file(path: path, reason: reason) }
                return LockedClassifier(c)
            })
        }
        runModels[run.id] = model
        return model
    }

    /// `--checkpoint best|last` at predict, eval, export and serve: which weights of a neural
    /// run answer from now on (nil: the run's own choice, `--checkpoint` when it trained).
    /// `best` needs a run that kept its best epoch; asking for it of one that did not is an
    /// error when the run is used.
    public func useCheckpoint(_ choice: CheckpointChoice?) {
        checkpointChoice = choice
    }

    /// What answers predictions for the session now: nil for the engine's current neural
    /// model, else the learner or earlier run that replaces it (`console` asks for the
    /// console's choice; `run` names a run outright), or a run's best checkpoint
    /// (`checkpointChoice`).
    func alternateModel(console: Bool, run asked: Int? = nil) async throws -> RunModel? {
        let record = files.record
        let wanted = asked ?? (console ? (consoleRunID ?? record.currentRun.id) : record.currentRun.id)
        guard let run = record.runs.first(where: { $0.id == wanted }) else {
            throw SessionError.invalidSetting(field: "run", reason: "session '\(name)' has no run \(wanted) (runs: \(record.runs.map { "\($0.id)" }.joined(separator: ", ")))")
        }
        if let n = run.neural {
            let best: Int?
            switch checkpointChoice {
            case nil: best = n.bestCheckpointEpoch
            case .last?: best = nil
            case .best?:
                guard let epoch = n.bestCheckpointEpoch else {
                    throw SessionError.invalidSetting(field: "checkpoint", reason: "run \(run.id) kept no best checkpoint (it trained without --checkpoint best, or no epoch has ended): use --checkpoint last")
                }
                best = epoch
            }
            if let best { return try await bestCheckpointModel(run: run.id, epoch: best, neural: n) }
        }
        if run.id == record.engineRunID { return nil }
        return try await runModel(run: run)
    }

    /// `--checkpoint best`: the engine run's best epoch's weights (kept in `runs/` as it
    /// trains) answer predictions and exports; loaded again when a better epoch replaces them.
    func bestCheckpointModel(run: Int, epoch: Int, neural n: NeuralRun) async throws -> RunModel {
        if let b = bestCheckpointModel, b.run == run, b.epoch == epoch { return b.model }
        let files = files
        var neuralConfig = files.record.classifierConfig
        neuralConfig.model = n.model
        let config = neuralConfig, seed = n.weightSeed
        let url = RunFiles.bestWeightsURL(in: files.directory, run: run)
        let model = RunModel.neural(try await Self.detached {
            try files.flush()
            guard let data = try SessionFileAccess.read(url) else {
                throw SessionError.file(path: url.path, reason: "run \(run)'s best checkpoint (epoch \(epoch)) is missing")
            }
            let c = try SessionBuilder.mapEngine { try TextClassifier(config: config, seed: seed) }
            do { try c.model.loadWeights(from: data, path: url.path) } catch let EngineError.file(path, reason) { throw SessionError.file(path: path, reason: reason) }
            return LockedClassifier(c)
        })
        bestCheckpointModel = (run, epoch, model)
        return model
    }
}
