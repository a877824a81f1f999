import ArgumentParser
import Engine
import Foundation
import Learners
import Sessions
import TextData

/// The models `workbench bench` measures: the presets the DESIGN's figures name, plus
/// `seed-gru` (Embedding 10 → GRU 10), as the Keras reference table has it.
enum BenchModels {
    static let all = ["seed", "lstm", "gru", "cnn", "seed-gru"]

    static func layers(_ name: String, classes: Int) throws -> [LayerSpec] {
        if name == "seed-gru" { return [.embedding(dim: 10), .gru(units: 10), ModelPreset.head(classes: classes)] }
        guard let preset = ModelPreset(rawValue: name) else {
            throw ValidationError("unknown bench model '\(name)' (\((all + ["attention"]).joined(separator: ", ")))")
        }
        return preset.layers(classes: classes)
    }

    /// Whether `name` is a neural bench model (the rest may be learner specs).
    static func isNeural(_ name: String) -> Bool {
        (try? layers(name, classes: 2)) != nil
    }

    /// The error for a name that is neither a neural bench model nor a learner.
    static func unknown(_ name: String) -> String {
        "unknown bench model '\(name)' (neural: \((all + ["attention"]).joined(separator: ", ")); learners: "
            + "\(LearnerKind.allCases.map(\.rawValue).joined(separator: ", ")), with settings as kind:key=value, e.g. fasttext:epochs=25)"
    }

    static func description(_ name: String) -> String {
        if name == "seed-gru" { return "Embedding 10 → GRU 10" }
        return ModelPreset(rawValue: name)?.summary ?? name
    }
}

/// The data and token settings shared by every model of a run.
struct BenchData {
    let folder: String
    let train: [LabelledText]
    let test: [LabelledText]

    init(folder: URL) throws {
        self.folder = folder.path
        train = try LabelledTextReader.read(folder.appendingPathComponent("train.tsv").path)
        test = try LabelledTextReader.read(folder.appendingPathComponent("test.tsv").path)
        guard !train.isEmpty, !test.isEmpty else {
            throw ValidationError("\(folder.path): train.tsv and test.tsv must both hold examples")
        }
    }
}

/// Trains one model in this process and measures it.
struct BenchModelRun {
    let name: String
    let settings: BenchSettings
    let text: TextOptions
    let data: BenchData
    /// "process" when this model has the process to itself, "cumulative" otherwise.
    let rssScope: String
    let progress: (String) -> Void

    func run() throws -> BenchModelResult {
        // The head depends on the classes; a data set with fewer than two the pipeline refuses.
        let classes = (try? LabelEncoder(labels: data.train.map(\.label)).count) ?? 0
        let built = try text.pipeline(model: .layers(try BenchModels.layers(name, classes: classes), loss: nil), seed: settings.seed)
            .build(train: data.train, validation: data.test, source: "\(data.folder)/train.tsv")
        let classifier = built.classifier
        let trainSet = built.train
        let testSet = built.validation ?? trainSet   // BenchData holds test examples: never nil
        // Building the first model applies the app's one-thread default: set ours after it.
        BLAS.setThreads(settings.blasThreads)

        let trainer = try Trainer(model: classifier.model, optimizer: Optimizer(.adam(learningRate: settings.learningRate)),
                                  train: trainSet,
                                  config: FitConfig(epochs: settings.epochs, batchSize: settings.batchSize, seed: settings.seed))
        var cpu: [Double] = []
        var cpuMark = MachineInfo.cpuSeconds()
        let history = try trainer.fit { event in
            if case let .epochEnd(e) = event {
                let now = MachineInfo.cpuSeconds()
                cpu.append(now - cpuMark)
                cpuMark = now
                progress(String(format: "%@: epoch %d/%d %.2f s, %.0f samples/s, loss %.4f, accuracy %.4f",
                                name, e.epoch, settings.epochs, e.seconds, e.samplesPerSecond, e.loss, e.accuracy))
            }
            return true
        }
        let timed = history.count > 1 ? Array(history.dropFirst()) : history
        let timedCpu = cpu.count > 1 ? Array(cpu.dropFirst()) : cpu
        let timedWall = timed.reduce(0) { $0 + $1.seconds }
        let epochSeconds = Stats.median(timed.map(\.seconds))
        let (testLoss, testAccuracy) = try classifier.model.evaluate(testSet, batchSize: settings.batchSize)

        let latency = try measureLatency(classifier)
        let (calls, uncounted) = GemmWorkload.trainingStep(classifier.model, batch: settings.batchSize)
        let stepSeconds = epochSeconds / Double(trainer.batchesPerEpoch)
        let flops = calls.reduce(0) { $0 + $1.flopsPerStep }
        let last = history.last
        return BenchModelResult(
            name: name, description: BenchModels.description(name), parameters: classifier.model.parameterCount,
            epochSeconds: history.map { Self.round($0.seconds, 3) },
            epochSamplesPerSecond: history.map { Self.round($0.samplesPerSecond, 1) },
            trainSamplesPerSecond: Self.round(Stats.median(timed.map(\.samplesPerSecond)), 1),
            timedEpochs: timed.map(\.epoch),
            stepMilliseconds: Self.round(stepSeconds * 1000, 3),
            trainCpuUtilisation: Self.round(timedWall > 0 ? timedCpu.reduce(0, +) / timedWall : 0, 2),
            trainLoss: Self.round(Double(last?.loss ?? 0), 4), trainAccuracy: Self.round(Double(last?.accuracy ?? 0), 4),
            testLoss: Self.round(Double(testLoss), 4), testAccuracy: Self.round(Double(testAccuracy), 4),
            predictLatencyUsMedian: Self.round(Stats.median(latency.predict), 2),
            predictLatencyUsP99: Self.round(Stats.percentile(latency.predict, 99), 2),
            forwardLatencyUsMedian: Self.round(Stats.median(latency.forward), 2),
            forwardLatencyUsP99: Self.round(Stats.percentile(latency.forward, 99), 2),
            tokenizeLatencyUsMedian: Self.round(Stats.median(latency.tokenize), 2),
            peakRssMb: Self.round(MachineInfo.peakResidentMB(), 1),
            peakRssScope: rssScope,
            vocabularyFound: built.tokenizer.vocabularySize,
            tokensChecksum: Self.checksum(trainSet.x, testSet.x),
            gemm: GemmStepFigures(flopsPerStep: flops, achievedGflops: Self.round(stepSeconds > 0 ? flops / stepSeconds / 1e9 : 0, 2),
                                  uncountedLayers: uncounted, calls: calls))
    }

    /// Microseconds per call over `predictCalls` test texts (cycled), after a warm-up.
    private func measureLatency(_ classifier: TextClassifier) throws -> (predict: [Double], forward: [Double], tokenize: [Double]) {
        let n = settings.predictCalls
        let texts = (0..<n).map { data.test[$0 % data.test.count].text }
        let rows = texts.map { classifier.encode([$0]) }
        for t in texts.prefix(20) { _ = try classifier.probabilities([t], batchSize: 1) }
        var predict: [Double] = [], forward: [Double] = [], tokenize: [Double] = []
        predict.reserveCapacity(n); forward.reserveCapacity(n); tokenize.reserveCapacity(n)
        var sink: Float = 0
        for t in texts {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let p = try classifier.probabilities([t], batchSize: 1)
            predict.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3)
            sink += p.first?.first ?? 0
        }
        for x in rows {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let y = try classifier.model.inferenceForward(x)
            forward.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3)
            sink += y[flat: 0]
        }
        for t in texts {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let x = classifier.encode([t])
            tokenize.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3)
            sink += x[flat: 0]
        }
        if sink.isNaN { progress("\(name): a prediction was NaN") }
        return (predict, forward, tokenize)
    }

    /// "count:sum:weighted" over the ids of `a` then `b`, row-major; weighted = Σ id·(i mod
    /// 1000003 + 1). Cheap to compute identically in NumPy, so the Keras side can show it
    /// fed the same tokens.
    static func checksum(_ a: Tensor, _ b: Tensor) -> String {
        var count: UInt64 = 0, sum: UInt64 = 0, weighted: UInt64 = 0
        for t in [a, b] {
            t.withUnsafeBufferPointer { p in
                for v in p {
                    let id = UInt64(max(0, Int(v)))
                    sum &+= id
                    weighted &+= id &* (count % 1_000_003 + 1)
                    count += 1
                }
            }
        }
        return "\(count):\(sum):\(weighted)"
    }

    static func round(_ v: Double, _ places: Int) -> Double {
        guard v.isFinite else { return v }
        let f = pow(10, Double(places))
        return (v * f).rounded() / f
    }
}
