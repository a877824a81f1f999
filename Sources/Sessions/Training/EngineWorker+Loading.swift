import Engine
import Foundation
import TextData

/// Building a workspace from a session's files, and the checks and error mapping around it.
extension EngineWorker {
    // MARK: - Loading

    /// Builds a workspace from the record and checkpoint files.
    static func load(id: String, files: SessionFiles, sink: EngineSink) throws -> Workspace {
        let (rec, weights, weightsPath, opt, optPath) = try files.loadCheckpoint()
        let run = rec.engineRun
        let classifier = try TextClassifier(config: rec.classifierConfig, seed: run.weightSeed)
        try classifier.model.loadWeights(from: weights, path: weightsPath)
        let optimizer = Optimizer(run.optimizer)
        try optimizer.restoreState(from: opt, path: optPath, model: classifier.model)
        do { try classifier.model.restoreGeneratorStates(run.cursor.layerGenerators) } catch let e as EngineError {
            throw SessionError.file(path: files.directory.appendingPathComponent(SessionStore.sessionFile).path,
                                    reason: "field 'runs[\(rec.engineRunIndex)].neural.cursor': \(e.description)")
        }
        let status: SessionStatus
        switch rec.status {
        case .failed: status = rec.status
        default: status = run.isComplete ? .finished : .idle
        }
        return Workspace(id: id, files: files, sink: sink, classifier: classifier, optimizer: optimizer, status: status, runId: rec.engineRunID)
    }

    /// The model's output must suit the labels: one sigmoid unit for two classes, one score
    /// per class otherwise; for multi-label data one sigmoid per label.
    static func checkHead(_ c: TextClassifier) throws {
        let classes = c.config.labels.count
        if c.config.isMultiLabel {
            guard c.config.model.loss == .binaryCrossentropy, c.model.outputShape == [classes],
                  let head = c.model.layers.last as? DenseLayer, head.activation == .sigmoid else {
                throw SessionError.invalidSetting(field: "model", reason: "multi-label data needs one sigmoid per label and binary cross-entropy: end with Dense(\(classes), sigmoid) (the model outputs \(c.model.outputShape) per example)")
            }
            return
        }
        switch c.config.model.loss {
        case .binaryCrossentropy:
            guard classes == 2 else {
                throw SessionError.invalidSetting(field: "model", reason: "a one-unit sigmoid head (binary cross-entropy) needs exactly 2 classes, the data has \(classes)")
            }
        case .sparseCategoricalCrossentropy:
            guard c.model.outputShape == [classes] else {
                throw SessionError.invalidSetting(field: "model", reason: "the model outputs \(c.model.outputShape) per example, the data has \(classes) classes (end with Dense(\(classes), softmax), or Dense(1, sigmoid) for 2)")
            }
        }
    }

    /// Errors as the session layer reports them: engine file errors become session file errors.
    static func sessionError(_ error: any Error) -> any Error {
        switch error {
        case let EngineError.file(path, reason): return SessionError.file(path: path, reason: reason)
        case let e as EngineError: return SessionError.invalidSetting(field: "engine", reason: e.description)
        case let e as TextDataError: return SessionError.invalidSetting(field: "data", reason: e.description)
        default: return error
        }
    }
}
