import ArgumentParser
import Dispatch
import Engine
import Foundation
import Learners
import Serving
import Sessions
import TextData

extension TrainCommand {
    /// `train --session NAME`: creates the session from the options, or continues it.
    ///
    /// SIGINT, SIGTERM and SIGHUP stop training at the next batch boundary with the progress
    /// saved (a learner, which trains in one go, finishes and is saved first); the command then
    /// exits with 128 + the signal (130, 143, 129) rather than 0, so a script can tell.
    func runSession(_ name: String) async throws {
        let store = sessionOptions.dir.store
        let recipe: LearnerRecipe?
        do { recipe = try LearnerRecipe.parse(modelChoice) } catch let e as LearnerError { throw ValidationError(e.description) }
        let stoppedBy: Int32? = try await withSessionManager(store) { manager in
            // Listening from the start: creating a session reads and encodes the data, and a
            // signal then must not end the process half way either.
            let signals = StopSignals { sig in
                printError("\n\(StopSignals.name(sig)): stopping at the next batch boundary with the progress saved; send it again to quit at once")
                Task {
                    do { try await manager.handle(name)?.stop() } catch {
                        printError("(the current run is a learner: it trains in one go, so it finishes and is saved first)")
                    }
                }
            }
            defer { signals.cancel() }
            if let recipe {
                try await trainLearnerRun(recipe, session: name, manager: manager, store: store, signals: signals)
                return signals.received
            }
            var additional: Int? = nil
            if store.exists(name) {
                let info = try await manager.open(name).info
                let record = info.record
                if let data, URL(fileURLWithPath: data).standardizedFileURL.path != record.dataset.path {
                    throw ValidationError("session '\(name)' was built on \(record.dataset.path); --data \(data) is another data set (create a new session to train on it)")
                }
                // The model of the run to train, when it is not the plan's: a new run.
                var newModel: (layers: [LayerSpec], loss: LossKind?)?
                if case let .learner(learner) = record.plan {
                    // Decided before anything is printed: see `afterLearnerRun`.
                    switch try afterLearnerRun(name, record: record, learner: learner) {
                    case .trainLearner:
                        for n in info.notices { printError("notice: \(n)") }
                        try await trainLearnerRun(learner, session: name, manager: manager, store: store, signals: signals, printNotices: false)
                        return signals.received
                    case let .newNeuralRun(layers, loss):
                        newModel = (layers, loss)
                    }
                } else if let model {
                    newModel = try Self.modelChange(model, from: record)
                }
                if let choice = try embeddingsChoice() {
                    // The vectors go into a new run's first weights: the plan's model (or
                    // --model's) with the file on its first Embedding layer.
                    let base = newModel ?? (record.neuralPlan.model.layers, record.neuralPlan.model.loss)
                    do {
                        let layers = try PretrainedEmbeddings.layers(base.layers, file: choice.file, freeze: choice.freeze)
                        let current = record.neuralPlan.model
                        let same = layers == current.layers && base.loss == current.loss
                        newModel = same ? nil : (layers, base.loss)
                    } catch let e as SessionError { throw ValidationError("--embeddings: \(e)") }
                }
                try SessionContinuation(self, info: info, newModel: newModel != nil).check()
                let update = try await trainingUpdate(name, plan: record.neuralPlan, manager: manager)
                if let newModel {
                    let before = record.currentRun
                    do { try await manager.open(name).changeModel(layers: newModel.layers, loss: newModel.loss) } catch let e as SessionError {
                        throw ValidationError("--model: \(e)")
                    }
                    print("session '\(name)': run \(before.id) was \(before.summary); run \(record.nextNeuralRunID) trains \(model == nil ? newModel.layers.map(\.label).joined(separator: " → ") : modelChoice) from fresh weights")
                }
                for n in info.notices { printError("notice: \(n)") }
                additional = epochs
                if let a = sessionOptions.autosaveEvery { try await manager.open(name).updateTraining(autosaveEvery: a) }
                if !update.flags.isEmpty {
                    // Recorded in the run they apply to.
                    do { try await manager.open(name).updateTraining(optimizer: update.optimizer, fit: update.fit) } catch let e as SessionError {
                        throw ValidationError("\(update.flags.joined(separator: ", ")): \(e)")
                    }
                }
                let current = try await manager.info(name)
                let r = current.record, run = r.engineRun
                let plan = r.plan.neuralSettings ?? run.plan
                let runID: Int
                if plan.model == run.model && r.engineRunIndex == r.runs.count - 1 && run.hasTrained {
                    runID = r.engineRunID
                    print("session '\(name)' (\(store.root.appendingPathComponent(name).path)): run \(runID), \(current.epochsCompleted) of \(run.fit.epochs) epochs done"
                          + (current.batchInEpoch > 0 ? ", \(current.batchInEpoch) batches into the next" : ""))
                } else {
                    runID = r.nextNeuralRunID
                    print("session '\(name)' (\(store.root.appendingPathComponent(name).path)): run \(runID) begins, \(plan.fit.epochs) epochs planned")
                }
                print("data: \(r.dataset.path) (\(r.dataset.hash))")
                print("model: \(plan.model.summary); optimizer: \(plan.optimizer.summary), batch \(plan.fit.batchSize)"
                      + (plan.fit.classWeights.map { "; class weights \(ClassWeight.summary($0, classes: r.labels.classes))" } ?? ""))
                if let callbacks = plan.fit.callbacks { print("callbacks: \(callbacks.summary)") }
                if embeddings != nil { try Self.printEmbeddingCoverage(r, model: plan.model) }
                if !update.flags.isEmpty { print("changed for run \(runID): \(update.flags.joined(separator: ", "))") }
            } else {
                let setup = try sessionSetup()
                let info = try await manager.create(name, setup: setup).info
                // Read again for the warnings: the split no longer has the file's first row first.
                if let data, let examples = try? dataOptions.read(data) { dataOptions.printWarnings(for: examples, path: data) }
                let record = info.record
                print("created session '\(name)' in \(store.root.appendingPathComponent(name).path)")
                let run = record.engineRun
                print("data: \(record.dataset.path), \(run.cursor.trainCount) training examples (\(Self.validationText(record.dataset.validation))); classes: \(record.labels.classes.joined(separator: ", "))")
                print("tokens: \(text.tokenizer), vocabulary \(record.tokenizer.vocabularySize) (ids below \(run.model.vocabularySize) kept), length \(record.maxLength)")
                try Self.printEmbeddingCoverage(record, model: run.model)
                if let model = try? Sequential(spec: run.model, seed: 0) { print(model.summary()) }
                print("optimizer: \(run.optimizer.summary), batch \(run.fit.batchSize), \(run.fit.epochs) epochs, seed \(run.fit.seed); autosave every \(record.autosaveEvery) batches")
                if let w = run.fit.classWeights { print("class weights: \(ClassWeight.summary(w, classes: record.labels.classes))") }
                if let callbacks = run.fit.callbacks { print("callbacks: \(callbacks.summary)") }
            }
            if let sig = signals.received {
                print("not training: \(StopSignals.name(sig)) arrived before training started")
                return sig
            }

            let before = try await manager.info(name)
            // A plan with another model than the engine's run begins a new run at 0 epochs.
            let r = before.record
            let continues = r.plan.neuralSettings?.model == r.engineRun.model && r.engineRunIndex == r.runs.count - 1 && r.engineRun.hasTrained
            let done = continues ? before.epochsCompleted : 0
            // Saturating: the manager refuses a total over Limits.maxEpochs below.
            let planned = additional.map { done.addingReportingOverflow($0).overflow ? Int.max : done + $0 }
                ?? (continues ? r.engineRun.fit.epochs : r.plan.neuralSettings?.fit.epochs ?? r.engineRun.fit.epochs)
            if done >= planned {
                print("nothing to train: \(done) of \(planned) epochs done (--epochs N trains N more)")
                return nil
            }
            // Events from here on: the job's start, its batches and epochs, and its end.
            let events = manager.events()
            try await manager.open(name).train(additionalEpochs: additional)
            // A signal that came while the job was being queued asked to stop an idle session.
            if signals.received != nil { try? await manager.open(name).stop() }
            var progress = ProgressPrinter(epochs: planned)
            var seenActive = false
            loop: for await event in events {
                guard event.session == name else { continue }
                switch event {
                case let .batch(_, _, p): progress.handle(.batchEnd(p))
                case let .epoch(_, _, e): progress.handle(.epochEnd(e))
                case let .warning(_, message): printError("warning: \(message)")
                case let .status(_, status):
                    if status.isActive { seenActive = true } else if seenActive { break loop }
                default: break
                }
            }
            let info = try await manager.info(name)
            switch info.status {
            case .finished:
                try await reportAndSave(name, manager: manager, classes: info.record.labels.classes)
            case .idle:
                print("stopped at epoch \(info.epochsCompleted + 1), batch \(info.batchInEpoch) (step \(info.step)); progress saved. Continue with: workbench train --session \(name)")
            case .paused:
                try await manager.open(name).stop()
                throw ValidationError("training paused (see the warning above); the last good state is saved in session '\(name)'")
            case let .failed(reason):
                throw ValidationError("training failed: \(reason)")
            case .queued, .training:
                break
            }
            return signals.received
        }
        if let sig = stoppedBy { throw ExitCode(128 + sig) }
    }

    /// What `train --session NAME` does when the session's current run is a learner.
    enum AfterLearnerRun {
        /// The learner run never finished (its process ended mid-fit): train it now.
        case trainLearner
        /// `--model PRESET` or a spec file: a new neural run with that model.
        case newNeuralRun([LayerSpec], loss: LossKind?)
    }

    /// Without `--model`, a trained learner run is refused rather than followed by a neural
    /// run. `train --session NAME` means "carry on with this session's training", and a
    /// learner has nothing to carry on: it trained in one go and has no epochs. Starting a
    /// neural run instead would throw away nothing but would train a model the user never
    /// chose (a session created by a learner run got the lstm preset by default) on a
    /// command that did not name one; so the message says how to ask for one explicitly.
    func afterLearnerRun(_ name: String, record: SessionRecord, learner: LearnerRecipe) throws -> AfterLearnerRun {
        let run = record.currentRun
        let classes = record.labels.count
        let trained: Bool = { if case let .learner(l) = run.kind { return l.recipe == learner && l.result != nil } else { return false } }()
        let presets = ModelPreset.allCases.map(\.rawValue).joined(separator: ", ")
        if let model {
            // A learner recipe never gets here (`trainLearnerRun` takes it).
            guard ModelPreset(rawValue: model) != nil || FileManager.default.fileExists(atPath: model) else {
                throw ValidationError("--model '\(model)' is neither a preset (\(presets)), a learner, nor a file")
            }
            let (layers, loss) = try Self.neuralModel(model).layers(classes: classes)
            return .newNeuralRun(layers, loss: loss)
        }
        if !trained && epochs == nil { return .trainLearner }
        let what = trained ? "is trained (a learner trains in one go, not in epochs): there is nothing to continue"
                                  : "trains in one go, not in epochs: --epochs does not apply"
        throw ValidationError("""
            session '\(name)': the current run (run \(run.id)) is a \(learner.kind.title) (\(learner.spec)), which \(what).
            To train a neural model as a new run: workbench train --session \(name) --model PRESET (\(presets), or a JSON spec file) [--epochs N]
            To train another learner: workbench train --session \(name) --model \(LearnerKind.allCases.map(\.rawValue).joined(separator: "|"))[:settings]
            """)
    }

    /// `train --session NAME --model svm|…`: creates the session if needed (its neural
    /// model is the lstm preset, for later), makes the learner the plan and trains it as a
    /// new run.
    private func trainLearnerRun(_ recipe: LearnerRecipe, session name: String, manager: SessionManager, store: SessionStore,
                                 signals: StopSignals, printNotices: Bool = true) async throws {
        if store.exists(name) {
            let info = try await manager.open(name).info
            if printNotices { for n in info.notices { printError("notice: \(n)") } }
            if let data, URL(fileURLWithPath: data).standardizedFileURL.path != info.record.dataset.path {
                throw ValidationError("session '\(name)' was built on \(info.record.dataset.path); --data \(data) is another data set (create a new session to train on it)")
            }
            // The session's data, split, tokenizer and seed hold for its learner runs too.
            try SessionContinuation(self, info: info, newModel: true, learner: true).check()
            print("session '\(name)' (\(store.root.appendingPathComponent(name).path)): \(info.record.runs.count) run(s) so far")
        } else {
            var setup = try sessionSetup(model: ModelPreset.lstm.rawValue)
            setup.fit.epochs = epochs ?? 3
            let info = try await manager.create(name, setup: setup).info
            // Read again for the warnings: the split no longer has the file's first row first.
            if let data, let examples = try? dataOptions.read(data) { dataOptions.printWarnings(for: examples, path: data) }
            print("created session '\(name)' in \(store.root.appendingPathComponent(name).path)")
            print("data: \(info.record.dataset.path), \(info.record.engineRun.cursor.trainCount) training examples (\(Self.validationText(info.record.dataset.validation))); classes: \(info.record.labels.classes.joined(separator: ", "))")
        }
        if let sig = signals.received {
            print("not training: \(StopSignals.name(sig)) arrived before training started")
            return
        }
        print("training \(recipe.kind.title) (\(recipe.spec))…")
        let started = Date()
        try await manager.open(name).useLearner(recipe: recipe)
        let events = manager.events()
        try await manager.open(name).train()
        var seenActive = false   // statuses from before the job (the new run's idle) may still be queued
        loop: for await event in events where event.session == name {
            switch event {
            case let .warning(_, message): printError("warning: \(message)")
            case let .status(_, status):
                if status.isActive { seenActive = true } else if seenActive { break loop }
            default: break
            }
        }
        let info = try await manager.info(name)
        if case let .failed(reason) = info.status { throw ValidationError("training \(recipe.spec) failed: \(reason)") }
        if case let .learner(l) = info.record.currentRun.kind, let summary = l.result {
            print(String(format: "run %d trained in %.2f s: train accuracy %.4f", info.record.currentRun.id, Date().timeIntervalSince(started), summary.accuracy)
                  + (summary.validationAccuracy.map { String(format: ", validation accuracy %.4f", $0) } ?? ""))
        }
        try await reportAndSave(name, manager: manager, classes: info.record.labels.classes)
    }

    /// After training: the validation report, and the model folder when --save asks for one.
    private func reportAndSave(_ name: String, manager: SessionManager, classes: [String]) async throws {
        if let report = try await manager.open(name, readOnly: true).validationReport() {
            print("\nvalidation (\(report.perClass.reduce(0) { $0 + $1.support }) examples):")
            print(report.render(classNames: classes))
        }
        if let save {
            try await manager.open(name, readOnly: true).export(to: URL(fileURLWithPath: save))
            print("saved to \(save)")
        }
    }

    static func validationText(_ v: ValidationSource) -> String {
        switch v {
        case .none: return "no validation"
        case let .split(f, _): return "\(Int((f * 100).rounded()))% held out for validation"
        case let .file(path, _, _, n): return "\(n) validation examples from \(path)"
        }
    }

    /// `--model` given on an existing session whose current run is neural: the layers and loss
    /// of a new run when they differ from the current run's, nil when it names the same model.
    static func modelChange(_ model: String, from record: SessionRecord) throws -> (layers: [LayerSpec], loss: LossKind?)? {
        let (layers, loss) = try neuralModel(model).layers(classes: record.labels.count)
        let current = record.neuralPlan.model
        let asked = ModelSpec(inputLength: current.inputLength, vocabularySize: current.vocabularySize, layers: layers, loss: loss)
        return asked == current ? nil : (layers, loss)
    }

    /// What the training options given change in a continued run's settings.
    struct TrainingUpdate {
        var optimizer: OptimizerSpec?
        var fit: FitConfig?
        /// The options that make the change, for the line saying so.
        var flags: [String]
    }

    /// The settings the training options given (optimiser, schedule, momentum, batch size,
    /// class weights…) make of `run`'s: nil for those that stay. Computed before anything
    /// changes, so that a mistake in them leaves the session as it was; a new run started by
    /// `--model` takes the same settings (it inherits the current run's).
    func trainingUpdate(_ name: String, plan run: NeuralPlan, manager: SessionManager) async throws -> TrainingUpdate {
        let given = training.givenSettingFlags
        guard !given.isEmpty else { return TrainingUpdate(flags: []) }
        var settings = try training.settings(over: .init(optimizer: run.optimizer, fit: run.fit))
        if let choice = try training.classWeightChoice() {
            let classes = try await manager.info(name).record.labels.classes
            let train = try await manager.open(name, readOnly: true).examples().train
            settings.fit.classWeights = try choice.weights(classes: classes, trainLabels: train.map(\.label))
        }
        let optimizer = settings.optimizer != run.optimizer ? settings.optimizer : nil
        let fit = settings.fit != run.fit ? settings.fit : nil
        return TrainingUpdate(optimizer: optimizer, fit: fit, flags: optimizer == nil && fit == nil ? [] : given)
    }

    /// The new session's setup from the command's options.
    func sessionSetup(model: String? = nil) throws -> SessionSetup {
        guard let data else { throw ValidationError("--data is required to create a new session") }
        let (format, options) = try dataOptions.resolved()
        let settings = try training.settings()
        var setup = SessionSetup(data: data, format: format, readOptions: options,
                                 validation: validation.map { .file($0) } ?? .split(split),
                                 tokenizer: try text.makeTokenizer(), maxLength: text.maxLength,
                                 model: try Self.neuralModel(model ?? modelChoice),
                                 optimizer: settings.optimizer, fit: settings.fit,
                                 autosaveEvery: sessionOptions.autosaveEvery ?? 100)
        setup.classWeight = try classWeightChoice()
        setup.embeddings = try embeddingsChoice()
        return setup
    }

    /// The coverage of each Embedding layer's pretrained vectors against the session's
    /// vocabulary (the file read again: the run's weights already hold the vectors).
    static func printEmbeddingCoverage(_ record: SessionRecord, model: ModelSpec) throws {
        guard model.layers.contains(where: { if case .embedding(_, _, _, _?) = $0 { return true } else { return false } }) else { return }
        var config = record.classifierConfig
        config.model = model
        for report in try PretrainedEmbeddings.apply(to: try TextClassifier(config: config, seed: 0)) {
            print("pretrained vectors: \(report.summary)")
        }
    }
}

extension EvalCommand {
    func evaluateSession(_ name: String) async throws {
        let store = sessionOptions.dir.store
        let examples = try dataOptions.read(data)
        let (report, classes) = try await withSessionManager(store) { manager in
            try await manager.open(name, readOnly: true).useCheckpoint(sessionOptions.checkpoint)
            let info = try await manager.open(name, readOnly: true).info
            let classes = info.record.labels.classes
            let known = Set(classes)
            if examples.contains(where: { !known.contains($0.label) }) {
                try dataOptions.checkLabels(data, known: classes)
            }
            return (try await manager.open(name, readOnly: true).evaluate(examples: examples, run: sessionOptions.run), classes)
        }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
        } else {
            print("\(data): \(examples.count) examples (session '\(name)')")
            print(report.render(classNames: classes))
        }
    }
}

extension PredictCommand {
    func predictSession(_ name: String) async throws {
        let store = sessionOptions.dir.store
        var inputs = texts
        if inputs.isEmpty {
            while let line = readLine() { inputs.append(line) }
        }
        let texts = inputs
        let explain = explain
        let run = sessionOptions.run, checkpoint = sessionOptions.checkpoint
        let (predictions, attributions) = try await withSessionManager(store) { manager in
            let handle = try await manager.open(name, readOnly: true)
            await handle.useCheckpoint(checkpoint)
            let predictions = try await handle.predict(texts: texts, run: run)
            guard explain else { return (predictions, [TokenAttribution]()) }
            // Explanations come from the console's run: make it the one asked for.
            try await handle.useInConsole(run: run)
            var attributions: [TokenAttribution] = []
            for text in texts {
                guard let a = try await handle.explain(text: text) else { throw SessionError.invalidSetting(field: "explain", reason: "overtaken") }
                attributions.append(a)
            }
            return (predictions, attributions)
        }
        if explain {
            for (p, a) in zip(predictions, attributions) {
                try printExplained(text: p.text, label: p.label, classes: p.classes, probabilities: p.probabilities, attribution: a)
            }
            return
        }
        for p in predictions {
            if json {
                print(try ServeJSON.line(ServeJSON.prediction(text: p.text, label: p.label, classes: p.classes, probabilities: p.probabilities)))
            } else {
                let ps = zip(p.classes, p.probabilities).map { String(format: "%@ %.3f", $0 as NSString, $1) }.joined(separator: "  ")
                print("\(p.label)\t\(ps)\t\(p.text)")
            }
        }
    }
}
