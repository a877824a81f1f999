import ArgumentParser
import Foundation
import Learners
import TextData

/// A learner spec as `workbench bench --models` takes it: `svm`, `fasttext:epochs=25:ngrams=2`,
/// … with the settings `workbench compare` gives by default (tokens chosen from the data,
/// TF-IDF over tokens and token bigrams).
struct BenchLearner {
    let spec: String
    let kind: LearnerKind
    let settings: LearnerSettings

    /// The learner `spec` names, or nil when it names none; throws for a learner with a bad
    /// setting (`svm:x=1`).
    static func parse(_ spec: String) throws -> BenchLearner? {
        guard let (kind, settings) = try LearnerSpec.parse(spec, base: LearnerSettings()) else { return nil }
        return BenchLearner(spec: spec, kind: kind, settings: settings)
    }

    /// "linear SVM on TF-IDF n-grams 1…2 of characters", once the tokens are known.
    func description(tokens: FeatureTokenizer) -> String {
        switch kind {
        case .fasttext:
            let f = settings.fastText
            return "\(kind.title), \(tokens.name), dim \(f.dim), \(f.epochs) epochs, word n-grams 1…\(f.wordNgrams), lr \(f.learningRate)"
        default:
            return "\(kind.title) on TF-IDF n-grams 1…\(settings.tfidf.ngrams) of \(tokens.name)"
        }
    }
}

/// Trains one learner in this process on train.tsv and measures it on test.tsv, with the
/// figures of a neural row where they mean the same thing.
struct BenchLearnerRun {
    let learner: BenchLearner
    let settings: BenchSettings
    let data: BenchData
    /// "process" when this model has the process to itself, "cumulative" otherwise.
    let rssScope: String
    let progress: (String) -> Void

    func run() throws -> BenchModelResult {
        let name = learner.spec
        progress("\(name): training on \(data.train.count) texts…")
        let cpuStart = MachineInfo.cpuSeconds()
        let start = DispatchTime.now().uptimeNanoseconds
        let trained = try learner.kind.fit(data.train, settings: learner.settings, seed: settings.seed)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpu = MachineInfo.cpuSeconds() - cpuStart
        for w in trained.warnings { progress("warning: \(name): \(w)") }
        let model = trained.learner

        let (testLoss, testAccuracy) = try evaluate(model)
        progress(String(format: "%@: trained in %.2f s, test accuracy %.4f", name, seconds, testAccuracy))
        let latency = measureLatency(model)
        let bytes = try LearnerIO.encode(model).count
        let round = BenchModelRun.round
        return BenchModelResult(
            name: name, description: learner.description(tokens: model.tokenizer),
            trainSamplesPerSecond: round(seconds > 0 ? Double(data.train.count) / seconds : 0, 1),
            trainSeconds: round(seconds, 3),
            trainCpuUtilisation: round(seconds > 0 ? cpu / seconds : 0, 2),
            testLoss: round(testLoss, 4), testAccuracy: round(testAccuracy, 4),
            predictLatencyUsMedian: round(Stats.median(latency.predict), 2),
            predictLatencyUsP99: round(Stats.percentile(latency.predict, 99), 2),
            forwardLatencyUsMedian: round(Stats.median(latency.forward), 2),
            forwardLatencyUsP99: round(Stats.percentile(latency.forward, 99), 2),
            tokenizeLatencyUsMedian: round(Stats.median(latency.tokenize), 2),
            peakRssMb: round(MachineInfo.peakResidentMB(), 1), peakRssScope: rssScope,
            modelBytes: bytes)
    }

    /// Mean cross-entropy (p clipped at 1e-7, as Keras does) and accuracy on test.tsv. A test
    /// label the training data lacks is an error naming it.
    private func evaluate(_ model: any Learner) throws -> (loss: Double, accuracy: Double) {
        var loss = 0.0, correct = 0
        for example in data.test {
            guard let truth = model.labels.classes.firstIndex(of: example.label) else {
                throw ValidationError("\(data.folder)/test.tsv: label '\(example.label)' is not in train.tsv "
                                      + "(\(model.labels.classes.joined(separator: ", ")))")
            }
            let p = model.predictProbabilities(example.text)
            loss -= Foundation.log(Double(max(p[truth], 1e-7)))
            var best = 0
            for c in p.indices where p[c] > p[best] { best = c }
            if best == truth { correct += 1 }
        }
        let n = Double(data.test.count)
        return (loss / n, Double(correct) / n)
    }

    /// Microseconds per call over `predictCalls` test texts (cycled), after a warm-up: the raw
    /// text, the model on its tokens, and the tokenising alone.
    private func measureLatency(_ model: any Learner) -> (predict: [Double], forward: [Double], tokenize: [Double]) {
        let n = settings.predictCalls
        let texts = (0..<n).map { data.test[$0 % data.test.count].text }
        let tokens = texts.map { model.tokens(in: $0) }
        for t in texts.prefix(20) { _ = model.predictProbabilities(t) }
        var predict: [Double] = [], forward: [Double] = [], tokenize: [Double] = []
        predict.reserveCapacity(n); forward.reserveCapacity(n); tokenize.reserveCapacity(n)
        var sink: Float = 0
        for t in texts {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let p = model.predictProbabilities(t)
            predict.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3)
            sink += p.first ?? 0
        }
        for x in tokens {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let p = model.predictProbabilities(tokens: x)
            forward.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3)
            sink += p.first ?? 0
        }
        for t in texts {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let x = model.tokens(in: t)
            tokenize.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3)
            sink += Float(x.count)
        }
        if sink.isNaN { progress("\(learner.spec): a prediction was NaN") }
        return (predict, forward, tokenize)
    }
}
