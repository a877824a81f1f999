import ArgumentParser
import Engine
import Foundation
import Learners
import Sessions
import TextData

/// `workbench tune`: autotune across the learner families in a session (see `Tuner`).
struct TuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Search the learner families for the best model on a data set, within a time budget or a number of trials.",
        discussion: """
        Successive halving over training-set size: many candidates are fitted on small seeded subsets first, and the best third of each rung goes on to a subset three times larger, up to all training examples. Trials on all training examples are runs of the session (see `sessions runs`), so every finalist can be inspected, evaluated, exported and served; the winner ends as the session's current run, so `eval|predict|export|serve --session NAME` use it.
        Scores come from the validation examples (--validation, else --split of --data) or, with --folds K, from K-fold cross-validation on the training examples; --test is evaluated once, at the end, and never seen by the search.
        A wall-clock budget is checked between trials (a learner trains in one go, so the trial under way finishes first) and is not bit-reproducible: --trials N with the same --seed repeats a search exactly. Running the command again on the same session reuses the runs it already trained. Ctrl-C stops after the trial under way and keeps the best so far.
        """)

    @Option(help: "Training data (label<TAB>text, CSV, TSV, JSONL or a folder per class); required unless the session exists.") var data: String?
    @Option(help: "Validation data; without it --split holds out part of --data.") var validation: String?
    @Option(name: .customLong("split"), help: "Fraction of --data held out for validation (default 0.1).") var givenSplit: Double?
    @Option(help: "Score by K-fold cross-validation on the training examples instead of held-out validation (small data sets).") var folds: Int?
    @Option(help: ArgumentHelp("Wall-clock budget: 90s, 5m, 1h (or seconds).", valueName: "time")) var budget: String?
    @Option(help: "Search this many candidates (the starting points included): an exact repeat with the same --seed.") var trials: Int?
    @Option(help: "What to maximise on validation: accuracy (default) or macro-f1.") var metric: String = TuneMetric.accuracy.rawValue
    @Option(help: ArgumentHelp("Families to search, comma-separated: learners, fasttext (neural presets are not searched yet).", valueName: "list"))
    var families: String = "learners,fasttext"
    @Option(help: "Random seed (split, folds, subsets, candidates, training; default 42).") var seed: UInt64 = 42
    @Option(help: "Test data, evaluated once with the winner at the end.") var test: String?
    @Option(help: "Save the winner into this model folder.") var save: String?
    @Option(help: ArgumentHelp("The session the trials are runs of (default: tune-<data file name>); created if new.", valueName: "name"))
    var session: String?
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var dir: SessionsDirOption

    /// `90s`, `5m`, `1h`, `1.5m` or plain seconds.
    static func parseDuration(_ text: String) throws -> TimeInterval {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        var scale = 1.0
        var number = Substring(t)
        if let last = t.last, "smh".contains(last) {
            scale = last == "s" ? 1 : last == "m" ? 60 : 3600
            number = t.dropLast()
        }
        guard let v = Double(number), v.isFinite, v > 0, v * scale <= 7 * 24 * 3600 else {
            throw ValidationError("--budget: '\(text)' is not a time such as 90s, 5m or 1h (at most a week)")
        }
        return v * scale
    }

    func validate() throws {
        if budget == nil && trials == nil { throw ValidationError("give --budget (e.g. 5m) or --trials N") }
        if let budget { _ = try Self.parseDuration(budget) }
        if let trials, trials < 1 { throw ValidationError("--trials must be at least 1, got \(trials)") }
        if let folds, folds < 2 || folds > 20 { throw ValidationError("--folds must be in 2...20, got \(folds)") }
        if folds != nil && (validation != nil || givenSplit != nil) {
            throw ValidationError("--folds scores on the training examples: give it without --validation or --split")
        }
        if validation != nil && givenSplit != nil { throw ValidationError("give --validation or --split, not both") }
        if let s = givenSplit, !(s > 0 && s < 1) { throw ValidationError("--split must be in (0, 1), got \(s)") }
        guard TuneMetric(rawValue: metric) != nil else { throw ValidationError("--metric: '\(metric)' is not accuracy or macro-f1") }
        let list: [TuneFamily]
        do { list = try TuneFamily.parseList(families) } catch { throw ValidationError("--families: \(error)") }
        if list.allSatisfy({ $0 == .neural }) {
            throw ValidationError("--families: neural presets are not searched yet; give learners and/or fasttext")
        }
    }

    var sessionName: String {
        if let session { return session }
        let stem = data.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? "data"
        let cleaned = String(stem.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        return "tune-" + (cleaned.isEmpty ? "data" : cleaned)
    }

    func run() async throws {
        let store = dir.store
        let name = sessionName
        let metric = TuneMetric(rawValue: metric) ?? .accuracy
        let families = try TuneFamily.parseList(families)
        if families.contains(.neural) { printError("notice: neural presets are not searched yet; searching \(families.filter { $0 != .neural }.map(\.rawValue).joined(separator: ", "))") }
        let testExamples = try test.map { try dataOptions.read($0) }
        let options = TuneOptions(metric: metric, folds: folds, budget: try budget.map(Self.parseDuration), candidates: trials)
        let stop = StopFlag()
        let stoppedBy: Int32? = try await withSessionManager(store) { manager in
            let signals = StopSignals { sig in
                stop.set()
                printError("\n\(StopSignals.name(sig)): stopping after the trial under way; the best so far is kept (send it again to quit at once)")
            }
            defer { signals.cancel() }
            let handle = try await openOrCreate(name, store: store, manager: manager)
            let record = await handle.record
            print("session '\(name)': \(record.engineRun.cursor.trainCount) training examples, "
                  + (folds.map { "\($0)-fold cross-validation on them" } ?? TrainCommand.validationText(record.dataset.validation))
                  + "; classes: \(record.labels.classes.joined(separator: ", "))")
            print("searching \(families.filter { $0 != .neural }.map(\.rawValue).joined(separator: ", ")) by \(metric.rawValue)"
                  + (options.budget.map { " for \(ProgressPrinter.duration($0))" } ?? "") + (trials.map { " (at most \($0) candidates)" } ?? "")
                  + ", seed \(seed)")
            let tuner = Tuner(handle: handle, space: TuneSearchSpace(families: families, seed: seed), options: options)
            let outcome = try await tuner.run(shouldStop: { stop.isSet }) { p in
                print(Self.line(p, metric: metric))
            }
            let failed = outcome.trials.filter { $0.failure != nil }.count
            print(String(format: "%d trials in %@ (%@)%@", outcome.trials.count, ProgressPrinter.duration(outcome.seconds), outcome.ended,
                         failed > 0 ? ", \(failed) failed" : ""))
            guard let winner = outcome.winner, let run = winner.run else {
                throw ValidationError("no trial on all training examples finished: give a longer --budget or more --trials")
            }
            print(String(format: "best: run %d, %@, validation %@ %.4f — now the session's current run", run, winner.recipe.spec,
                         metric.rawValue, winner.score ?? 0)
                  + (outcome.retrainedWinner ? " (trained again as the last run, the same recipe and seed)" : ""))
            if let testExamples {
                let report = try await handle.evaluate(examples: testExamples)
                print("\ntest (\(test ?? ""), \(testExamples.count) examples, evaluated once):")
                print(report.render(classNames: record.labels.classes))
            }
            if let save {
                try await handle.export(to: URL(fileURLWithPath: save))
                print("saved to \(save)")
            }
            return signals.received
        }
        if let sig = stoppedBy { throw ExitCode(128 + sig) }
    }

    /// The session to tune in: opened when it exists (built on the same data), else created
    /// from the options.
    private func openOrCreate(_ name: String, store: SessionStore, manager: SessionManager) async throws -> SessionHandle {
        if store.exists(name) {
            let handle = try await manager.open(name)
            let info = await handle.info
            for n in info.notices { printError("notice: \(n)") }
            if let data, URL(fileURLWithPath: data).standardizedFileURL.path != info.record.dataset.path {
                throw ValidationError("session '\(name)' was built on \(info.record.dataset.path); --data \(data) is another data set (give --session with a new name)")
            }
            if validation != nil || givenSplit != nil {
                printError("notice: session '\(name)' exists: its own validation examples are used (--validation / --split apply to a new session)")
            }
            return handle
        }
        guard let data else { throw ValidationError("--data is required to create session '\(name)'") }
        let (format, readOptions) = try dataOptions.resolved()
        let setup = SessionSetup(data: data, format: format, readOptions: readOptions,
                                 validation: folds != nil ? .none : validation.map { .file($0) } ?? .split(givenSplit ?? 0.1),
                                 model: .preset(.lstm), fit: FitConfig(epochs: TrainingOptions.defaultEpochs,
                                                                       batchSize: TrainingOptions.defaultBatchSize, seed: seed))
        let handle = try await manager.create(name, setup: setup)
        print("created session '\(name)' in \(store.root.appendingPathComponent(name).path)")
        return handle
    }

    /// One trial's line: what it fitted, its score, and where the search stands.
    static func line(_ p: TuneProgress, metric: TuneMetric) -> String {
        let t = p.trial
        var s = "trial \(t.number) "
        s += t.isFull ? "[all \(t.trainingExamples)" + (t.run.map { ", run \($0)" + (t.reused ? " (kept)" : "") } ?? "") + "]"
                      : "[rung \(t.rung), \(t.trainingExamples) examples]"
        s += " \(t.recipe.spec): "
        if let score = t.score { s += String(format: "%@ %.4f", metric.rawValue, score) } else { s += "failed: \(t.failure ?? "?")" }
        s += String(format: " (%.1fs)", t.seconds)
        if let b = p.best, let score = b.score { s += String(format: " · best %.4f (run %d)", score, b.run ?? 0) }
        if let left = p.secondsLeft { s += " · \(ProgressPrinter.duration(max(0, left))) left" }
        return s
    }
}

/// Set once by a signal handler, read between trials.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
