#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TerminalUI
@testable import WorkbenchUI

/// A `WorkbenchService` without an engine: it simulates training with a deterministic loss
/// curve, answers model edits with Keras's shape arithmetic, classifies with a tiny lexicon,
/// and keeps sessions in memory. For tests and for a demo mode of the UI.
///
/// With `batchInterval` set, a started run trains one batch per interval on its own; with
/// nil, batches happen only on `stepTraining` or `advance(batches:)`, so tests decide when.
public actor FakeWorkbenchService: WorkbenchService {
    public struct Configuration: Sendable {
        public var sessionName: String
        public var epochs: Int
        public var batchesPerEpoch: Int
        public var batchSize: Int
        /// Real time between batches; nil: batches only when asked for.
        public var batchInterval: Duration?
        /// Simulated seconds per batch (for the time axes, samples per second and ETA).
        public var secondsPerBatch: Double
        /// The simulated wall clock at the start of the first run (Unix seconds).
        public var startWallTime: Double
        public var dataset: DatasetSnapshot
        public var preset: String
        public var sequenceLength: Int
        public var themes: [Theme]
        /// Other sessions the open picker lists.
        public var otherSessions: [String]
        /// Time each prediction takes (to test latest-wins); nil: none.
        public var predictionDelay: Duration?

        public init(sessionName: String = "demo", epochs: Int = 3, batchesPerEpoch: Int = 20, batchSize: Int = 32,
                    batchInterval: Duration? = .milliseconds(50), secondsPerBatch: Double = 0.05,
                    startWallTime: Double = 1_700_000_000, dataset: DatasetSnapshot = FakeData.dataset,
                    preset: String = "lstm", sequenceLength: Int = 100,
                    themes: [Theme] = [.default, FakeData.lightTheme], otherSessions: [String] = ["news-titles"],
                    predictionDelay: Duration? = nil) {
            self.sessionName = sessionName
            self.epochs = max(1, epochs)
            self.batchesPerEpoch = max(1, batchesPerEpoch)
            self.batchSize = max(1, batchSize)
            self.batchInterval = batchInterval
            self.secondsPerBatch = secondsPerBatch
            self.startWallTime = startWallTime
            self.dataset = dataset
            self.preset = preset
            self.sequenceLength = sequenceLength
            self.themes = themes
            self.otherSessions = otherSessions
            self.predictionDelay = predictionDelay
        }
    }

    private struct Session {
        var model: FakeModel
        var charts = ChartSnapshot()
        var misclassified: MisclassifiedExamples?
        var runs = 0
        var trainedSteps = 0
        var view: WorkbenchViewState?
    }

    public nonisolated let events: AsyncStream<ServiceEvent>
    private let continuation: AsyncStream<ServiceEvent>.Continuation
    /// `var`: `train(epochs:)` sets the epochs of the runs it starts.
    private var config: Configuration
    /// Models before each edit (newest last) and those undone.
    private var undoModels: [FakeModel] = []
    private var redoModels: [FakeModel] = []
    private var sessionName: String
    private var sessions: [String: Session] = [:]
    private var current: Session
    private var state = TrainingState.idle
    private var run: RunInfo?
    private var step = 0
    private var loop: Task<Void, Never>?
    private var themeName: String
    /// The run the console answers with (nil: the current one).
    private var consoleRun: String?

    /// Names of the calls received, in order (for tests).
    public private(set) var calls: [String] = []
    public private(set) var predictionCount = 0
    public private(set) var isShutDown = false

    public init(configuration: Configuration = Configuration()) {
        config = configuration
        (events, continuation) = AsyncStream.makeStream(of: ServiceEvent.self)
        sessionName = configuration.sessionName
        current = Session(model: FakeModel(preset: configuration.preset, vocabulary: configuration.dataset.vocabularySize,
                                           sequenceLength: configuration.sequenceLength,
                                           classes: configuration.dataset.labelCounts.count))
        themeName = configuration.themes.first?.name ?? "dark"
        for name in configuration.otherSessions where name != configuration.sessionName {
            sessions[name] = Session(model: FakeModel(preset: "cnn", vocabulary: configuration.dataset.vocabularySize,
                                                      sequenceLength: configuration.sequenceLength,
                                                      classes: configuration.dataset.labelCounts.count))
        }
    }

    // MARK: WorkbenchService

    public func snapshot() -> WorkbenchSnapshot {
        calls.append("snapshot")
        return makeSnapshot()
    }

    private func makeSnapshot() -> WorkbenchSnapshot {
        let model: ModelSnapshot?
        switch current.model.build() {
        case let .success(m): model = m
        case .failure: model = nil
        }
        return WorkbenchSnapshot(
            sessionName: sessionName, state: state, dataset: config.dataset, model: model, charts: current.charts,
            misclassified: current.misclassified,
            presets: FakeModel.presets.map { PresetInfo(name: $0.name, summary: $0.summary) },
            themeNames: config.themes.map(\.name), themeName: themeName, layerTypes: FakeModel.palette, view: current.view)
    }

    public func saveViewState(_ view: WorkbenchViewState) {
        calls.append("saveViewState")
        current.view = view
    }

    public func startTraining() -> CommandResult {
        calls.append("startTraining")
        switch state {
        case .training: return .refused("already training (p pauses, x stops)")
        case .paused: return resumeTraining()
        default:
            beginRun()
            setState(.training)
            startLoop()
            return .done("training \(run?.name ?? "")")
        }
    }

    public func train(epochs: Int) -> CommandResult {
        calls.append("train \(epochs) epochs")
        guard !state.isActive else { return .refused("already training (p pauses, x stops)") }
        config.epochs = max(1, epochs)
        return startTraining()
    }

    public func pauseTraining() -> CommandResult {
        calls.append("pauseTraining")
        guard state == .training else { return .refused("not training") }
        loop?.cancel()
        setState(.paused)
        return .done("paused at epoch \(epoch(of: step)) batch \(batch(of: step))")
    }

    public func resumeTraining() -> CommandResult {
        calls.append("resumeTraining")
        guard state == .paused else { return .refused("nothing to resume") }
        setState(.training)
        startLoop()
        return .done("resumed")
    }

    public func stepTraining() -> CommandResult {
        calls.append("stepTraining")
        switch state {
        case .training: return .refused("pause first: n trains one batch while paused")
        case .paused: break
        default:
            beginRun()
            setState(.paused)
        }
        trainBatch()
        return .done("trained batch \(batch(of: step)) of epoch \(epoch(of: step))")
    }

    public func stopTraining() -> CommandResult {
        calls.append("stopTraining")
        guard state.isActive else { return .refused("not training") }
        loop?.cancel()
        setState(.finished)
        return .done("stopped after \(step) batches; weights kept")
    }

    public func save() -> CommandResult {
        calls.append("save")
        let path = "Sessions/\(sessionName)/weights.safetensors"
        continuation.yield(.checkpointSaved(CheckpointInfo(path: path, epoch: epoch(of: step), step: step)))
        return .done("saved \(path)")
    }

    public func listSessions() -> [SessionSummary] {
        calls.append("listSessions")
        let names = Set(sessions.keys).union([sessionName]).sorted()
        return names.map { name in
            let s = name == sessionName ? current : sessions[name]
            let layers = (try? s?.model.build().get())?.layers.dropLast().map(\.typeLabel).joined(separator: " → ") ?? ""
            return SessionSummary(name: name, detail: "\(layers) · \(s?.runs ?? 0) runs")
        }
    }

    public func openSession(named name: String) -> SessionResult {
        calls.append("openSession \(name)")
        guard !state.isActive else { return .refused("stop training before opening another session") }
        if name == sessionName { return .loaded(makeSnapshot()) }
        guard let s = sessions[name] else { return .refused("no session named \"\(name)\"") }
        return switchTo(s, named: name)
    }

    public func deleteSession(named name: String) -> CommandResult {
        calls.append("deleteSession \(name)")
        guard name != sessionName else { return .refused("\(name) is open: open another session before deleting it") }
        guard sessions.removeValue(forKey: name) != nil else { return .refused("no session named \"\(name)\"") }
        return .done("deleted session \(name)")
    }

    public func exportSession(named name: String, to path: String) -> CommandResult {
        calls.append("exportSession \(name) \(path)")
        guard name == sessionName || sessions[name] != nil else { return .refused("no session named \"\(name)\"") }
        return .done("exported \(name)'s model to \(path)")
    }

    public func newSession(named name: String) -> SessionResult {
        calls.append("newSession \(name)")
        guard !state.isActive else { return .refused("stop training before starting another session") }
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            return .refused("\"\(name)\" cannot be a session name (no \"/\", no leading \".\")")
        }
        guard name != sessionName, sessions[name] == nil else { return .refused("a session named \"\(name)\" exists: o opens it") }
        return switchTo(Session(model: FakeModel(preset: config.preset, vocabulary: config.dataset.vocabularySize,
                                                 sequenceLength: config.sequenceLength, classes: config.dataset.labelCounts.count)),
                        named: name)
    }

    /// Keeps the open session and makes `s` the current one, idle.
    private func switchTo(_ s: Session, named name: String) -> SessionResult {
        sessions[sessionName] = current
        current = s
        sessionName = name
        state = .idle
        run = nil
        step = 0
        return .loaded(makeSnapshot())
    }

    public func applyModelEdit(_ edit: ModelEdit) -> ModelEditResult {
        calls.append("edit \(edit)")
        guard !state.isActive else { return .refused("stop training before changing the model") }
        switch edit {
        case .undo, .redo:
            let undo = edit == .undo
            guard let m = undo ? undoModels.popLast() : redoModels.popLast() else {
                return .refused(undo ? "nothing to undo" : "nothing to redo")
            }
            if undo { redoModels.append(current.model) } else { undoModels.append(current.model) }
            current.model = m
            switch m.build() {
            case let .failure(e): return .refused(e.description)
            case let .success(snapshot): return .applied(snapshot)
            }
        default: break
        }
        switch current.model.applying(edit) {
        case let .failure(e): return .refused(e.description)
        case let .success(m):
            switch m.build() {
            case let .failure(e): return .refused(e.description)
            case let .success(snapshot):
                undoModels.append(current.model)
                redoModels = []
                current.model = m
                return .applied(snapshot)
            }
        }
    }

    public func setTheme(named name: String) -> ThemeResult {
        calls.append("setTheme \(name)")
        guard let t = config.themes.first(where: { $0.name == name }) else {
            return .refused("no theme named \"\(name)\" (themes: \(config.themes.map(\.name).joined(separator: ", ")))")
        }
        themeName = name
        return .applied(t)
    }

    public func changeSettings(_ change: TrainingSettingsChange) async -> CommandResult {
        .refused("the fake service trains nothing: \(change)")
    }

    public func trainLearners(_ specs: [String]) -> CommandResult {
        calls.append("trainLearners(\(specs.joined(separator: ",")))")
        guard !state.isActive else { return .refused("stop training first (x)") }
        return .refused("the demo service has no learners")
    }

    public func leaderboard() -> [LeaderboardEntry] {
        calls.append("leaderboard")
        let entries = current.charts.runs.map { r in
            LeaderboardEntry(id: r.id, model: r.name, validationAccuracy: r.validationAccuracy.last?.value,
                             trainAccuracy: r.epochAccuracy.last?.value, epochs: r.epochAccuracy.count,
                             trainingSeconds: r.batchLoss.last?.relativeTime ?? 0, isCurrent: r.id == run?.id,
                             isInConsole: r.id == (consoleRun ?? run?.id), canOpen: !r.batchLoss.isEmpty)
        }
        return entries.sorted { ($0.validationAccuracy ?? -1) > ($1.validationAccuracy ?? -1) }
    }

    /// What `metrics()` answers; nil: refused as untrained before any run, else a matrix
    /// with most examples on the diagonal (4 per class there, one the next class's).
    public var metricsAnswer: MetricsResult?

    public func setMetricsAnswer(_ answer: MetricsResult?) { metricsAnswer = answer }

    public func metrics() -> MetricsResult {
        calls.append("metrics")
        if let metricsAnswer { return metricsAnswer }
        guard run != nil else { return .refused("untrained: no metrics until a run has weights (t trains)") }
        let labels = config.dataset.labels
        let k = labels.count
        let confusion = (0..<k).map { t in (0..<k).map { p in p == t ? 4 : (p == (t + 1) % k ? 1 : 0) } }
        let classes = labels.map { ClassMetrics(name: $0, precision: 0.8, recall: 0.8, f1: 0.8, support: 5) }
        let avg = AveragedMetrics(precision: 0.8, recall: 0.8, f1: 0.8)
        return .ready(MetricsSnapshot(title: "run \(run?.id ?? "") on \(5 * k) validation examples", classes: classes,
                                      confusion: confusion, accuracy: 0.8, macro: avg, weighted: avg))
    }

    public func renameRun(_ id: String, to name: String) -> CommandResult {
        calls.append("renameRun(\(id), \(name))")
        guard let i = current.charts.runs.firstIndex(where: { $0.id == id }) else { return .refused("no run \(id)") }
        current.charts.runs[i].name = name.isEmpty ? "run \(id)" : "run \(id) \(name)"
        return .done(nil)
    }

    public func deleteRun(_ id: String) -> CommandResult {
        calls.append("deleteRun(\(id))")
        guard id != run?.id else { return .refused("run \(id) is the session's current (or newest) run: train another run first") }
        guard current.charts.runs.contains(where: { $0.id == id }) else { return .refused("no run \(id)") }
        current.charts.runs.removeAll { $0.id == id }
        return .done(nil)
    }

    public func useInConsole(run id: String?) -> CommandResult {
        calls.append("useInConsole(\(id ?? "current"))")
        guard let id else {
            consoleRun = nil
            return .done(nil)
        }
        guard let r = current.charts.runs.first(where: { $0.id == id }) else {
            return .refused("no run \(id) (runs: \(current.charts.runs.map(\.id).joined(separator: ", ")))")
        }
        guard !r.batchLoss.isEmpty else { return .refused("run \(id) never trained: nothing to answer with") }
        consoleRun = id
        return .done("console: \(r.name)")
    }

    /// Writes nothing: says where it would (`folder` "taken" is refused as a non-empty folder).
    public func export(format: String, to folder: String?) -> CommandResult {
        calls.append("export(\(format), \(folder ?? "default"))")
        let run = consoleRun ?? self.run?.id
        guard let run else { return .refused("export: no run yet: train first") }
        let target = folder ?? "\(sessionName)-run\(run)-\(format)"
        if target == "taken" { return .refused("export: \(target): exists and is not empty") }
        return .done("exported run \(run) as \(format) to \(target)")
    }

    public func predict(_ line: String) async -> ConsoleSnapshot? {
        predictionCount += 1
        if let d = config.predictionDelay {
            try? await Task.sleep(for: d)
        }
        if Task.isCancelled { return nil }
        return FakePredictor.predict(line, labels: config.dataset.labels, progress: progress)
    }

    public func shutdown() {
        calls.append("shutdown")
        loop?.cancel()
        loop = nil
        if state.isActive { state = .finished }
        isShutDown = true
        continuation.finish()
    }

    // MARK: Test controls

    /// Trains up to `batches` batches now (while training), as if that much time had passed.
    public func advance(batches: Int) {
        for _ in 0..<max(0, batches) where state == .training {
            trainBatch()
        }
    }

    /// The training state (for tests).
    public var trainingState: TrainingState { state }

    // MARK: Simulation

    private var totalSteps: Int { config.epochs * config.batchesPerEpoch }
    private var progress: Double { min(1, Double(current.trainedSteps) / Double(max(1, totalSteps))) }
    private func epoch(of step: Int) -> Int { step == 0 ? 0 : (step - 1) / config.batchesPerEpoch + 1 }
    private func batch(of step: Int) -> Int { step == 0 ? 0 : (step - 1) % config.batchesPerEpoch + 1 }

    private func setState(_ s: TrainingState) {
        state = s
        continuation.yield(.stateChanged(s))
    }

    private func beginRun() {
        current.runs += 1
        let info = RunInfo(id: "run-\(current.runs)")
        run = info
        step = 0
        current.charts.apply(.runStarted(info))
        continuation.yield(.runStarted(info))
    }

    private func startLoop() {
        loop?.cancel()
        guard let interval = config.batchInterval else { return }
        loop = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled || !self.trainIfRunning() { return }
            }
        }
    }

    /// One batch if training; false when the loop should end.
    private func trainIfRunning() -> Bool {
        guard state == .training else { return false }
        trainBatch()
        return state == .training
    }

    private func trainBatch() {
        guard let run, step < totalSteps else { return }
        step += 1
        current.trainedSteps += 1
        let runNumber = current.runs
        let relative = Double(step) * config.secondsPerBatch
        let wall = config.startWallTime + Double(runNumber - 1) * 3600 + relative
        let rate = Double(config.batchSize) / max(1e-6, config.secondsPerBatch) * (1 + 0.05 * sin(Double(step)))
        let b = BatchProgress(
            run: run.id, epoch: epoch(of: step), epochs: config.epochs, batch: batch(of: step),
            batchesPerEpoch: config.batchesPerEpoch, step: step,
            loss: FakeData.loss(step: step, run: runNumber), accuracy: FakeData.accuracy(step: step, run: runNumber),
            samplesPerSecond: rate, eta: step == 1 ? nil : Double(totalSteps - step) * config.secondsPerBatch,
            relativeTime: relative, wallTime: wall)
        current.charts.apply(.batch(b))
        continuation.yield(.batch(b))
        if batch(of: step) == config.batchesPerEpoch {
            let trainLoss = FakeData.loss(step: step, run: runNumber)
            let trainAcc = FakeData.accuracy(step: step, run: runNumber)
            let e = EpochMetrics(run: run.id, epoch: epoch(of: step), epochs: config.epochs, step: step,
                                 trainLoss: trainLoss, trainAccuracy: trainAcc,
                                 validationLoss: trainLoss + 0.04 + 0.01 * Double(epoch(of: step)),
                                 validationAccuracy: max(0, trainAcc - 0.03), relativeTime: relative, wallTime: wall)
            current.charts.apply(.epochEnded(e))
            continuation.yield(.epochEnded(e))
            evaluate()
        }
        if step >= totalSteps {
            loop?.cancel()
            setState(.finished)
        }
    }

    /// The examples the fake model gets wrong now.
    private func evaluate() {
        let labels = config.dataset.labels
        var wrong: [DatasetExample] = []
        for e in config.dataset.examples {
            let p = FakePredictor.predict(e.text, labels: labels, progress: progress)
            guard let best = p.predictedIndex, labels.indices.contains(best) else { continue }
            if labels[best] != e.label {
                wrong.append(DatasetExample(label: e.label, text: e.text, predictedLabel: labels[best],
                                            probability: p.probabilities[best]))
            }
        }
        let m = MisclassifiedExamples(split: "validation", evaluated: config.dataset.examples.count, examples: wrong)
        current.misclassified = m
        continuation.yield(.misclassified(m))
    }
}
