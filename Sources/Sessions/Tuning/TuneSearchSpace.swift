import Basics
import Engine
import Foundation
import Learners

/// The model families autotune searches.
public enum TuneFamily: String, CaseIterable, Sendable {
    /// Linear SVM, logistic regression and naive Bayes on TF-IDF word or character n-grams.
    case learners
    /// fastText (epochs, learning rate, dimension, word n-grams).
    case fasttext
    /// Neural presets (not searched yet: see `TuneSearchSpace.searchable`).
    case neural

    /// `learners,fasttext` → the families, naming the one that is not known.
    public static func parseList(_ text: String) throws -> [TuneFamily] {
        var out: [TuneFamily] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !part.isEmpty {
            guard let f = TuneFamily(rawValue: part) else {
                throw SessionError.invalidSetting(field: "families", reason: "unknown family '\(part)' (learners, fasttext, neural)")
            }
            if !out.contains(f) { out.append(f) }
        }
        guard !out.isEmpty else { throw SessionError.invalidSetting(field: "families", reason: "no family named") }
        return out
    }
}

/// What autotune ranks trials by, on validation examples.
public enum TuneMetric: String, CaseIterable, Sendable {
    case accuracy
    case macroF1 = "macro-f1"

    public func value(of report: ClassificationReport) -> Double {
        switch self {
        case .accuracy: return report.accuracy
        case .macroF1: return report.macroF1
        }
    }
}

/// The recipes autotune tries, as `LearnerRecipe` specs so every trial reads like a recipe a
/// user could type (`svm:c=0.42:analyzer=chars:ngrams=3:sublinear=1:mindf=1`).
///
/// - Starting points: the reference tools' best recipes on the bundled sets (a linear SVM on
///   TF-IDF unigrams and bigrams of the automatic analyzer, fastText with 25 epochs and word
///   bigrams, naive Bayes on bigrams), tried first at full size so a sound model exists early.
/// - Sampled candidates: candidate `i` depends only on the seed and `i` (the generator is
///   seeded with `SplitMix64.mix(seed &+ i &* increment)`), so a run with the same seed and
///   trial count repeats exactly and a longer budget only adds candidates.
public struct TuneSearchSpace: Sendable {
    public var families: [TuneFamily]
    public var seed: UInt64

    public init(families: [TuneFamily], seed: UInt64) {
        self.families = families
        self.seed = seed
    }

    /// The families this session's search can draw from (neural presets are not searched yet).
    public var searchable: [TuneFamily] { families.filter { $0 != .neural } }

    public var startingPoints: [LearnerRecipe] {
        var specs: [String] = []
        if searchable.contains(.learners) { specs += ["svm:ngrams=2", "nb:ngrams=2"] }
        if searchable.contains(.fasttext) { specs.insert("fasttext:epochs=25:ngrams=2", at: min(1, specs.count)) }
        return specs.compactMap { try? LearnerRecipe.parse($0) }
    }

    /// The `index`-th sampled candidate (nil when no family can be searched).
    public func candidate(_ index: Int) -> LearnerRecipe? {
        let families = searchable
        guard !families.isEmpty else { return nil }
        var g = SplitMix64(seed: SplitMix64.mix(seed &+ UInt64(index) &* SplitMix64.increment))
        // Learners get three draws in four when both families are searched: their space is larger.
        let family: TuneFamily = families.count == 1 ? families[0] : (g.index(below: 4) < 3 ? .learners : .fasttext)
        let spec: String
        switch family {
        case .fasttext:
            let epochs = [5, 10, 25, 50][g.index(below: 4)]
            let lr = Self.logUniform(&g, 0.05, 1.0)
            let dim = [50, 100][g.index(below: 2)]
            let ngrams = [1, 2, 3][g.index(below: 3)]
            spec = "fasttext:epochs=\(epochs):lr=\(Self.short(lr)):dim=\(dim):ngrams=\(ngrams)"
        default:
            let kind = ["svm", "svm", "svm", "logreg", "logreg", "nb", "nb"][g.index(below: 7)]
            let setting: String
            switch kind {
            case "svm": setting = "c=\(Self.short(Self.logUniform(&g, 0.05, 5)))"
            case "logreg": setting = "c=\(Self.short(Self.logUniform(&g, 1, 100)))"
            default: setting = "alpha=\(Self.short(Self.logUniform(&g, 0.005, 1)))"
            }
            let chars = g.index(below: 2) == 0
            let ngrams = chars ? [2, 3, 4][g.index(below: 3)] : [1, 2, 3][g.index(below: 3)]
            let sublinear = g.index(below: 2)
            let minDF = [1, 1, 2][g.index(below: 3)]
            spec = "\(kind):\(setting):analyzer=\(chars ? "chars" : "words"):ngrams=\(ngrams):sublinear=\(sublinear):mindf=\(minDF)"
        }
        return try? LearnerRecipe.parse(spec)
    }

    /// A number drawn log-uniformly from `[low, high]`.
    static func logUniform(_ g: inout SplitMix64, _ low: Double, _ high: Double) -> Double {
        let u = Double(g.next() >> 11) / Double(1 << 53)
        return Foundation.exp(Foundation.log(low) + u * (Foundation.log(high) - Foundation.log(low)))
    }

    /// Three significant digits, so specs stay readable.
    static func short(_ v: Double) -> String {
        let s = String(format: "%.3g", v)
        return s.contains("e") ? String(v) : s
    }
}
