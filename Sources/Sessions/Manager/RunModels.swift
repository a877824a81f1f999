import Engine
import Foundation
import Learners
import TextData

/// A session's runs side by side: learner runs (an SVM, a forest, fastText… trained in one go
/// on the session's texts), the leaderboard of every run, and opening any earlier run in the
/// console. Each finished run's model stays in the session's `runs/` folder.
/// The model of a run that the engine does not hold. Thread-safe to query.
enum RunModel: Sendable {
    case learner(any Learner)
    case neural(LockedClassifier)

    func probabilities(_ texts: [String]) throws -> [[Float]] {
        switch self {
        case let .learner(l): return texts.map { l.predictProbabilities($0) }
        case let .neural(c): return try c.use { try $0.probabilities(texts) }
        }
    }

    func report(_ examples: [LabelledText]) throws -> ClassificationReport {
        switch self {
        case let .learner(l): return try l.report(examples)
        case let .neural(c): return try c.use { try $0.report(examples) }
        }
    }

    func explain(_ text: String) throws -> TokenAttribution {
        switch self {
        case let .learner(l): return TokenAttribution(learner: l, text: text)
        case let .neural(c): return try c.use { try $0.explain(text) }
        }
    }
}

/// A classifier used from any thread, one call at a time (its layers keep working buffers).
final class LockedClassifier: @unchecked Sendable {
    private let lock = NSLock()
    private let classifier: TextClassifier

    init(_ classifier: TextClassifier) { self.classifier = classifier }

    func use<T>(_ body: (TextClassifier) throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body(classifier)
    }

    /// `use`, or nil at once when another thread is using it.
    func tryUse<T>(_ body: (TextClassifier) throws -> T) rethrows -> T? {
        guard lock.try() else { return nil }
        defer { lock.unlock() }
        return try body(classifier)
    }
}

/// Where a session keeps its runs' models: `runs/run-<id>.weights.safetensors` for neural
/// runs that a newer run replaced, `runs/run-<id>.learner.safetensors` for learner runs.
public enum RunFiles {
    public static let folder = "runs"

    public static func weightsURL(in dir: URL, run: Int) -> URL {
        dir.appendingPathComponent(folder).appendingPathComponent("run-\(run).weights.safetensors")
    }

    /// `--checkpoint best`: the weights at the end of a neural run's best epoch, kept as it
    /// trains; predictions and exports of the run use them.
    public static func bestWeightsURL(in dir: URL, run: Int) -> URL {
        dir.appendingPathComponent(folder).appendingPathComponent("run-\(run).best.safetensors")
    }

    /// EarlyStopping's best epoch's weights (restore_best_weights), kept as the run trains so
    /// that a run resumed from a checkpoint can still end with them.
    public static func earlyStoppingBestURL(in dir: URL, run: Int) -> URL {
        dir.appendingPathComponent(folder).appendingPathComponent("run-\(run).early-stopping-best.safetensors")
    }

    public static func learnerURL(in dir: URL, run: Int) -> URL {
        dir.appendingPathComponent(folder).appendingPathComponent("run-\(run).learner.safetensors")
    }

    /// Whether a run's model can be used: the engine run's is the checkpoint's; the others
    /// are in `runs/` when they were kept.
    static func hasModel(_ run: RunRecord, engineRun: Int, in dir: URL) -> Bool {
        switch run.kind {
        case .learner: return FileManager.default.fileExists(atPath: learnerURL(in: dir, run: run.id).path)
        case .neural: return run.id == engineRun || FileManager.default.fileExists(atPath: weightsURL(in: dir, run: run.id).path)
        }
    }

    /// Copies a run's weights into `runs/` with `AtomicFile` (whole or absent, synced).
    static func keep(_ source: URL, as target: URL) throws {
        do {
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard let data = try SessionFileAccess.read(source) else { throw SessionError.file(path: source.path, reason: "missing") }
            try AtomicFile.write(data, to: target)
        } catch {
            throw SessionError.file(path: target.path, reason: "could not keep the run's weights: \(error)")
        }
    }
}

/// Which weights of a neural run answer (`--checkpoint best|last` at predict, eval, export,
/// serve): the best epoch's (a run trained with `--checkpoint best` keeps them) or the last.
public enum CheckpointChoice: String, Sendable, CaseIterable {
    case best, last
}

/// One run on the leaderboard.
public struct RunStanding: Sendable, Equatable {
    public var run: Int
    /// "svm:c=0.5" or "Embedding(64) → LSTM(64) → Dense(1)".
    public var model: String
    /// The validation accuracy of the run's last epoch (learners: their only one).
    public var validationAccuracy: Float?
    public var bestValidationAccuracy: Float?
    public var trainAccuracy: Float?
    /// Epochs trained (nil for a learner, which trains in one go).
    public var epochs: Int?
    /// Seconds of training summed over the run's epochs.
    public var trainingSeconds: Double
    public var started: Date
    public var isCurrent: Bool
    public var isInConsole: Bool
    /// Whether its model can be opened in the console (kept in `runs/`, or the current one).
    public var canOpen: Bool

    init(run r: RunRecord, isCurrent: Bool, isInConsole: Bool, canOpen: Bool) {
        let scores = r.scores
        run = r.id
        model = r.summary
        validationAccuracy = scores.validationAccuracy
        bestValidationAccuracy = scores.bestValidationAccuracy
        trainAccuracy = scores.trainAccuracy
        epochs = scores.epochs
        trainingSeconds = scores.seconds
        started = r.started
        self.isCurrent = isCurrent
        self.isInConsole = isInConsole
        self.canOpen = canOpen
    }

    /// Best first: validation accuracy (of the last epoch), then training accuracy, then
    /// newest; runs with no epoch last.
    static func ranked(_ runs: [RunStanding]) -> [RunStanding] {
        runs.sorted { a, b in
            func key(_ r: RunStanding) -> (Int, Float, Float, Int) {
                (r.trainAccuracy != nil ? 1 : 0, r.validationAccuracy ?? -1, r.trainAccuracy ?? -1, r.run)
            }
            return key(a) > key(b)
        }
    }
}

extension TokenAttribution {
    /// Occlusion for a learner: the drop in the predicted class's probability when each
    /// token alone is removed from the text the learner reads.
    public init(learner: any Learner, text: String) {
        let tokens = learner.tokens(in: text)
        let base = learner.predictProbabilities(tokens: tokens)
        let predicted = base.indices.max { base[$0] < base[$1] } ?? 0
        var scored: [Token] = []
        scored.reserveCapacity(tokens.count)
        for i in tokens.indices {
            var rest = tokens
            rest.remove(at: i)
            let p = learner.predictProbabilities(tokens: rest)
            scored.append(Token(text: tokens[i], known: true, score: base[predicted] - p[predicted]))
        }
        self.init(probabilities: base, predicted: predicted, tokens: scored)
    }
}
