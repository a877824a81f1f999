import Engine
import Foundation
import Sessions
import TextData
import WorkbenchUI

/// Value snapshots of engine and data state for the panes.
enum Snapshots {
    static func model(_ model: Sequential, optimizer: OptimizerSpec, preset: String?) -> ModelSnapshot {
        let layers = model.layers.enumerated().map { i, layer -> LayerSnapshot in
            let spec = model.spec.layers[i]
            return LayerSnapshot(name: layer.name, typeLabel: spec.label, kind: ModelEditing.kind(of: spec),
                                 outputShape: model.outputShapes[i].shapeDescription, parameterCount: layer.parameterCount,
                                 settings: settings(spec))
        }
        var settingsList = [NamedValue("lr", "\(optimizer.learningRate)")]
        switch optimizer.kind {
        case .adam, .adamw:
            settingsList += [NamedValue("β1", "\(optimizer.beta1)"), NamedValue("β2", "\(optimizer.beta2)"), NamedValue("ε", "\(optimizer.epsilon)")]
            if optimizer.kind == .adamw { settingsList.append(NamedValue("wd", "\(optimizer.weightDecay)")) }
        case .sgd:
            if optimizer.momentum > 0 { settingsList.append(NamedValue("momentum", "\(optimizer.momentum)")) }
            if optimizer.nesterov { settingsList.append(NamedValue("nesterov", "yes")) }
        case .rmsprop:
            settingsList.append(NamedValue("ρ", "\(optimizer.rho)"))
        }
        if let c = optimizer.globalClipNorm { settingsList.append(NamedValue("clip", "\(c)")) }
        let name = ["sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop"][optimizer.kind.rawValue] ?? optimizer.kind.rawValue
        return ModelSnapshot(layers: layers, inputShape: [model.spec.inputLength].shapeDescription, totalParameters: model.parameterCount,
                             optimizer: name, optimizerSettings: settingsList, loss: model.spec.loss.rawValue, preset: preset)
    }

    static func settings(_ spec: LayerSpec) -> [LayerSetting] {
        let acts = Activation.allCases.map(\.rawValue)
        switch spec {
        case let .embedding(dim, _): return [LayerSetting(kind: .units, label: "dim", value: "\(dim)")]
        case let .dense(u, a, _): return [LayerSetting(kind: .units, value: "\(u)"), LayerSetting(kind: .activation, value: a.rawValue, choices: acts)]
        case let .simpleRNN(u, _), let .lstm(u, _), let .gru(u, _): return [LayerSetting(kind: .units, value: "\(u)")]
        case let .conv1D(f, k, _, _, _, a):
            return [LayerSetting(kind: .units, label: "filters", value: "\(f)"), LayerSetting(kind: .kernelSize, value: "\(k)"),
                    LayerSetting(kind: .activation, value: a.rawValue, choices: acts)]
        case let .dropout(r): return [LayerSetting(kind: .rate, value: String(format: "%.2f", r))]
        case let .multiHeadAttention(h, _), let .transformerEncoder(h, _, _): return [LayerSetting(kind: .units, label: "heads", value: "\(h)")]
        default: return []
        }
    }

    static func dataset(file: String, examples: [LabelledText], tokenizer: TextTokenizer, tokenizerName: String) -> DatasetSnapshot {
        let stats = DatasetStatistics.compute(examples: examples, tokenizer: tokenizer, bins: 12)
        return DatasetSnapshot(
            fileName: file,
            labelCounts: stats.labelCounts.map { LabelCount(label: $0.label, count: $0.count) },
            lengthHistogram: stats.tokenHistogram.map { HistogramBin(lowerBound: $0.lower, upperBound: $0.upper, count: $0.count) },
            vocabularySize: tokenizer.vocabularySize, exampleCount: examples.count,
            examples: examples.map { DatasetExample(label: $0.label, text: $0.text) }, tokenizer: tokenizerName)
    }

    static func console(_ text: String, classes: [String], attribution: Sessions.TokenAttribution) -> ConsoleSnapshot {
        ConsoleSnapshot(text: text, classNames: classes, probabilities: attribution.probabilities.map(Double.init),
                        tokens: attribution.tokens.map { WorkbenchUI.TokenAttribution($0.text, score: Double($0.score)) })
    }
}
