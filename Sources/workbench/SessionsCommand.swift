import ArgumentParser
import Engine
import Foundation
import Sessions

/// `workbench sessions list|show|runs|rm|export`.
struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List, inspect, remove and export training sessions.",
        discussion: "Sessions live in --sessions-dir, else $\(SessionStore.environmentVariable), else ./Sessions.",
        subcommands: [List.self, Show.self, Runs.self, Remove.self, Export.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per session: status, data set, model, epochs, best validation accuracy, last change.")
        @OptionGroup var dir: SessionsDirOption

        func run() async throws {
            let store = dir.store
            let listings = try await withSessionManager(store) { try await $0.list() }
            if listings.isEmpty {
                print("no sessions in \(store.root.path)")
                return
            }
            let rows: [[String]] = listings.map { l in
                guard l.record != nil else {
                    return [l.name, "error", l.problem ?? "", "", "", "", ""]
                }
                var status = l.status?.label ?? "?"
                if l.isLocked { status += l.lockedBy.map { " (pid \($0))" } ?? " (locked)" }
                let epochs = l.epochsCompleted.map { "\($0)/\(l.plannedEpochs ?? 0)" } ?? "-"
                let best = l.bestValidationAccuracy.map { String(format: "%.4f", $0) } ?? "-"
                return [l.name, status, Self.shortPath(l.datasetPath ?? ""), l.modelSummary ?? "", epochs, best, l.modified.map(Self.date) ?? ""]
            }
            let header = ["NAME", "STATUS", "DATA", "MODEL", "EPOCHS", "BEST VAL", "MODIFIED"]
            print(Self.table([header] + rows))
        }

        static func shortPath(_ p: String) -> String {
            let cwd = FileManager.default.currentDirectoryPath + "/"
            return p.hasPrefix(cwd) ? String(p.dropFirst(cwd.count)) : p
        }

        static func date(_ d: Date) -> String {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.dateFormat = "yyyy-MM-dd HH:mm"
            return f.string(from: d)
        }

        /// Columns padded to their widest cell (the last column is not padded).
        static func table(_ rows: [[String]]) -> String {
            let n = rows.map(\.count).max() ?? 0
            var widths = [Int](repeating: 0, count: n)
            for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
            return rows.map { r in
                r.enumerated().map { i, c in i == r.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
            }.joined(separator: "\n")
        }
    }

    struct Runs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A session's runs ranked by validation accuracy: the leaderboard.",
            discussion: "Neural runs and learner runs (train --session NAME --model svm|logreg|nb|tree|forest|fasttext) side by side.")
        @Argument(help: "The session.") var name: String
        @Flag(help: "Print JSON instead of the table.") var json = false
        @OptionGroup var dir: SessionsDirOption

        func run() async throws {
            let store = dir.store
            let standings = try await withSessionManager(store) { try await $0.open(name, readOnly: true).leaderboard() }
            if json {
                let rows: [[String: Any]] = standings.enumerated().map { i, r in
                    var o: [String: Any] = ["rank": i + 1, "run": r.run, "model": r.model, "learner": r.epochs == nil, "epochs": r.epochs ?? 0,
                                            "training_seconds": r.trainingSeconds, "current": r.isCurrent, "has_model": r.canOpen]
                    if let v = r.validationAccuracy { o["validation_accuracy"] = Double(v) }
                    if let v = r.trainAccuracy { o["train_accuracy"] = Double(v) }
                    return o
                }
                let data = try JSONSerialization.data(withJSONObject: ["session": name, "runs": rows], options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            let rows: [[String]] = standings.enumerated().map { i, r in
                let validation: String = r.validationAccuracy.map { String(format: "%.4f", $0) } ?? "-"
                let train: String = r.trainAccuracy.map { String(format: "%.4f", $0) } ?? "-"
                let epochs: String = r.epochs.map { "\($0)" } ?? "-"
                return ["\(i + 1)", "\(r.run)\(r.isCurrent ? "*" : "")", r.model, validation, train, epochs,
                        String(format: "%.1f", r.trainingSeconds), r.canOpen ? "yes" : "no"]
            }
            print(List.table([["RANK", "RUN", "MODEL", "VAL ACC", "TRAIN ACC", "EPOCHS", "SECONDS", "KEPT"]] + rows))
            print("(* the current run; KEPT: its model is on disk, so the console can use it)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A session's data set, tokenizer, model, settings, runs and history.")
        @Argument(help: "The session.") var name: String
        @OptionGroup var dir: SessionsDirOption

        func run() async throws {
            let store = dir.store
            let (info, history) = try await withSessionManager(store) { m in
                (try await m.info(name), try store.history(name))
            }
            for n in history.notices { printError("warning: \(n)") }
            let r = info.record
            let lock = store.lockHolder(name)
            print("session '\(r.name)' — \(info.status)\(lock.held ? " (in use by process \(lock.pid.map(String.init) ?? "?"))" : "")")
            print("  folder:     \(store.root.appendingPathComponent(name).path)")
            print("  id:         \(r.id)")
            print("  created:    \(r.created), modified \(r.modified); schema \(r.schemaVersion); checkpoint \(r.checkpoint), autosave every \(r.autosaveEvery) batches")
            print("  data:       \(r.dataset.path) [\(r.dataset.format.rawValue)], \(r.dataset.examples) examples, \(r.dataset.hash)")
            print("  validation: \(TrainCommand.validationText(r.dataset.validation))")
            print("  tokenizer:  \(r.tokenizer.kind.rawValue), vocabulary \(r.tokenizer.vocabularySize) tokens (\(r.engineRun.model.vocabularySize) ids kept), length \(r.maxLength), padding \(r.padding.rawValue), truncating \(r.truncating.rawValue)")
            print("  labels:     \(r.labels.classes.joined(separator: ", "))")
            for run in r.runs {
                switch run.kind {
                case let .learner(l):
                    print("\nrun \(run.id) (started \(run.started)): \(l.recipe.kind.title) (\(l.recipe.spec)), seed \(l.seed)")
                    let file = RunFiles.learnerURL(in: store.root.appendingPathComponent(name), run: run.id)
                    let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? nil
                    print("  model:      " + (size.map { "\(file.path) (\($0) bytes)" } ?? "not trained"))
                    if let res = l.result {
                        var line = String(format: "  result     loss %.4f  accuracy %.4f", res.loss, res.accuracy)
                        if let vl = res.validationLoss, let va = res.validationAccuracy { line += String(format: "  val_loss %.4f  val_accuracy %.4f", vl, va) }
                        print(line + String(format: "  %.1fs", res.seconds))
                    }
                case let .neural(n):
                    let c = n.cursor
                    print("\nrun \(run.id) (started \(run.started)): \(n.model.summary), loss \(n.model.loss.rawValue)")
                    if let model = try? Sequential(spec: n.model, seed: 0) { print("  parameters: \(model.parameterCount)") }
                    print("  optimizer:  \(n.optimizer.summary); batch \(n.fit.batchSize), \(n.fit.epochs) epochs planned, seed \(n.fit.seed), shuffle \(n.fit.shuffle)")
                    if let w = n.fit.classWeights { print("  weights by class: \(ClassWeight.summary(w, classes: r.labels.classes))") }
                    for change in n.changes {
                        print("  from step \(change.step): \(change.optimizer.summary); batch \(change.fit.batchSize), \(change.fit.epochs) epochs planned")
                    }
                    print("  cursor:     \(c.epochsCompleted) epochs done, batch \(c.batchInEpoch) of the next, step \(c.step)")
                    if run.id != r.engineRunID {
                        let kept = FileManager.default.fileExists(atPath: RunFiles.weightsURL(in: store.root.appendingPathComponent(name), run: run.id).path)
                        print("  weights:    " + (kept ? "kept in runs/" : "not kept (from before runs were kept)"))
                    }
                    for e in c.history {
                        var line = String(format: "  epoch %3d  loss %.4f  accuracy %.4f", e.epoch, e.loss, e.accuracy)
                        if let vl = e.validationLoss, let va = e.validationAccuracy { line += String(format: "  val_loss %.4f  val_accuracy %.4f", vl, va) }
                        line += String(format: "  %.1fs", e.seconds)
                        print(line)
                    }
                }
                let steps = history.records.filter { $0.run == run.id && $0.kind == .step }
                if let first = steps.first, let last = steps.last {
                    print("  history:    \(steps.count) step records (steps \(first.step)–\(last.step)), last loss \(String(format: "%.4f", last.loss))")
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a session folder (refused while another process uses it).")
        @Argument(help: "The session.") var name: String
        @OptionGroup var dir: SessionsDirOption

        func run() async throws {
            try await withSessionManager(dir.store) { try await $0.delete(name) }
            print("removed session '\(name)'")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a session's model (its last checkpoint) as a model folder that --model-dir reads.")
        @Argument(help: "The session.") var name: String
        @Argument(help: "The folder to write.") var folder: String
        @Option(name: .customLong("run"), help: "Export this run's model (see `sessions runs`) instead of the current one.")
        var runNumber: Int?
        @Option(help: CheckpointChoice.help) var checkpoint: CheckpointChoice?
        @OptionGroup var dir: SessionsDirOption

        func run() async throws {
            try await withSessionManager(dir.store) { m in
                try await m.open(name, readOnly: true).useCheckpoint(checkpoint)
                try await m.open(name, readOnly: true).export(to: URL(fileURLWithPath: folder), run: runNumber)
            }
            print("exported session '\(name)'\(runNumber.map { " run \($0)" } ?? "") to \(folder) (use it with --model-dir \(folder))")
        }
    }
}
