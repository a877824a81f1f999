import Engine
import Foundation
import Learners
import Sessions
import TerminalUI
import TextData
import WorkbenchUI

/// The workbench's service over the real session manager: turns UI commands into manager
/// calls and session events into UI events, for one current session at a time.
public actor SessionWorkbenchService: WorkbenchService {
    public nonisolated let events: AsyncStream<ServiceEvent>
    let continuation: AsyncStream<ServiceEvent>.Continuation
    let manager: SessionManager
    let themesDirectory: String?
    var current: String
    private var record: SessionRecord
    private var status: SessionStatus = .idle
    private var preset: String?
    var themeName: String?
    private var validation: [LabelledText] = []
    private var runStart: [Int: Double] = [:]
    private var lastStep: [Int: Int] = [:]
    private var forwarding: Task<Void, Never>?
    private var lastMisclassified: MisclassifiedExamples?
    /// Learner runs' parameter counts (total, input side), read once they are trained.
    private var learnerParameters: [Int: (total: Int, input: Int)] = [:]
    /// `:zoo`: learners training one after the other.
    private var learnerQueue: Task<Void, Never>?

    init(manager: SessionManager, info: SessionInfo, themesDirectory: String?) {
        (events, continuation) = AsyncStream.makeStream(of: ServiceEvent.self, bufferingPolicy: .bufferingNewest(10_000))
        self.manager = manager
        self.themesDirectory = themesDirectory
        self.current = info.name
        self.record = info.record
        self.status = info.status
    }

    /// Opens the most recently modified session that opens cleanly, or creates `newName` from
    /// `setup` when there is none; then starts forwarding its events.
    /// With `preferNew`, a session named `newName` is opened if it exists, else created.
    public static func launch(manager: SessionManager, newName: String, setup: SessionSetup, preferNew: Bool = false,
                              themesDirectory: String?) async throws -> SessionWorkbenchService {
        let listing = (try? await manager.list()) ?? []
        var opened: SessionInfo? = nil
        if preferNew {
            opened = listing.contains { $0.name == newName } ? try await manager.open(newName) : try await manager.create(newName, setup: setup)
        } else {
            let candidates = listing.filter { $0.problem == nil && !$0.isLocked }
                .sorted { ($0.modified ?? .distantPast) > ($1.modified ?? .distantPast) }
            for c in candidates {
                if let info = try? await manager.open(c.name) { opened = info; break }
            }
        }
        if opened == nil {
            var name = newName, n = 1
            let taken = Set(listing.map(\.name))
            while taken.contains(name) { n += 1; name = "\(newName)-\(n)" }
            opened = try await manager.create(name, setup: setup)
        }
        let service = SessionWorkbenchService(manager: manager, info: opened!, themesDirectory: themesDirectory)
        await service.begin()
        return service
    }

    private func begin() async {
        let stream = await manager.events()
        forwarding = Task { [weak self] in
            for await e in stream { await self?.handle(e) }
        }
        themeName = Self.rememberedTheme(manager.store.root, current)
        validation = (try? await manager.examples(current).validation) ?? []
    }

    // MARK: - Events

    private func handle(_ e: SessionEvent) async {
        guard let s = e.session, s == current else { return }
        let now = Date().timeIntervalSince1970
        switch e {
        case let .batch(_, run, p):
            if p.step == 1 || runStart[run] == nil { runStart[run] = now - p.epochElapsed }
            lastStep[run] = p.step
            let epochs = plannedEpochs
            let perBatch = p.epochElapsed / Double(max(p.batch, 1))
            let remaining = max(0, epochs - p.epoch) * p.batchesPerEpoch + (p.batchesPerEpoch - p.batch)
            continuation.yield(.batch(WorkbenchUI.BatchProgress(
                run: "\(run)", epoch: p.epoch, epochs: epochs, batch: p.batch, batchesPerEpoch: p.batchesPerEpoch,
                step: p.step, loss: Double(p.batchLoss), accuracy: Double(p.accuracy), samplesPerSecond: p.samplesPerSecond,
                eta: perBatch * Double(remaining), relativeTime: now - (runStart[run] ?? now), wallTime: now)))
        case let .epoch(_, run, summary):
            continuation.yield(.epochEnded(EpochMetrics(
                run: "\(run)", epoch: summary.epoch, epochs: plannedEpochs, step: lastStep[run] ?? 0,
                trainLoss: Double(summary.loss), trainAccuracy: Double(summary.accuracy),
                validationLoss: summary.validationLoss.map(Double.init), validationAccuracy: summary.validationAccuracy.map(Double.init),
                relativeTime: now - (runStart[run] ?? now), wallTime: now)))
            await publishMisclassified()
        case let .status(_, st):
            status = st
            continuation.yield(.stateChanged(Self.state(st)))
            if st == .finished || st == .idle {
                await refreshRecord()
                // A learner's card shows its file size once trained.
                if st == .finished, record.currentRun.learner != nil {
                    if let p = await manager.learnerParameters(current) { learnerParameters[record.currentRun.id] = p }
                    if let m = modelSnapshot() { continuation.yield(.modelChanged(m)) }
                }
            }
        case let .checkpoint(_, info):
            let path = manager.store.root.appendingPathComponent(current).path
            continuation.yield(.checkpointSaved(WorkbenchUI.CheckpointInfo(path: path, epoch: info.epochsCompleted, step: info.step)))
        case let .warning(_, message):
            continuation.yield(.warning(message))
        case let .runStarted(_, run, _):
            await refreshRecord()
            runStart[run] = nil
            continuation.yield(.runStarted(RunInfo(id: "\(run)", name: "run \(run)")))
            if let m = modelSnapshot() { continuation.yield(.modelChanged(m)) }
        case let .learnerRunStarted(_, run, recipe):
            await refreshRecord()
            runStart[run] = nil
            continuation.yield(.runStarted(RunInfo(id: "\(run)", name: "run \(run) \(recipe.spec)")))
            if let m = modelSnapshot() { continuation.yield(.modelChanged(m)) }
        case .catalogChanged:
            break
        }
    }

    /// The current run's planned epochs (a learner's one "epoch" is its whole training).
    private var plannedEpochs: Int { record.currentRun.learner == nil ? record.currentRun.fit.epochs : 1 }

    private func refreshRecord() async {
        if let info = try? await manager.info(current) { record = info.record; status = info.status }
    }

    private func publishMisclassified() async {
        guard !validation.isEmpty, let probs = try? await manager.probabilities(current, examples: validation) else { return }
        let classes = record.labels.classes
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

    static func state(_ s: SessionStatus) -> TrainingState {
        switch s {
        case .idle: return .idle
        case .queued, .training: return .training
        case .paused: return .paused
        case .finished: return .finished
        case let .failed(reason): return .failed(reason)
        }
    }

    // MARK: - Snapshots

    public func snapshot() async -> WorkbenchSnapshot {
        if record.currentRun.learner != nil, learnerParameters[record.currentRun.id] == nil,
           let p = await manager.learnerParameters(current) {
            learnerParameters[record.currentRun.id] = p
        }
        var dataset: DatasetSnapshot? = nil
        if let ex = try? await manager.examples(current) {
            let tokenizerName = record.tokenizer.kind.rawValue
            dataset = Snapshots.dataset(file: URL(fileURLWithPath: record.dataset.path).lastPathComponent,
                                        examples: ex.train, tokenizer: record.tokenizer, tokenizerName: tokenizerName)
        }
        return WorkbenchSnapshot(sessionName: current, state: Self.state(status), dataset: dataset, model: modelSnapshot(),
                                 charts: await charts(), misclassified: lastMisclassified,
                                 presets: ModelPreset.allCases.map { PresetInfo(name: $0.rawValue, summary: $0.summary) }
                                    + LearnerRecipe.presets.map { PresetInfo(name: $0.spec, summary: $0.kind.summary) },
                                 themeNames: themeFiles().map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent },
                                 themeName: themeName, layerTypes: ModelEditing.palette, view: savedViewState())
    }

    private func modelSnapshot() -> ModelSnapshot? {
        let run = record.currentRun
        if let recipe = run.learner {
            let url = RunFiles.learnerURL(in: manager.store.root.appendingPathComponent(current), run: run.id)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
            return Snapshots.learner(recipe, classes: record.labels.count, modelBytes: bytes, parameters: learnerParameters[run.id])
        }
        guard let model = try? Sequential(spec: record.model, seed: 0) else { return nil }
        return Snapshots.model(model, optimizer: record.currentRun.optimizer, preset: preset)
    }

    /// "run 3", or "run 3 svm" for a learner run (as the live `runStarted` names it).
    private func runName(_ run: Int) -> String {
        record.runs.first { $0.id == run }?.learner.map { "run \(run) \($0.spec)" } ?? "run \(run)"
    }

    private func charts() async -> ChartSnapshot {
        guard let history = try? await manager.history(current) else { return ChartSnapshot() }
        var runs: [Int: RunHistory] = [:]
        var first: [Int: Double] = [:]
        for r in history {
            var h = runs[r.run] ?? RunHistory(id: "\(r.run)", name: runName(r.run))
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

    private func run(_ what: String, _ body: () async throws -> Void) async -> CommandResult {
        do { try await body(); return .done(nil) } catch { return .refused("\(what): \(error)") }
    }

    public func startTraining() async -> CommandResult {
        await refreshRecord()
        return await run("train") {
            if let recipe = record.currentRun.learner, record.currentRun.isComplete {
                // Training a trained learner again: a fresh run of the same recipe.
                try await manager.useLearner(current, recipe: recipe)
                try await manager.train(current)
            } else if record.currentRun.learner != nil {
                try await manager.train(current)
            } else if status == .finished || record.currentRun.isComplete {
                try await manager.train(current, additionalEpochs: record.currentRun.fit.epochs)
            } else {
                try await manager.train(current)
            }
        }
    }
    public func pauseTraining() async -> CommandResult { await run("pause") { try await manager.pause(current) } }
    public func resumeTraining() async -> CommandResult { await run("resume") { try await manager.resume(current) } }
    public func stepTraining() async -> CommandResult { await run("step") { try await manager.step(current) } }
    public func stopTraining() async -> CommandResult { await run("stop") { try await manager.stop(current) } }
    public func save() async -> CommandResult {
        do {
            try await manager.save(current)
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

    private func switchTo(_ info: SessionInfo) async -> SessionResult {
        current = info.name
        record = info.record
        status = info.status
        preset = nil
        lastMisclassified = nil
        runStart = [:]
        learnerParameters = [:]
        themeName = Self.rememberedTheme(manager.store.root, current)
        validation = (try? await manager.examples(current).validation) ?? []
        return .loaded(await snapshot())
    }

    public func openSession(named name: String) async -> SessionResult {
        do { return await switchTo(try await manager.open(name)) } catch { return .refused("open \(name): \(error)") }
    }

    public func newSession(named name: String) async -> SessionResult {
        let d = record.dataset
        let validationSetup: SessionSetup.Validation
        switch d.validation {
        case .none: validationSetup = .none
        case let .split(f, _): validationSetup = .split(f)
        case let .file(path, _, _, _): validationSetup = .file(path)
        }
        var tokenizer = record.tokenizer
        switch tokenizer {
        case let .keras(k): tokenizer = .keras((try? KerasTokenizer(numWords: k.numWords, filters: k.filters, lower: k.lower, split: k.split,
                                                                      charLevel: k.charLevel, oovToken: k.oovToken)) ?? k)
        case let .script(s): tokenizer = .script(ScriptTokenizer(numWords: s.numWords, oovToken: s.oovToken, bigrams: s.bigrams, lower: s.lower))
        }
        let setup = SessionSetup(data: d.path, format: d.format, readOptions: d.options, validation: validationSetup, tokenizer: tokenizer,
                                 maxLength: record.maxLength, padding: record.padding, truncating: record.truncating,
                                 model: .preset(.lstm), optimizer: record.currentRun.optimizer, fit: record.currentRun.fit,
                                 autosaveEvery: record.autosaveEvery)
        do { return await switchTo(try await manager.create(name, setup: setup)) } catch { return .refused("new session \(name): \(error)") }
    }

    public func applyModelEdit(_ edit: ModelEdit) async -> ModelEditResult {
        await refreshRecord()   // the manager's status, not the last event forwarded
        if status.isActive || status == .paused {
            return .refused("stop training first (x): a model change starts a new run")
        }
        do {
            if case let .applyPreset(name) = edit, let recipe = try LearnerRecipe.parse(name) {
                try await manager.useLearner(current, recipe: recipe)
                await refreshRecord()
                preset = recipe.spec
                guard let m = modelSnapshot() else { return .refused("the model could not be built") }
                return .applied(m)
            }
            if let recipe = record.currentRun.learner {
                if case .applyPreset = edit {} else {
                    return .refused("the model is a \(recipe.kind.title), which has no layers to edit: pick a neural preset (p) first")
                }
            }
            let layers = try ModelEditing.apply(edit, to: record.model.layers, spec: record.model, classes: record.labels.count)
            _ = try await manager.changeModel(current, layers: layers)
            await refreshRecord()
            if case let .applyPreset(name) = edit { preset = name } else { preset = nil }
            guard let m = modelSnapshot() else { return .refused("the model could not be built") }
            return .applied(m)
        } catch {
            return .refused("\(error)")
        }
    }

    // MARK: - Leaderboard

    public func trainLearners(_ specs: [String]) async -> CommandResult {
        await refreshRecord()
        if status.isActive || status == .paused { return .refused("stop training first (x): each learner starts a new run") }
        var recipes: [LearnerRecipe] = []
        for spec in specs {
            do {
                guard let r = try LearnerRecipe.parse(spec) else {
                    return .refused("'\(spec)' is not a learner (\(LearnerKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                recipes.append(r)
            } catch {
                return .refused("\(error)")
            }
        }
        guard !recipes.isEmpty else { return .refused("no learner named") }
        learnerQueue?.cancel()
        let manager = self.manager, name = current
        learnerQueue = Task {
            for recipe in recipes where !Task.isCancelled {
                do {
                    try await manager.trainLearner(name, recipe: recipe)
                } catch {
                    self.warn("\(recipe.spec): \(error)")
                    return
                }
            }
            self.warn(nil)
        }
        return .done("training \(recipes.count) learner\(recipes.count == 1 ? "" : "s"), one run each: R shows the leaderboard")
    }

    /// Tells the UI how the learner queue ended (nil: all trained).
    private func warn(_ problem: String?) {
        if let problem { continuation.yield(.warning(problem)) } else { continuation.yield(.message("learners trained: R shows the leaderboard")) }
    }

    public func leaderboard() async -> [LeaderboardEntry] {
        guard let standings = try? await manager.leaderboard(current) else { return [] }
        return standings.map { r in
            LeaderboardEntry(id: "\(r.run)", model: r.model, validationAccuracy: r.validationAccuracy.map(Double.init),
                             trainAccuracy: r.trainAccuracy.map(Double.init), epochs: r.isLearner ? nil : r.epochs,
                             trainingSeconds: r.trainingSeconds, isCurrent: r.isCurrent, isInConsole: r.isInConsole, canOpen: r.canOpen)
        }
    }

    public func useInConsole(run id: String?) async -> CommandResult {
        guard let id else {
            return await run("console") { try await manager.useInConsole(current, run: nil) }
        }
        guard let n = Int(id) else { return .refused("'\(id)' is not a run number") }
        do {
            try await manager.useInConsole(current, run: n)
            let model = record.runs.first { $0.id == n }?.summary ?? ""
            return .done(n == record.currentRun.id ? nil : "console: run \(n) \(model)")
        } catch {
            return .refused("\(error)")
        }
    }

    // MARK: - Console

    public func predict(_ line: String) async -> ConsoleSnapshot? {
        let classes = record.labels.classes
        if line.trimmingCharacters(in: .whitespaces).isEmpty {
            return ConsoleSnapshot(text: line, classNames: classes, probabilities: [])
        }
        guard let a = try? await manager.explain(current, text: line) else { return nil }
        return Snapshots.console(line, classes: classes, attribution: a)
    }

    public func shutdown() async {
        learnerQueue?.cancel()
        forwarding?.cancel()
        shutdownFailures = await manager.shutdown().map { "\($0)" }
        continuation.finish()
    }

    /// What failed while shutting down (a last checkpoint that could not be written), for the
    /// caller to tell once the screen is gone.
    public private(set) var shutdownFailures: [String] = []
}
