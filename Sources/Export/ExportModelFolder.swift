import Engine
import Foundation
import Learners
import Sessions

extension ExportFolder {
    /// Exports the model folder `modelFolder` (as `train --save` and `sessions export` write
    /// it) in `format` into `dir`: the one dispatch `workbench export` and the workbench's
    /// `:export` share. Returns the files written. Throws `EngineError` (a layer or model the
    /// format cannot express, a target that is not new or empty, a file that cannot be read or
    /// written) or the learner's `LearnerError`, before writing anything.
    @discardableResult
    public static func export(modelFolder: URL, format: Format, to dir: URL) throws -> [String] {
        try checkTarget(dir)
        switch try ModelDirectory.kind(of: modelFolder) {
        case .neural:
            let c = try ModelDirectory.load(from: modelFolder)
            switch format {
            case .onnx:
                try writeONNX(c, to: dir)
                return [onnxFile, labelsFile, tokenizerFile, readmeFile]
            case .keras:
                try writeKeras(c, to: dir)
                return [kerasFile, labelsFile, tokenizerFile, readmeFile]
            case .safetensors:
                try writeSafetensors(modelFolder: modelFolder, classifier: c, classNames: c.classNames, to: dir)
                return [ModelDirectory.weightsFile, ModelDirectory.configFile, labelsFile, tokenizerFile, readmeFile]
            }
        case .learner:
            switch format {
            case .onnx:
                let learner = try LearnerIO.load(from: modelFolder.appendingPathComponent(ModelDirectory.learnerFile))
                try writeONNX(learner: learner, to: dir)
                return [onnxFile, labelsFile, tokenizerFile, readmeFile]
            case .keras:
                throw EngineError.invalidSpec(field: "format", reason: "Keras export covers neural models; a learner (TF-IDF model, trees, fastText) has no Keras counterpart: use safetensors")
            case .safetensors:
                let learner = try LearnerIO.load(from: modelFolder.appendingPathComponent(ModelDirectory.learnerFile))
                try writeSafetensors(modelFolder: modelFolder, classifier: nil, classNames: learner.labels.classes, to: dir)
                return [ModelDirectory.learnerFile, labelsFile, readmeFile]
            }
        }
    }
}
