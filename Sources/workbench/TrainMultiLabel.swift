import ArgumentParser
import Engine
import Foundation
import Learners
import Sessions
import TextData

/// `train` on multi-label data: one sigmoid per label with binary cross-entropy, scored with
/// micro / macro F1, subset accuracy and Hamming loss at a threshold (given, or tuned on the
/// validation data).
extension TrainCommand {
    /// `--threshold`: a probability in 0…1, or nil for tuning on validation.
    enum ThresholdChoice: Equatable {
        case fixed(Float)
        case tune

        init(parsing text: String?) throws {
            guard let text else { self = .fixed(LabelSpace.defaultThreshold); return }
            if text == "tune" { self = .tune; return }
            guard let v = Float(text), v >= 0, v <= 1 else {
                throw ValidationError("--threshold '\(text)': expected a probability from 0 to 1, or 'tune'")
            }
            self = .fixed(v)
        }
    }

    func trainMultiLabel(_ trainSet: [MultiLabelledText], data: String, classWeights: ClassWeight?) throws {
        let thresholdChoice = try ThresholdChoice(parsing: threshold)
        if let (kind, _) = try LearnerSpec.parse(modelChoice, base: LearnerSettings()) {
            try kind.refuseMultiLabel()
        }
        if classWeights != nil {
            throw ValidationError("--class-weight picks one class per text; multi-label data has none to pick (leave it out)")
        }
        let train: [MultiLabelledText], valid: [MultiLabelledText]
        if let validation {
            train = trainSet
            let known = try LabelSpace(examples: .multi(train)).classes
            valid = try dataOptions.readExamples(validation, multiLabel: true, known: known).asMulti
        } else {
            (train, valid) = Self.split(trainSet, validationFraction: split, seed: seed)
        }
        if thresholdChoice == .tune && valid.isEmpty {
            throw ValidationError("--threshold tune needs validation data (--validation, or --split above 0)")
        }
        let built = try text.pipeline(model: try Self.neuralModel(modelChoice), seed: seed).buildMultiLabel(train: train, validation: valid, source: data)
        let classifier = built.classifier
        print("data: \(train.count) training, \(valid.count) validation examples; multi-label, \(classifier.classNames.count) labels: \(classifier.classNames.joined(separator: ", "))")
        print("tokens: \(text.tokenizer), vocabulary \(classifier.config.tokenizer.vocabularySize) (ids below \(classifier.config.model.vocabularySize) kept), length \(text.maxLength)")
        print(classifier.model.summary())
        let settings = try training.settings()
        let (opt, fit) = (settings.optimizer, settings.fit)
        print("optimizer: \(opt.summary), batch \(fit.batchSize), \(fit.epochs) epochs, seed \(fit.seed)")
        if let callbacks = fit.callbacks { print("callbacks: \(callbacks.summary)") }
        let trainer = try Trainer(model: classifier.model, optimizer: Optimizer(opt), train: built.train, validation: built.validation, config: fit)
        var progress = ProgressPrinter(epochs: fit.epochs)
        try trainer.fit { progress.handle($0); return true }
        if let best = trainer.bestWeights { print("Restoring model weights from the end of the best epoch: \(best.epoch).") }
        if fit.callbacks?.bestCheckpoint != nil, let epoch = trainer.useBestCheckpoint() { print("best checkpoint: epoch \(epoch)") }
        switch thresholdChoice {
        case .fixed(let t): classifier.use(threshold: t)
        case .tune:
            let tuned = try classifier.tunedMultiLabelMetrics(valid)
            classifier.use(threshold: tuned.threshold)
            print(String(format: "threshold tuned on validation: %.2f (micro-F1 %.4f)", tuned.threshold, tuned.microF1))
        }
        if !valid.isEmpty {
            print("\nvalidation (\(valid.count) examples):")
            print(try classifier.multiLabelMetrics(valid).render(labelNames: classifier.classNames))
        }
        if let save {
            try ModelDirectory.save(classifier, to: URL(fileURLWithPath: save))
            print("saved to \(save)")
        }
    }

    /// A seeded random hold-out (stratifying by label sets would leave most sets without a
    /// validation example): the last ⌈fraction × N⌉ of a shuffled order, at least one
    /// example on each side when there are two or more.
    static func split(_ examples: [MultiLabelledText], validationFraction: Double, seed: UInt64) -> ([MultiLabelledText], [MultiLabelledText]) {
        guard validationFraction > 0, examples.count >= 2 else { return (examples, []) }
        var rng = SeededGenerator(seed: seed)
        var order = Array(examples.indices)
        order.shuffle(using: &rng)
        let held = min(examples.count - 1, max(1, Int((Double(examples.count) * validationFraction).rounded(.up))))
        let cut = examples.count - held
        return (order[..<cut].sorted().map { examples[$0] }, order[cut...].sorted().map { examples[$0] })
    }
}
