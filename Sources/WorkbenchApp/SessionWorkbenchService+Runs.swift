import Engine
import Foundation
import Learners
import Sessions
import TerminalUI
import TextData
import WorkbenchUI

/// The leaderboard, the zoo, the console's run and the training settings.
extension SessionWorkbenchService {
    // MARK: - Leaderboard

    public func trainLearners(_ specs: [String]) async -> CommandResult {
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
        do {
            try await session.trainLearners(recipes)
        } catch SessionError.busy {
            return .refused("stop training first (x): each learner trains as a run of its own")
        } catch {
            return .refused("\(error)")
        }
        return .done("training \(recipes.count) learner\(recipes.count == 1 ? "" : "s"), one run each: R shows the leaderboard")
    }

    public func changeSettings(_ change: TrainingSettingsChange) async -> CommandResult {
        let info = await session.info
        guard case let .neural(plan) = info.record.plan else {
            return .refused("the model is a learner: it trains in one go, with no learning rate, epochs or batches to set")
        }
        if info.status.isActive { return .refused("pause training first (space): settings change between batches") }
        var optimizer = plan.optimizer, fit = plan.fit
        let said: String
        switch change {
        case let .learningRate(rate):
            let wasSchedule = optimizer.schedule != .constant(optimizer.learningRate)
            optimizer.learningRate = Float(rate)
            said = "learning rate \(Float(rate))" + (wasSchedule ? " (constant: it replaces the schedule)" : "")
        case let .optimizer(text):
            do {
                optimizer = try Self.optimizer(parsing: text, over: optimizer)
            } catch {
                return .refused(Self.settingError(error, option: ":optimizer", flag: "--optimizer"))
            }
            said = "optimizer \(optimizer.summary)"
        case let .epochs(n):
            fit.epochs = n
            said = "\(n) epochs planned"
        case let .batchSize(n):
            fit.batchSize = n
            said = "batch size \(n)"
        case let .schedule(text):
            do {
                optimizer.schedule = text == "constant" ? .constant(optimizer.learningRate)
                    : try LearningRateSchedule(parsing: text, initial: optimizer.learningRate)
            } catch {
                return .refused(Self.settingError(error, option: ":schedule", flag: "--lr-schedule"))
            }
            if optimizer.schedule != .constant(optimizer.learningRate), fit.callbacks?.reduceLROnPlateau != nil {
                return .refused("ReduceLROnPlateau lowers a constant learning rate: :plateau off first")
            }
            said = text == "constant" ? "learning rate \(optimizer.learningRate), constant" : "learning rate: \(optimizer.schedule.summary)"
        case let .classWeight(text):
            if text == "off" {
                fit.classWeights = nil
                said = "no class weights"
            } else {
                do {
                    let classes = info.record.labels.classes
                    let train = try await session.examples().train
                    fit.classWeights = try ClassWeight.parse(text).weights(classes: classes, trainLabels: train.map(\.label))
                    said = "class weights \(ClassWeight.summary(fit.classWeights ?? [], classes: classes))"
                } catch {
                    return .refused(":classweight: \(error)")
                }
            }
        case let .earlyStopping(text), let .reduceLROnPlateau(text), let .checkpoint(text):
            var callbacks = fit.callbacks ?? TrainingCallbacks()
            do {
                switch change {
                case .earlyStopping:
                    callbacks.earlyStopping = text == "off" ? nil : try EarlyStopping(parsing: text)
                    said = callbacks.earlyStopping?.summary ?? "no early stopping"
                case .reduceLROnPlateau:
                    guard text == "off" || optimizer.schedule == .constant(optimizer.learningRate) else {
                        return .refused("ReduceLROnPlateau lowers a constant learning rate; the run follows a schedule (:schedule constant first)")
                    }
                    callbacks.reduceLROnPlateau = text == "off" ? nil : try ReduceLROnPlateau(parsing: text)
                    said = callbacks.reduceLROnPlateau?.summary ?? "no ReduceLROnPlateau"
                default:
                    guard text == "best" || text == "last" else { return .refused(":checkpoint takes best or last, not '\(text)'") }
                    callbacks.bestCheckpoint = text == "last" ? nil
                        : BestCheckpoint(monitor: callbacks.earlyStopping?.monitor ?? .valLoss, mode: callbacks.earlyStopping?.mode ?? .auto)
                    said = callbacks.bestCheckpoint?.summary ?? "the last epoch's weights are the model"
                }
            } catch {
                let (name, flag) = change == .reduceLROnPlateau(text) ? (":plateau", "--reduce-lr-on-plateau") : (":earlystop", "--early-stopping")
                return .refused(Self.settingError(error, option: name, flag: flag))
            }
            fit.callbacks = callbacks.isEmpty ? nil : callbacks
        }
        do {
            try await session.updateTraining(optimizer: optimizer, fit: fit)
            return .done(said)
        } catch {
            return .refused("\(error)")
        }
    }

    /// A setting's parse error as the `:` command names it (":plateau factor: must be…").
    static func settingError(_ error: any Error, option: String, flag: String) -> String {
        if case let EngineError.invalidSpec(field, reason) = error {
            return "\(field.replacingOccurrences(of: flag, with: option)): \(reason)"
        }
        return "\(option): \(error)"
    }

    public func leaderboard() async -> [LeaderboardEntry] {
        guard let standings = try? await session.leaderboard() else { return [] }
        let macroF1 = await validationMacroF1(runs: standings.filter { $0.canOpen && $0.validationAccuracy != nil }.map(\.run))
        return standings.map { r in
            LeaderboardEntry(id: "\(r.run)", model: r.model, validationAccuracy: r.validationAccuracy.map(Double.init),
                             trainAccuracy: r.trainAccuracy.map(Double.init), epochs: r.epochs,
                             trainingSeconds: r.trainingSeconds, isCurrent: r.isCurrent, isInConsole: r.isInConsole, canOpen: r.canOpen,
                             validationMacroF1: macroF1[r.run])
        }
    }

    public func useInConsole(run id: String?) async -> CommandResult {
        guard let id else {
            return await run("console") { try await session.useInConsole(run: nil) }
        }
        guard let n = Int(id) else { return .refused("'\(id)' is not a run number") }
        do {
            try await session.useInConsole(run: n)
            let record = await session.record
            let model = record.runs.first { $0.id == n }?.summary ?? ""
            return .done(n == record.currentRun.id ? nil : "console: run \(n) \(model)")
        } catch {
            return .refused("\(error)")
        }
    }
}
