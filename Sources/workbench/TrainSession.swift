import ArgumentParser
import Dispatch
import Engine
import Foundation
import Learners
import Sessions
import TextData

extension TrainCommand {
    /// `train --session NAME`: creates the session from the options, or continues it.
    func runSession(_ name: String) async throws {
        let store = sessionOptions.dir.store
        let recipe: LearnerRecipe?
        do { recipe = try LearnerRecipe.parse(model) } catch let e as LearnerError { throw ValidationError(e.description) }
        try await withSessionManager(store) { manager in
            let events = await manager.events()
            if let recipe {
                try await trainLearnerRun(recipe, session: name, manager: manager, store: store, events: events)
                return
            }
            var additional: Int? = nil
            if store.exists(name) {
                let info = try await manager.open(name)
                for n in info.notices { printError("notice: \(n)") }
                let record = info.record
                if let data, URL(fileURLWithPath: data).standardizedFileURL.path != record.dataset.path {
                    throw ValidationError("session '\(name)' was built on \(record.dataset.path); --data \(data) is another data set (create a new session to train on it)")
                }
                additional = epochs
                if let a = sessionOptions.autosaveEvery { try await manager.updateTraining(name, autosaveEvery: a) }
                let run = record.currentRun
                print("session '\(name)' (\(store.root.appendingPathComponent(name).path)): run \(run.id), \(info.epochsCompleted) of \(run.fit.epochs) epochs done"
                      + (info.batchInEpoch > 0 ? ", \(info.batchInEpoch) batches into the next" : ""))
                print("data: \(record.dataset.path) (\(record.dataset.hash))")
                print("model: \(run.model.layers.map(\.label).joined(separator: " → ")); optimizer: \(run.optimizer.summary)")
                print("(a session keeps its data, tokenizer, model and settings: options other than --epochs and --autosave-every apply when it is created)")
            } else {
                let setup = try sessionSetup()
                let info = try await manager.create(name, setup: setup)
                let record = info.record
                print("created session '\(name)' in \(store.root.appendingPathComponent(name).path)")
                print("data: \(record.dataset.path), \(record.currentRun.cursor.trainCount) training examples (\(Self.validationText(record.dataset.validation))); classes: \(record.labels.classes.joined(separator: ", "))")
                print("tokens: \(text.tokenizer), vocabulary \(record.tokenizer.vocabularySize) (ids below \(record.model.vocabularySize) kept), length \(record.maxLength)")
                if let model = try? Sequential(spec: record.model, seed: 0) { print(model.summary()) }
                let run = record.currentRun
                print("optimizer: \(run.optimizer.summary), batch \(run.fit.batchSize), \(run.fit.epochs) epochs, seed \(run.fit.seed); autosave every \(record.autosaveEvery) batches")
            }

            // Ctrl-C stops at the next batch boundary with the progress saved; a second one quits.
            signal(SIGINT, SIG_IGN)
            let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
            interrupt.setEventHandler {
                printError("\nstopping at the next batch (progress is saved); Ctrl-C again to quit at once")
                signal(SIGINT, SIG_DFL)
                Task { try? await manager.stop(name) }
            }
            interrupt.resume()
            defer { interrupt.cancel(); signal(SIGINT, SIG_DFL) }

            let before = try await manager.info(name)
            // Saturating: the manager refuses a total over Limits.maxEpochs below.
            let planned = additional.map { before.epochsCompleted.addingReportingOverflow($0).overflow ? Int.max : before.epochsCompleted + $0 }
                ?? before.record.currentRun.fit.epochs
            if before.epochsCompleted >= planned {
                print("nothing to train: \(before.epochsCompleted) of \(planned) epochs done (--epochs N trains N more)")
                return
            }
            // Events from here on: the job's start, its batches and epochs, and its end.
            try await manager.train(name, additionalEpochs: additional)
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
                try await manager.stop(name)
                throw ValidationError("training paused (see the warning above); the last good state is saved in session '\(name)'")
            case let .failed(reason):
                throw ValidationError("training failed: \(reason)")
            case .queued, .training:
                break
            }
        }
    }

    /// `train --session NAME --model svm|…`: creates the session if needed (its neural
    /// model is the lstm preset, for later), then trains the learner as a new run.
    private func trainLearnerRun(_ recipe: LearnerRecipe, session name: String, manager: SessionManager, store: SessionStore,
                                 events: AsyncStream<SessionEvent>) async throws {
        if store.exists(name) {
            let info = try await manager.open(name)
            for n in info.notices { printError("notice: \(n)") }
            if let data, URL(fileURLWithPath: data).standardizedFileURL.path != info.record.dataset.path {
                throw ValidationError("session '\(name)' was built on \(info.record.dataset.path); --data \(data) is another data set (create a new session to train on it)")
            }
            print("session '\(name)' (\(store.root.appendingPathComponent(name).path)): \(info.record.runs.count) run(s) so far")
        } else {
            var setup = try sessionSetup(model: "lstm")
            setup.fit.epochs = epochs ?? 3
            let info = try await manager.create(name, setup: setup)
            print("created session '\(name)' in \(store.root.appendingPathComponent(name).path)")
            print("data: \(info.record.dataset.path), \(info.record.currentRun.cursor.trainCount) training examples (\(Self.validationText(info.record.dataset.validation))); classes: \(info.record.labels.classes.joined(separator: ", "))")
        }
        print("training \(recipe.kind.title) (\(recipe.spec))…")
        let started = Date()
        let run = try await manager.useLearner(name, recipe: recipe)
        try await manager.train(name)
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
        if let summary = info.record.runs.last(where: { $0.id == run })?.cursor.history.last {
            print(String(format: "run %d trained in %.2f s: train accuracy %.4f", run, Date().timeIntervalSince(started), summary.accuracy)
                  + (summary.validationAccuracy.map { String(format: ", validation accuracy %.4f", $0) } ?? ""))
        }
        try await reportAndSave(name, manager: manager, classes: info.record.labels.classes)
    }

    /// After training: the validation report, and the model folder when --save asks for one.
    private func reportAndSave(_ name: String, manager: SessionManager, classes: [String]) async throws {
        if let report = try await manager.validationReport(name) {
            print("\nvalidation (\(report.perClass.reduce(0) { $0 + $1.support }) examples):")
            print(report.render(classNames: classes))
        }
        if let save {
            try await manager.export(name, to: URL(fileURLWithPath: save))
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

    /// The new session's setup from the command's options.
    func sessionSetup(model: String? = nil) throws -> SessionSetup {
        let model = model ?? self.model
        guard let data else { throw ValidationError("--data is required to create a new session") }
        guard let kind = OptimizerSpec.Kind(rawValue: optimizer) else {
            throw ValidationError("unknown optimizer '\(optimizer)' (adam, adamw, sgd, rmsprop)")
        }
        var opt = OptimizerSpec(kind: kind, learningRate: learningRate)
        opt.globalClipNorm = clipNorm
        var format: DatasetFormat? = nil
        if let f = dataOptions.format {
            guard let parsed = DatasetFormat(rawValue: f) else {
                throw ValidationError("unknown format '\(f)' (\(DatasetFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            format = parsed
        }
        let options = ReadOptions(textColumn: dataOptions.textColumn.map(ReadOptions.Column.init(parsing:)),
                                  labelColumn: dataOptions.labelColumn.map(ReadOptions.Column.init(parsing:)),
                                  hasHeader: dataOptions.header, textKey: dataOptions.textKey, labelKey: dataOptions.labelKey)
        let modelChoice: SessionSetup.Model
        if let preset = ModelPreset(rawValue: model) {
            modelChoice = .preset(preset)
        } else if FileManager.default.fileExists(atPath: model) {
            let spec = try TrainCommand.loadSpec(model, inputLength: text.maxLength, vocabularySize: text.vocabSize)
            modelChoice = .layers(spec.layers, loss: spec.loss)
        } else {
            throw ValidationError("--model '\(model)' is neither a preset (\(ModelPreset.allCases.map(\.rawValue).joined(separator: ", "))) nor a file")
        }
        return SessionSetup(data: data, format: format, readOptions: options,
                            validation: validation.map { .file($0) } ?? .split(split),
                            tokenizer: try text.makeTokenizer(), maxLength: text.maxLength, model: modelChoice,
                            optimizer: opt, fit: FitConfig(epochs: epochs ?? 3, batchSize: batchSize, seed: seed),
                            autosaveEvery: sessionOptions.autosaveEvery ?? 100)
    }
}

extension EvalCommand {
    func evaluateSession(_ name: String) async throws {
        let store = sessionOptions.dir.store
        let examples = try dataOptions.read(data)
        let (report, classes) = try await withSessionManager(store) { manager in
            let info = try await manager.open(name, readOnly: true)
            let classes = info.record.labels.classes
            let known = Set(classes)
            if examples.contains(where: { !known.contains($0.label) }) {
                try dataOptions.checkLabels(data, known: classes)
            }
            return (try await manager.evaluate(name, examples: examples, run: sessionOptions.run), classes)
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
        let predictions = try await withSessionManager(store) { manager in
            try await manager.open(name, readOnly: true)
            return try await manager.predict(name, texts: texts, run: sessionOptions.run)
        }
        for p in predictions {
            if json {
                let obj: [String: Any] = ["text": p.text, "label": p.label,
                                          "probabilities": Dictionary(uniqueKeysWithValues: zip(p.classes, p.probabilities.map(Double.init)))]
                print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
            } else {
                let ps = zip(p.classes, p.probabilities).map { String(format: "%@ %.3f", $0 as NSString, $1) }.joined(separator: "  ")
                print("\(p.label)\t\(ps)\t\(p.text)")
            }
        }
    }
}
