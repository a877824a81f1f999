import Engine
import Foundation
import Learners
import TextData

/// Where a session is in its life. Persisted in session.json; on load, a session that was
/// queued, training or paused when its process ended comes back idle (there is no job).
public enum SessionStatus: Sendable, Equatable, Codable, CustomStringConvertible {
    case idle
    /// Waiting for the engine: another job is training.
    case queued
    case training
    /// Stopped at a batch boundary; resume carries on.
    case paused
    /// The run reached its planned epochs.
    case finished
    case failed(String)

    /// Queued or training: a job that will run batches without being asked again.
    public var isActive: Bool { self == .queued || self == .training }

    public var label: String {
        switch self {
        case .idle: return "idle"
        case .queued: return "queued"
        case .training: return "training"
        case .paused: return "paused"
        case .finished: return "finished"
        case .failed: return "failed"
        }
    }

    public var description: String {
        if case let .failed(reason) = self { return "failed: \(reason)" }
        return label
    }

    enum CodingKeys: String, CodingKey { case state, reason }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(label, forKey: .state)
        if case let .failed(reason) = self { try c.encode(reason, forKey: .reason) }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let state = try c.decode(String.self, forKey: .state)
        switch state {
        case "idle": self = .idle
        case "queued": self = .queued
        case "training": self = .training
        case "paused": self = .paused
        case "finished": self = .finished
        case "failed": self = .failed(try c.decodeIfPresent(String.self, forKey: .reason) ?? "unknown reason")
        default:
            throw DecodingError.dataCorruptedError(forKey: .state, in: c,
                debugDescription: "unknown state '\(state)' (expected idle, queued, training, paused, finished or failed)")
        }
    }
}

/// Where the validation examples come from.
public enum ValidationSource: Sendable, Equatable, Codable {
    case none
    /// A seeded stratified split of the data set (`StratifiedSplit`).
    case split(fraction: Double, seed: UInt64)
    /// A separate file, read with the data set's options.
    case file(path: String, format: DatasetFormat, hash: String, examples: Int)

    enum CodingKeys: String, CodingKey { case kind, fraction, seed, path, format, hash, examples }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .none: try c.encode("none", forKey: .kind)
        case let .split(f, seed):
            try c.encode("split", forKey: .kind); try c.encode(f, forKey: .fraction); try c.encode(seed, forKey: .seed)
        case let .file(path, format, hash, examples):
            try c.encode("file", forKey: .kind); try c.encode(path, forKey: .path); try c.encode(format, forKey: .format)
            try c.encode(hash, forKey: .hash); try c.encode(examples, forKey: .examples)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "none": self = .none
        case "split": self = .split(fraction: try c.decode(Double.self, forKey: .fraction), seed: try c.decode(UInt64.self, forKey: .seed))
        case "file":
            self = .file(path: try c.decode(String.self, forKey: .path), format: try c.decode(DatasetFormat.self, forKey: .format),
                         hash: try c.decode(String.self, forKey: .hash), examples: try c.decode(Int.self, forKey: .examples))
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown validation kind '\(kind)' (expected none, split or file)")
        }
    }
}

/// The data set a session was built on: an absolute path, how to read it, and the content
/// hash (`ContentHash`) checked before every training job.
public struct DatasetReference: Sendable, Equatable, Codable {
    public var path: String
    public var format: DatasetFormat
    public var options: ReadOptions
    public var hash: String
    /// Examples read from the file (before any split).
    public var examples: Int
    public var validation: ValidationSource

    public init(path: String, format: DatasetFormat, options: ReadOptions, hash: String, examples: Int, validation: ValidationSource) {
        self.path = path; self.format = format; self.options = options; self.hash = hash
        self.examples = examples; self.validation = validation
    }
}

/// The content of `session.json`.
public struct SessionRecord: Sendable, Codable {
    /// The schema this workbench writes and the newest it reads.
    /// 1: neural runs only. 2: runs may be learners (a learner run carried the neural model
    /// of the run before it). 3: a run is a sum type (`RunKind`), the model being shaped is
    /// the `plan`, and runs begin when training begins. Older records are migrated on reading
    /// (`LegacySessionRecord`) and written back as 3 by the next change.
    public static let currentSchemaVersion = 3
    public var schemaVersion: Int
    /// Stable across renames.
    public var id: String
    /// The folder's name (the folder wins if they disagree).
    public var name: String
    public var created: Date
    public var modified: Date
    public var dataset: DatasetReference
    /// The fitted tokenizer, vocabulary included.
    public var tokenizer: TextTokenizer
    public var labels: LabelEncoder
    public var maxLength: Int
    public var padding: PadSide
    public var truncating: PadSide
    /// Every run, oldest first; the last is the current one. Never empty, and holds at least
    /// one neural run: the newest is the engine's (`engineRun`), whose weights are the
    /// checkpoint's.
    public var runs: [RunRecord]
    /// What training makes next: the model being shaped.
    public var plan: RunPlan
    /// Bumped by every checkpoint; the weights and optimiser files carry the number they belong to.
    public var checkpoint: Int
    /// Batches between autosaves (a checkpoint is also written at every epoch end).
    public var autosaveEvery: Int
    public var status: SessionStatus
    /// The sizes and checksums of the checkpoint's weights and optimiser files, so a damaged
    /// file is told from the one the checkpoint wrote (nil in sessions written before they
    /// were recorded: their files are checked by their tensors alone).
    public var checkpointFiles: CheckpointDigests? = nil

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", id, name, created, modified, dataset, tokenizer, labels
        case maxLength = "max_length", padding, truncating, runs, plan, checkpoint, autosaveEvery = "autosave_every", status
        case checkpointFiles = "checkpoint_files"
    }

    /// The run predictions use by default: the newest run that has trained, or before any
    /// has, the newest run (whose fresh weights the checkpoint holds).
    public var currentRun: RunRecord { runs.last(where: \.hasTrained) ?? runs[runs.count - 1] }

    /// The index in `runs` of the newest neural run: the one the engine holds and the
    /// checkpoint's weights belong to.
    public var engineRunIndex: Int { runs.lastIndex { $0.neural != nil } ?? runs.count - 1 }
    public var engineRun: NeuralRun {
        guard let n = runs[engineRunIndex].neural else { preconditionFailure("validate() guarantees a neural run") }
        return n
    }
    public var engineRunID: Int { runs[engineRunIndex].id }

    /// The neural settings training uses next: the plan's, or with a learner plan the engine
    /// run's (what a neural model named later starts from).
    public var neuralPlan: NeuralPlan { plan.neuralSettings ?? engineRun.plan }

    /// The id a new neural run gets: the engine run's when that never trained and is the
    /// newest (the new run takes its place), else one past the newest.
    public var nextNeuralRunID: Int {
        if engineRunIndex == runs.count - 1 && !engineRun.hasTrained { return engineRunID }
        return (runs.map(\.id).max() ?? 0) + 1
    }

    /// Changes the engine's run (the newest neural one).
    mutating func updateEngineRun(_ body: (inout NeuralRun) -> Void) {
        let i = engineRunIndex
        guard case var .neural(n) = runs[i].kind else { return }
        body(&n)
        runs[i].kind = .neural(n)
    }

    /// What turns text into model inputs, with the engine run's model.
    public var classifierConfig: ClassifierConfig {
        ClassifierConfig(tokenizer: tokenizer, labels: labels, maxLength: maxLength, padding: padding,
                         truncating: truncating, model: engineRun.model)
    }

    /// Whether a history line belongs to what the record holds: a run it has (the engine's run
    /// only up to its cursor, a learner run once trained).
    public func keeps(_ line: HistoryRecord) -> Bool {
        guard let run = runs.first(where: { $0.id == line.run }) else { return false }
        switch run.kind {
        case .learner(let l): return l.result != nil
        case .neural(let n):
            guard run.id == engineRunID else { return true }
            switch line.kind {
            case .step: return line.step <= n.cursor.step
            case .epoch: return line.epoch <= n.cursor.epochsCompleted
            }
        }
    }

    /// Checks what decoding cannot: throws a reason naming the field.
    func validate() throws {
        func fail(_ field: String, _ why: String) -> SessionError { .invalidSetting(field: field, reason: why) }
        func check(_ model: ModelSpec, _ fit: FitConfig, _ optimizer: OptimizerSpec, field f: String) throws {
            guard model.inputLength == maxLength else {
                throw fail("\(f).model.input_length", "\(model.inputLength) differs from max_length \(maxLength)")
            }
            do { try fit.validate(); try optimizer.validate() } catch let e as EngineError { throw fail(f, e.description) }
            if let w = fit.classWeights, w.count != labels.count {
                throw fail("\(f).fit.classWeights", "\(w.count) weights for \(labels.count) classes")
            }
            for (j, l) in model.layers.enumerated() {
                do { try l.validate(index: j) } catch let e as EngineError { throw fail("\(f).model", e.description) }
            }
        }
        guard !runs.isEmpty else { throw fail("runs", "a session has at least one run") }
        guard checkpoint >= 0 else { throw fail("checkpoint", "must be ≥ 0, got \(checkpoint)") }
        guard autosaveEvery >= 1 else { throw fail("autosave_every", "must be at least 1, got \(autosaveEvery)") }
        guard maxLength >= 1 else { throw fail("max_length", "must be at least 1, got \(maxLength)") }
        guard runs.contains(where: { $0.neural != nil }) else { throw fail("runs", "a session has at least one neural run") }
        if case let .neural(p) = plan { try check(p.model, p.fit, p.optimizer, field: "plan") }
        for (i, run) in runs.enumerated() {
            let f = "runs[\(i)]"
            guard case let .neural(n) = run.kind else {
                if i > 0, run.id <= runs[i - 1].id { throw fail("\(f).id", "run ids must increase") }
                continue
            }
            try check(n.model, n.fit, n.optimizer, field: "\(f)")
            let c = n.cursor
            guard c.epochsCompleted >= 0, c.batchInEpoch >= 0, c.step >= 0, c.seen >= 0, c.correct >= 0, c.trainCount >= 0 else {
                throw fail("\(f).cursor", "negative epoch, batch, step or count")
            }
            guard c.shuffleGenerator.state.count == 4, c.layerGenerators.values.allSatisfy({ $0.state.count == 4 }) else {
                throw fail("\(f).cursor", "a generator state must have 4 words")
            }
            if i > 0, run.id <= runs[i - 1].id { throw fail("\(f).id", "run ids must increase") }
        }
    }
}

/// What a checkpoint wrote: the size and XXH64 of its weights and optimiser files.
public struct CheckpointDigests: Sendable, Equatable, Codable {
    public var weights: FileDigest
    public var optimizer: FileDigest

    public init(weights: Data, optimizer: Data) {
        self.weights = FileDigest(weights)
        self.optimizer = FileDigest(optimizer)
    }
}

/// A file's size and content hash (`ContentHash`'s `xxh64:<16 hex digits>`).
public struct FileDigest: Sendable, Equatable, Codable {
    public var bytes: Int
    public var xxh64: String

    public init(_ data: Data) {
        bytes = data.count
        xxh64 = ContentHash.format(data.withUnsafeBytes { XXH64.hash($0) })
    }
}

/// The JSON coders for every session file: sorted keys, ISO 8601 dates, non-finite numbers
/// as strings.
enum SessionJSON {
    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }
    static var lineEncoder: JSONEncoder {
        let e = encoder
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
