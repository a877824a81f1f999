import Engine
import Foundation
import Learners
import Sessions
import TerminalUI
import TextData
import WorkbenchUI

/// The workbench's service over the real session manager: maps UI commands onto the current
/// session's handle and session events onto UI events and snapshots. The session's state (its
/// record, status, runs, queue of learners) lives in the handle; what is kept here is only
/// what the screen derives from it (when each run's chart began, the last misclassified
/// examples, the validation examples they are read from, the theme).
public actor SessionWorkbenchService: WorkbenchService {
    public nonisolated let events: AsyncStream<ServiceEvent>
    let continuation: AsyncStream<ServiceEvent>.Continuation
    let manager: SessionManager
    let themesDirectory: String?
    /// The session the workbench shows.
    private(set) var session: SessionHandle
    var current: String
    /// The preset the model pane names (a preset's name is not in the record).
    var preset: String?
    /// The models before each edit (newest last) and the ones undone, for `u` / Ctrl-R.
    var modelUndo: [ModelShape] = []
    var modelRedo: [ModelShape] = []
    /// Each pretrained-vector file's coverage of the vocabulary, as `:embeddings` found it.
    private var embeddingCoverage: [String: String] = [:]
    var themeName: String?
    private var validation: [LabelledText] = []
    /// Wall time of each run's first chart point, so live points line up with the history's.
    private var runStart: [Int: Double] = [:]
    private var lastStep: [Int: Int] = [:]
    private var forwarding: Task<Void, Never>?
    private var lastMisclassified: MisclassifiedExamples?
    /// Learner runs' parameter counts (total, input side), read once they are trained.
    private var learnerParameters: [Int: (total: Int, input: Int)] = [:]
    /// `:serve`'s server while it runs.
    var serving: WorkbenchServing?

    init(manager: SessionManager, session: SessionHandle, name: String, themesDirectory: String?) {
        (events, continuation) = AsyncStream.makeStream(of: ServiceEvent.self, bufferingPolicy: .bufferingNewest(10_000))
        self.manager = manager
        self.themesDirectory = themesDirectory
        self.session = session
        self.current = name
    }

    /// Opens the most recently modified session that opens cleanly, or creates `newName` from
    /// `setup` when there is none; then starts forwarding its events.
    /// With `preferNew`, a session named `newName` is opened if it exists, else created.
    public static func launch(manager: SessionManager, newName: String, setup: SessionSetup, preferNew: Bool = false,
                              themesDirectory: String?) async throws -> SessionWorkbenchService {
        let listing = (try? await manager.list()) ?? []
        var opened: SessionHandle? = nil
        if preferNew {
            opened = listing.contains { $0.name == newName } ? try await manager.open(newName) : try await manager.create(newName, setup: setup)
        } else {
            let candidates = listing.filter { $0.problem == nil && !$0.isLocked }
                .sorted { ($0.modified ?? .distantPast) > ($1.modified ?? .distantPast) }
            for c in candidates {
                if let h = try? await manager.open(c.name) { opened = h; break }
            }
        }
        if opened == nil {
            var name = newName, n = 1
            let taken = Set(listing.map(\.name))
            while taken.contains(name) { n += 1; name = "\(newName)-\(n)" }
            opened = try await manager.create(name, setup: setup)
        }
        let handle = opened!
        let service = SessionWorkbenchService(manager: manager, session: handle, name: await handle.name, themesDirectory: themesDirectory)
        await service.begin()
        return service
    }

    private func begin() async {
        let stream = manager.events()
        forwarding = Task { [weak self] in
            for await e in stream { await self?.handle(e) }
        }
        themeName = Self.rememberedTheme(manager.store.root, current)
        validation = (try? await session.examples().validation) ?? []
    }

    // MARK: - Events

    private func handle(_ e: SessionEvent) async {
        guard let s = e.session, s == current else { return }
        let now = Date().timeIntervalSince1970
        switch e {
        case let .batch(_, run, p):
            if p.step == 1 || runStart[run] == nil { runStart[run] = now - p.epochElapsed }
            lastStep[run] = p.step
            // The ETA from the seconds spent training this epoch's batches (pauses left out).
            let perBatch = p.epochElapsed / Double(max(p.batch, 1))
            let remaining = max(0, p.epochs - p.epoch) * p.batchesPerEpoch + (p.batchesPerEpoch - p.batch)
            continuation.yield(.batch(WorkbenchUI.BatchProgress(
                run: "\(run)", epoch: p.epoch, epochs: p.epochs, batch: p.batch, batchesPerEpoch: p.batchesPerEpoch,
                step: p.step, loss: Double(p.batchLoss), accuracy: Double(p.accuracy), samplesPerSecond: p.samplesPerSecond,
                eta: perBatch * Double(remaining), relativeTime: now - (runStart[run] ?? now), wallTime: now)))
        case let .epoch(_, run, summary):
            let epochs = await session.record.engineRun.fit.epochs
            continuation.yield(.epochEnded(EpochMetrics(
                run: "\(run)", epoch: summary.epoch, epochs: epochs, step: lastStep[run] ?? 0,
                trainLoss: Double(summary.loss), trainAccuracy: Double(summary.accuracy),
                validationLoss: summary.validationLoss.map(Double.init), validationAccuracy: summary.validationAccuracy.map(Double.init),
                relativeTime: now - (runStart[run] ?? now), wallTime: now)))
            await publishMisclassified()
        case let .status(_, st):
            continuation.yield(.stateChanged(Self.state(st)))
            // A learner's card shows its file size once trained.
            if st == .finished, case .learner = await session.record.currentRun.kind {
                await readLearnerParameters()
                if let m = await modelSnapshot() { continuation.yield(.modelChanged(m)) }
            }
        case let .checkpoint(_, info):
            let path = manager.store.root.appendingPathComponent(current).path
            continuation.yield(.checkpointSaved(WorkbenchUI.CheckpointInfo(path: path, epoch: info.epochsCompleted, step: info.step)))
        case let .warning(_, message):
            continuation.yield(.warning(message))
        case let .runStarted(_, run):
            runStart[run.id] = nil
            continuation.yield(.runStarted(RunInfo(id: "\(run.id)", name: Self.runName(run))))
        case let .learnerTrained(_, run, result):
            continuation.yield(.learnerTrained(EpochMetrics(
                run: "\(run)", epoch: 1, epochs: 1, step: 0, trainLoss: Double(result.loss), trainAccuracy: Double(result.accuracy),
                validationLoss: result.validationLoss.map(Double.init), validationAccuracy: result.validationAccuracy.map(Double.init),
                relativeTime: result.seconds, wallTime: now)))
            await publishMisclassified()
        case let .learnerQueueEnded(_, trained, failure):
            if let failure {
                continuation.yield(.warning(failure))
            } else {
                continuation.yield(.message("\(trained) learner\(trained == 1 ? "" : "s") trained: R shows the leaderboard"))
            }
        case .planChanged:
            if let m = await modelSnapshot() { continuation.yield(.modelChanged(m)) }
        case .catalogChanged:
            break
        }
    }

    private func publishMisclassified() async {
        guard !validation.isEmpty, let probs = try? await session.probabilities(examples: validation) else { return }
        let classes = await session.record.labels.classes
        var wrong: [DatasetExample] = []
        for (ex, p) in zip(validation, probs) {
            let best = p.indices.max { p[$0] < p[$1] } ?? 0
            if classes[best] != ex.label {
                wrong.append(DatasetExample(label: ex.label, text: ex.text, predictedLabel: classes[best], probability: Double(p[best])))
            }
        }
        let m = MisclassifiedExamples(split: "validation", evaluated: validation.count, examples: wrong)
        lastMisclassified = m
        continuation.yield(.misclassified(m))
    }

    private func readLearnerParameters() async {
        let run = await session.record.currentRun.id
        if learnerParameters[run] == nil, let p = await session.learnerParameters() { learnerParameters[run] = p }
    }

    static func state(_ s: SessionStatus) -> TrainingState {
        switch s {
        case .idle: return .idle
        case .queued, .training: return .training
        case .paused: return .paused
        case .finished: return .finished
        case let .failed(reason): return .failed(reason)
        }
    }

    /// "run 3", or "run 3 svm" for a learner run.
    static func runName(_ run: RunRecord) -> String {
        if let name = run.name { return "run \(run.id) \(name)" }
        guard case let .learner(l) = run.kind else { return "run \(run.id)" }
        return "run \(run.id) \(l.recipe.spec)"
    }

    // MARK: - Snapshots

    public func snapshot() async -> WorkbenchSnapshot {
        let info = await session.info
        let record = info.record
        if case .learner = record.currentRun.kind { await readLearnerParameters() }
        var dataset: DatasetSnapshot? = nil
        if let ex = try? await session.examples() {
            dataset = Snapshots.dataset(file: URL(fileURLWithPath: record.dataset.path).lastPathComponent,
                                        examples: ex.train, tokenizer: record.tokenizer, tokenizerName: record.tokenizer.kind.rawValue)
        }
        return WorkbenchSnapshot(sessionName: current, state: Self.state(info.status), dataset: dataset, model: await modelSnapshot(),
                                 charts: await charts(record), misclassified: lastMisclassified,
                                 presets: ModelPreset.allCases.map { PresetInfo(name: $0.rawValue, summary: $0.summary) }
                                    + LearnerRecipe.presets.map { PresetInfo(name: $0.spec, summary: $0.kind.summary) },
                                 themeNames: themeFiles().map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent },
                                 themeName: themeName, layerTypes: ModelEditing.palette, view: savedViewState())
    }

    /// The model pane's model: the plan (what training makes next). A learner plan shows the
    /// size of the current run's file when that run is the plan's recipe, trained.
    func modelSnapshot() async -> ModelSnapshot? {
        let record = await session.record
        switch record.plan {
        case let .learner(recipe):
            let run = record.currentRun
            var bytes: Int? = nil
            if case let .learner(l) = run.kind, l.recipe == recipe {
                let url = RunFiles.learnerURL(in: manager.store.root.appendingPathComponent(current), run: run.id)
                bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
            }
            return Snapshots.learner(recipe, classes: record.labels.count, modelBytes: bytes, parameters: bytes == nil ? nil : learnerParameters[run.id])
        case let .neural(plan):
            guard let model = try? Sequential(spec: plan.model, seed: 0) else { return nil }
            return Snapshots.model(model, optimizer: plan.optimizer, fit: plan.fit, classes: record.labels.classes, preset: preset,
                                   embeddingCoverage: embeddingCoverage)
        }
    }

    private func charts(_ record: SessionRecord) async -> ChartSnapshot {
        guard let history = try? await session.history() else { return ChartSnapshot() }
        let names = Dictionary(record.runs.map { ($0.id, Self.runName($0)) }, uniquingKeysWith: { a, _ in a })
        var runs: [Int: RunHistory] = [:]
        var first: [Int: Double] = [:]
        let newest = record.runs.map(\.id).max() ?? 0
        // A deleted run's lines stay in the append-only history: not drawn (a deleted run is
        // never the newest, so a run the record has yet to list still is).
        for r in history where names[r.run] != nil || r.run > newest {
            var h = runs[r.run] ?? RunHistory(id: "\(r.run)", name: names[r.run] ?? "run \(r.run)")
            let t0 = first[r.run] ?? r.time
            first[r.run] = t0
            func point(_ v: Float) -> MetricPoint {
                MetricPoint(step: r.step, epoch: r.epoch, relativeTime: r.time - t0, wallTime: r.time, value: Double(v))
            }
            switch r.kind {
            case .step:
                h.batchLoss.append(point(r.batchLoss ?? r.loss))
                h.batchAccuracy.append(point(r.accuracy))
            case .epoch:
                h.epochLoss.append(point(r.loss))
                h.epochAccuracy.append(point(r.accuracy))
                if let v = r.validationLoss { h.validationLoss.append(point(v)) }
                if let v = r.validationAccuracy { h.validationAccuracy.append(point(v)) }
            }
            runs[r.run] = h
        }
        for run in first.keys where runStart[run] == nil { runStart[run] = first[run] }
        return ChartSnapshot(runs: runs.keys.sorted().compactMap { runs[$0] })
    }

    // MARK: - Commands

    func run(_ what: String, _ body: () async throws -> Void) async -> CommandResult {
        do { try await body(); return .done(nil) } catch { return .refused("\(what): \(error)") }
    }

    public func startTraining() async -> CommandResult {
        await run("train") {
            // A finished run of the plan's model trains that many epochs more; anything else
            // (a learner plan, a changed model, a run part way) the handle decides.
            let info = await session.info
            let record = info.record, engine = record.engineRun
            if case let .neural(plan) = record.plan, record.currentRun.id == record.engineRunID,
               plan.model == engine.model, engine.isComplete, info.status != .paused {
                try await session.train(additionalEpochs: engine.fit.epochs)
            } else {
                try await session.train()
            }
        }
    }
    public func train(epochs: Int) async -> CommandResult {
        let info = await session.info
        if info.status.isActive { return .refused("already training: space pauses, x stops") }
        if info.status == .paused { return .refused("a run is paused: space resumes it, or x stops it first") }
        guard case .neural = info.record.plan else {
            return .refused("the model is a learner: it trains in one go, with no epochs to count")
        }
        // A run that has trained goes on for that many more; a new run plans exactly that many.
        return await run("train") { try await session.train(additionalEpochs: epochs) }
    }
    public func pauseTraining() async -> CommandResult { await run("pause") { try await session.pause() } }
    public func resumeTraining() async -> CommandResult { await run("resume") { try await session.resume() } }
    public func stepTraining() async -> CommandResult { await run("step") { try await session.step() } }
    public func stopTraining() async -> CommandResult { await run("stop") { try await session.stop() } }
    public func save() async -> CommandResult {
        do {
            try await session.save()
            return .done("saved \(current)")
        } catch { return .refused("save: \(error)") }
    }

    public func listSessions() async -> [SessionSummary] {
        ((try? await manager.list()) ?? []).map { l in
            if let p = l.problem { return SessionSummary(name: l.name, detail: "cannot open: \(p)") }
            var parts = [l.status?.label ?? "?", l.modelSummary ?? ""]
            if let e = l.epochsCompleted, let p = l.plannedEpochs { parts.append("epochs \(e)/\(p)") }
            if let a = l.bestValidationAccuracy { parts.append(String(format: "best val acc %.3f", a)) }
            return SessionSummary(name: l.name, detail: parts.filter { !$0.isEmpty }.joined(separator: " · "))
        }
    }

    func switchTo(_ handle: SessionHandle) async -> SessionResult {
        // The server answers with the session shown: it ends with it.
        if serving != nil { _ = await stopServing() }
        session = handle
        current = await handle.name
        preset = nil
        modelUndo = []
        modelRedo = []
        lastMisclassified = nil
        runStart = [:]
        learnerParameters = [:]
        themeName = Self.rememberedTheme(manager.store.root, current)
        validation = (try? await session.examples().validation) ?? []
        return .loaded(await snapshot())
    }

    public func openSession(named name: String) async -> SessionResult {
        do { return await switchTo(try await manager.open(name)) } catch { return .refused("open \(name): \(error)") }
    }

    public func newSession(named name: String) async -> SessionResult {
        let setup = SessionSetup(like: await session.record, model: .preset(.lstm))
        do { return await switchTo(try await manager.create(name, setup: setup)) } catch { return .refused("new session \(name): \(error)") }
    }

    public func deleteSession(named name: String) async -> CommandResult {
        guard name != current else { return .refused("\(name) is open: open another session before deleting it") }
        do {
            try await manager.delete(name)
            return .done("deleted session \(name)")
        } catch {
            return .refused("delete \(name): \(error)")
        }
    }

    public func exportSession(named name: String, to path: String) async -> CommandResult {
        let dir = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
        do {
            // Another session is opened read-only for the export (as `sessions export` does).
            let handle = name == current ? session : try await manager.open(name, readOnly: true)
            try await handle.export(to: dir)
            return .done("exported \(name)'s model to \(dir.path)")
        } catch {
            return .refused("export \(name): \(error)")
        }
    }

    public func applyModelEdit(_ edit: ModelEdit) async -> ModelEditResult {
        let info = await session.info
        if info.status.isActive || info.status == .paused {
            return .refused("stop training first (x): the paused run is the model it was")
        }
        switch edit {
        case .undo: return await restoreModel(undo: true)
        case .redo: return await restoreModel(undo: false)
        default: break
        }
        let before = ModelShape(info.record.plan, preset: preset)
        let result = await apply(edit, info: info)
        if case .applied = result, before != ModelShape(await session.record.plan, preset: preset) {
            remember(before)
        }
        return result
    }

    private func apply(_ edit: ModelEdit, info: SessionInfo) async -> ModelEditResult {
        do {
            if case let .applyPreset(name) = edit, let recipe = try LearnerRecipe.parse(name) {
                try await session.useLearner(recipe: recipe)
                preset = recipe.spec
                guard let m = await modelSnapshot() else { return .refused("the model could not be built") }
                return .applied(m)
            }
            let record = info.record
            let model: ModelSpec
            switch record.plan {
            case let .learner(recipe):
                guard case .applyPreset = edit else {
                    return .refused("the model is a \(recipe.kind.title), which has no layers to edit: pick a neural preset (p) first")
                }
                model = record.engineRun.model
            case let .neural(plan):
                model = plan.model
            }
            let layers = try ModelEditing.apply(edit, to: model.layers, spec: model, classes: record.labels.count)
            if case .setVectors(_, _?, _) = edit {
                // The file read once now for its coverage of the vocabulary (the model pane
                // shows it); training reads it again into the new run's first weights.
                var config = record.classifierConfig
                config.model = ModelSpec(inputLength: model.inputLength, vocabularySize: model.vocabularySize, layers: layers, loss: model.loss)
                for report in try PretrainedEmbeddings.apply(to: try TextClassifier(config: config, seed: 0)) {
                    embeddingCoverage[report.path] = report.match.coverage
                }
            }
            try await session.changeModel(layers: layers)
            if case let .applyPreset(name) = edit { preset = name } else { preset = nil }
            guard let m = await modelSnapshot() else { return .refused("the model could not be built") }
            return .applied(m)
        } catch {
            return .refused("\(error)")
        }
    }

    // MARK: - Console

    public func predict(_ line: String) async -> ConsoleSnapshot? {
        let record = await session.record
        let classes = record.labels.classes
        if line.trimmingCharacters(in: .whitespaces).isEmpty {
            return ConsoleSnapshot(text: line, classNames: classes, probabilities: [])
        }
        guard let a = try? await session.explain(text: line) else { return nil }
        // Fresh weights answer too, but their probabilities mean nothing: the console says so.
        return Snapshots.console(line, classes: classes, attribution: a, untrained: await consoleRunIsUntrained())
    }

    public func shutdown() async {
        if serving != nil { _ = await stopServing() }
        forwarding?.cancel()
        shutdownFailures = await manager.shutdown().map { "\($0)" }
        continuation.finish()
    }

    /// What failed while shutting down (a last checkpoint that could not be written), for the
    /// caller to tell once the screen is gone.
    public private(set) var shutdownFailures: [String] = []
}
