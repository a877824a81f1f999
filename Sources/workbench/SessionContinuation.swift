import ArgumentParser
import Engine
import Foundation
import Sessions
import TextData

/// What `train --session NAME` does with each option when the session exists and its current
/// run is neural: the one table of "honoured or refused". Every option the plain `train`
/// honours is here; one given is either applied to the run (or, for `--model`, starts a new
/// run) or refused with a message naming it, never dropped in silence.
struct SessionContinuation {
    enum Rule: Equatable {
        /// Changes the current run (or starts a new one).
        case applies
        /// Cannot apply now, for this reason.
        case refused(String)
        /// Fixed when the session was created: given again, it must be what the session holds
        /// (`recorded` nil: created without the option).
        case fixed(recorded: String?, matches: Bool)
    }

    struct Row {
        var flag: String
        /// The value as given (nil: not given).
        var given: String?
        var rule: Rule
    }

    let name: String
    let rows: [Row]

    /// The table for `command` continuing the session `info` describes. `newModel`: the run
    /// to train is a new one (another `--model`); `learner`: it is a learner, which trains in
    /// one go with its own settings.
    init(_ command: TrainCommand, info: SessionInfo, newModel: Bool, learner: Bool = false) throws {
        let record = info.record
        let run = record.engineRun, runID = record.engineRunID
        let dataset = record.dataset
        let (format, read) = try command.dataOptions.resolved()
        let given = command.dataOptions
        let text = command.text
        let training = command.training
        func fixed<T: Equatable>(_ flag: String, _ value: T?, recorded: T?, shown: (T) -> String) -> Row {
            Row(flag: flag, given: value.map(shown), rule: .fixed(recorded: recorded.map(shown), matches: value == recorded))
        }
        func fixedString<T: Equatable>(_ flag: String, _ value: T?, recorded: T?) -> Row {
            fixed(flag, value, recorded: recorded) { "\($0)" }
        }
        var recordedFile: String?, recordedSplit: Double?
        switch dataset.validation {
        case .none: break
        case let .split(fraction, _): recordedSplit = fraction
        case let .file(path, _, _, _): recordedFile = path
        }
        let paused = info.status.isActive || info.status == .paused
        // A new run starts at its first batch: the batch size may change then.
        let midEpoch = !newModel && info.batchInEpoch > 0
        let neuralOnly: Rule = learner ? .refused("applies to neural runs; a learner trains in one go with the settings of its --model spec") : .applies
        let batchRule: Rule = midEpoch && training.givenBatchSize.map({ $0 != run.fit.batchSize }) == true
            ? .refused("run \(runID) is at batch \(info.batchInEpoch) of epoch \(info.epochsCompleted + 1): the batch size can change only at an epoch boundary (train to it, or give --model for a new run)")
            : neuralOnly
        name = record.name
        rows = [
            fixedString("--data", command.data.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, recorded: dataset.path),
            fixedString("--validation", command.validation.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, recorded: recordedFile),
            fixedString("--split", command.givenSplit, recorded: recordedSplit),
            fixedString("--format", given.format.flatMap { _ in format }, recorded: dataset.format),
            fixedString("--text-column", read.textColumn, recorded: dataset.options.textColumn),
            fixedString("--label-column", read.labelColumn, recorded: dataset.options.labelColumn),
            fixed("--header", read.hasHeader, recorded: dataset.options.hasHeader) { $0 ? "on" : "off (--no-header)" },
            fixedString("--text-key", read.textKey, recorded: dataset.options.textKey),
            fixedString("--label-key", read.labelKey, recorded: dataset.options.labelKey),
            fixedString("--tokenizer", text.givenTokenizer, recorded: TextOptions.name(of: record.tokenizer)),
            fixedString("--vocab-size", text.givenVocabSize, recorded: record.tokenizer.numWords),
            fixedString("--max-length", text.givenMaxLength, recorded: record.maxLength),
            // The split and the run's initial weights came from it.
            fixedString("--seed", training.givenSeed, recorded: run.fit.seed),
            Row(flag: "--model", given: command.model,
                rule: newModel && paused ? .refused("session '\(record.name)' is \(info.status.label): stop it before changing the model") : .applies),
            Row(flag: "--epochs", given: training.epochs.map { "\($0)" }, rule: .applies),
            Row(flag: "--batch-size", given: training.givenBatchSize.map { "\($0)" }, rule: batchRule),
            Row(flag: "--learning-rate", given: training.givenLearningRate.map { "\($0)" }, rule: neuralOnly),
            Row(flag: "--optimizer", given: training.givenOptimizer, rule: neuralOnly),
            Row(flag: "--clip-norm", given: training.clipNorm.map { "\($0)" }, rule: neuralOnly),
            Row(flag: "--lr-schedule", given: training.lrSchedule, rule: neuralOnly),
            Row(flag: "--momentum", given: training.momentum.map { "\($0)" }, rule: neuralOnly),
            Row(flag: "--nesterov", given: training.nesterov.map { "\($0)" }, rule: neuralOnly),
            Row(flag: "--keras-adam", given: training.kerasAdam.map { "\($0)" }, rule: neuralOnly),
            Row(flag: "--class-weight", given: training.classWeight, rule: neuralOnly),
            Row(flag: "--early-stopping", given: training.earlyStopping, rule: neuralOnly),
            Row(flag: "--reduce-lr-on-plateau", given: training.reduceLrOnPlateau, rule: neuralOnly),
            Row(flag: "--checkpoint", given: training.checkpoint, rule: neuralOnly),
            Row(flag: "--autosave-every", given: command.sessionOptions.autosaveEvery.map { "\($0)" }, rule: .applies),
            Row(flag: "--save", given: command.save, rule: .applies),
        ]
    }

    /// The options given that cannot apply, each with why; empty when every one applies.
    var refusals: [String] {
        rows.compactMap { row in
            guard let given = row.given else { return nil }
            switch row.rule {
            case .applies: return nil
            case let .refused(why): return "\(row.flag): \(why)"
            case let .fixed(recorded, matches):
                if matches { return nil }
                let created = recorded.map { "was created with \(row.flag) \($0)" } ?? "was created without \(row.flag)"
                return "\(row.flag) \(given): session '\(name)' \(created) and keeps it (its data, split, tokenizer, length and seed are fixed); create a new session to change it"
            }
        }
    }

    /// Throws the refusals, one per line, before anything changes.
    func check() throws {
        let refusals = self.refusals
        if !refusals.isEmpty { throw ValidationError(refusals.joined(separator: "\n")) }
    }
}
