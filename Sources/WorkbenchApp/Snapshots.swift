import Basics
import Engine
import Foundation
import Learners
import Sessions
import TextData
import WorkbenchUI

/// Value snapshots of engine and data state for the panes.
enum Snapshots {
    static func model(_ model: Sequential, optimizer: OptimizerSpec, fit: FitConfig = FitConfig(), classes: [String] = [],
                      preset: String?, embeddingCoverage: [String: String] = [:]) -> ModelSnapshot {
        let layers = model.layers.enumerated().map { i, layer -> LayerSnapshot in
            let spec = model.spec.layers[i]
            return LayerSnapshot(name: layer.name, typeLabel: spec.label, kind: ModelEditing.kind(of: spec),
                                 outputShape: model.outputShapes[i].shapeDescription, parameterCount: layer.parameterCount,
                                 settings: settings(spec))
        }
        var settingsList = [NamedValue("lr", optimizer.schedule.summary)]
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
        var snapshot = ModelSnapshot(layers: layers, inputShape: [model.spec.inputLength].shapeDescription, totalParameters: model.parameterCount,
                                     optimizer: name, optimizerSettings: settingsList, loss: model.spec.loss.rawValue, preset: preset,
                                     training: training(fit, classes: classes) + embeddings(model, coverage: embeddingCoverage))
        snapshot.fit = [NamedValue("epochs", "\(fit.epochs)"), NamedValue("batch size", "\(fit.batchSize)")]
        return snapshot
    }

    /// The model pane's lines for pretrained vectors (coverage, when it was worked out) and
    /// frozen weights, as Keras's summary counts them.
    static func embeddings(_ model: Sequential, coverage: [String: String]) -> [NamedValue] {
        var lines: [NamedValue] = []
        for spec in model.spec.layers {
            guard case let .embedding(_, _, _, file?) = spec else { continue }
            lines.append(NamedValue("vectors", coverage[file] ?? (file as NSString).lastPathComponent))
        }
        let frozen = model.parameterCount - model.trainableParameterCount
        if frozen > 0 { lines.append(NamedValue("non-trainable", Digits.grouped(frozen) + " params")) }
        return lines
    }

    /// The model pane's lines under the loss: class weights, then callbacks.
    static func training(_ fit: FitConfig, classes: [String]) -> [NamedValue] {
        var lines: [NamedValue] = []
        if let w = fit.classWeights { lines.append(NamedValue("class weights", ClassWeight.summary(w, classes: classes))) }
        if let c = fit.callbacks, !c.isEmpty { lines.append(NamedValue("callbacks", c.summary)) }
        return lines
    }

    /// A learner drawn as the model pane draws layers: its features, then the classifier.
    /// `modelBytes` is the trained model's file size (nil before training).
    static func learner(_ recipe: LearnerRecipe, classes: Int, modelBytes: Int?, parameters: (total: Int, input: Int)?) -> ModelSnapshot {
        let s = recipe.settings
        let out = "(None, \(classes))"
        var features: LayerSnapshot, classifier: LayerSnapshot
        var settings: [NamedValue] = []
        let solver: String, loss: String
        switch recipe.kind {
        case .fasttext:
            let f = s.fastText
            features = LayerSnapshot(name: "embedding_bag", typeLabel: "EmbeddingBag(\(f.dim), n-grams ≤\(f.wordNgrams))",
                                     outputShape: "(None, \(f.dim))", parameterCount: 0)
            classifier = LayerSnapshot(name: "softmax", typeLabel: "Dense(\(classes), softmax)", outputShape: out, parameterCount: f.dim * classes)
            solver = "SGD"
            loss = "softmax cross-entropy"
            settings = [NamedValue("lr", "\(f.learningRate) → 0"), NamedValue("epochs", "\(f.epochs)"), NamedValue("bucket", "\(f.bucket)")]
        default:
            features = LayerSnapshot(name: "tfidf", typeLabel: "TF-IDF(n-grams ≤\(s.tfidf.ngrams)\(s.tfidf.sublinearTF ? ", sublinear" : ""))",
                                     outputShape: "(None, sparse)", parameterCount: 0)
            switch recipe.kind {
            case .logreg:
                classifier = LayerSnapshot(name: "logreg", typeLabel: "LogisticRegression(C=\(s.logisticRegression.c))", outputShape: out, parameterCount: 0)
                solver = "L-BFGS"; loss = "log loss + L2"
                settings = [NamedValue("C", "\(s.logisticRegression.c)"), NamedValue("iterations", "\(s.logisticRegression.maxIterations)")]
            case .svm:
                classifier = LayerSnapshot(name: "svm", typeLabel: "LinearSVM(C=\(s.svm.c), one-vs-rest)", outputShape: out, parameterCount: 0)
                solver = "dual coordinate descent"; loss = "squared hinge + L2"
                settings = [NamedValue("C", "\(s.svm.c)")]
            case .nb:
                classifier = LayerSnapshot(name: "nb", typeLabel: "MultinomialNB(α=\(s.naiveBayes.alpha))", outputShape: out, parameterCount: 0)
                solver = "counting"; loss = "likelihood"
                settings = [NamedValue("α", "\(s.naiveBayes.alpha)")]
            case .tree:
                classifier = LayerSnapshot(name: "tree", typeLabel: "DecisionTree(gini)", outputShape: out, parameterCount: 0)
                solver = "CART"; loss = "gini"
                settings = [NamedValue("depth", s.tree.maxDepth.map { "\($0)" } ?? "∞"), NamedValue("leaf", "\(s.tree.minSamplesLeaf)")]
            default:
                classifier = LayerSnapshot(name: "forest", typeLabel: "RandomForest(\(s.forest.trees) trees)", outputShape: out, parameterCount: 0)
                solver = "bootstrap CART"; loss = "gini"
                settings = [NamedValue("trees", "\(s.forest.trees)"), NamedValue("depth", s.forest.maxDepth.map { "\($0)" } ?? "∞")]
            }
        }
        if let b = modelBytes { settings.append(NamedValue("file", Self.bytes(b))) } else { settings.append(NamedValue("file", "untrained")) }
        if let p = parameters {
            features.parameterCount = p.input
            classifier.parameterCount = p.total - p.input
            // TF-IDF: one idf weight per feature, so the input count is the feature count.
            if recipe.kind != .fasttext { features.outputShape = "(None, \(p.input))" }
        }
        return ModelSnapshot(layers: [features, classifier], inputShape: "(None, text)", totalParameters: parameters?.total ?? 0,
                             optimizer: solver, optimizerSettings: settings, loss: loss, preset: recipe.spec)
    }

    static func bytes(_ n: Int) -> String {
        n >= 1 << 20 ? String(format: "%.1f MB", Double(n) / 1_048_576) : n >= 1024 ? String(format: "%.0f kB", Double(n) / 1024) : "\(n) B"
    }

    static func settings(_ spec: LayerSpec) -> [LayerSetting] {
        let acts = Activation.allCases.map(\.rawValue)
        switch spec {
        case let .embedding(dim, _, trainable, file):
            return [LayerSetting(kind: .units, label: "dim", value: "\(dim)"), LayerSetting(kind: .vectors, value: file ?? "none"),
                    LayerSetting(kind: .trainable, value: trainable ? "yes" : "no", choices: ["yes", "no"])]
        case let .dense(u, a, _): return [LayerSetting(kind: .units, value: "\(u)"), LayerSetting(kind: .activation, value: a.rawValue, choices: acts)]
        case let .simpleRNN(u, _), let .lstm(u, _), let .gru(u, _): return [LayerSetting(kind: .units, value: "\(u)")]
        case let .conv1D(f, k, _, _, _, a):
            return [LayerSetting(kind: .units, label: "filters", value: "\(f)"), LayerSetting(kind: .kernelSize, value: "\(k)"),
                    LayerSetting(kind: .activation, value: a.rawValue, choices: acts)]
        case let .dropout(r): return [LayerSetting(kind: .rate, value: String(format: "%.2f", r))]
        case let .multiHeadAttention(h, _), let .transformerEncoder(h, _, _): return [LayerSetting(kind: .units, label: "heads", value: "\(h)")]
        case let .bidirectional(inner, mode):
            let wrappable = LayerSpec.bidirectionalTypeNames
            return (ModelEditing.recurrentSettings(inner).map { [LayerSetting(kind: .units, value: "\($0.units)")] } ?? [])
                + [LayerSetting(kind: .mergeMode, value: mode, choices: LayerSpec.mergeModes),
                   LayerSetting(kind: .wrappedLayer, value: inner.typeName, choices: wrappable)]
        case let .maxPooling1D(p, _, _), let .averagePooling1D(p, _, _): return [LayerSetting(kind: .poolSize, value: "\(p)")]
        case let .spatialDropout1D(r): return [LayerSetting(kind: .rate, value: String(format: "%.2f", r))]
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

    static func console(_ text: String, classes: [String], attribution: Sessions.TokenAttribution, untrained: Bool = false) -> ConsoleSnapshot {
        ConsoleSnapshot(text: text, classNames: classes, probabilities: attribution.probabilities.map(Double.init),
                        tokens: attribution.tokens.map { WorkbenchUI.TokenAttribution($0.text, score: Double($0.score), known: $0.known) },
                        isUntrained: untrained)
    }
}
