import Engine
import Foundation

/// A saved classifier: `DIR/weights.safetensors` (the weights) and `DIR/classifier.json`
/// (tokenizer and vocabulary, labels, padding, model spec). Each file is written atomically.
public enum ModelDirectory {
    public static let weightsFile = "weights.safetensors"
    public static let configFile = "classifier.json"
    /// A learner model folder holds this one file instead (`LearnerIO`).
    public static let learnerFile = "learner.safetensors"
    public static let schemaVersion = 1

    struct Envelope: Codable {
        var schemaVersion: Int
        var classifier: ClassifierConfig
        enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version", classifier }
    }

    /// What a model folder holds.
    public enum Kind: Sendable { case neural, learner }

    /// The kind of model in `dir`: a learner when it holds `learner.safetensors`, else
    /// neural (loading then says what is missing). A folder holding both kinds' files is an
    /// error naming them: which one was meant cannot be told.
    public static func kind(of dir: URL) throws -> Kind {
        let fm = FileManager.default
        let neural = [configFile, weightsFile].filter { fm.fileExists(atPath: dir.appendingPathComponent($0).path) }
        guard fm.fileExists(atPath: dir.appendingPathComponent(learnerFile).path) else { return .neural }
        guard neural.isEmpty else {
            throw EngineError.file(path: dir.path, reason: "holds both a learner model (\(learnerFile)) and a neural model (\(neural.joined(separator: ", "))); remove the one not wanted")
        }
        return .learner
    }

    /// Creates `dir` if needed for a model of `kind`. Throws, naming the path, when it is a
    /// file, cannot be created (permission denied, …) or already holds the other kind's model
    /// (the folder would then hold both).
    public static func prepare(_ dir: URL, for kind: Kind) throws {
        try checkTarget(dir, for: kind)
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            let (path, reason) = InputFile.describe(error)
            throw EngineError.file(path: path ?? dir.path, reason: "cannot create the model folder: \(reason)")
        }
    }

    /// The checks of `prepare` that need nothing created: to refuse a target before
    /// training rather than after.
    public static func checkTarget(_ dir: URL, for kind: Kind) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), !isDir.boolValue {
            throw EngineError.file(path: dir.path, reason: "already exists and is a file, expected a folder for the model")
        }
        let other = kind == .neural ? [learnerFile] : [configFile, weightsFile]
        let found = other.filter { FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).path) }
        if !found.isEmpty {
            let what = kind == .neural ? "a learner model" : "a neural model"
            throw EngineError.file(path: dir.path, reason: "already holds \(what) (\(found.joined(separator: ", "))); save to another folder or remove it")
        }
    }

    public static func save(_ c: TextClassifier, to dir: URL) throws {
        try prepare(dir, for: .neural)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try enc.encode(Envelope(schemaVersion: schemaVersion, classifier: c.config))
        try c.model.saveWeights(to: dir.appendingPathComponent(weightsFile), metadata: ["format": "workbench"])
        try AtomicFile.write(json, to: dir.appendingPathComponent(configFile))
    }

    public static func load(from dir: URL) throws -> TextClassifier {
        let cfgURL = dir.appendingPathComponent(configFile)
        guard FileManager.default.fileExists(atPath: cfgURL.path) else {
            throw EngineError.file(path: cfgURL.path, reason: "not found (is \(dir.path) a saved model folder?)")
        }
        let data = try InputFile.contents(of: cfgURL)
        let env: Envelope
        do {
            env = try JSONDecoder().decode(Envelope.self, from: data)
        } catch {
            throw EngineError.file(path: cfgURL.path, reason: describe(error))
        }
        guard env.schemaVersion <= schemaVersion else {
            throw EngineError.file(path: cfgURL.path, reason: "schema version \(env.schemaVersion) is newer than this workbench reads (\(schemaVersion))")
        }
        let c = try TextClassifier(config: env.classifier, seed: 0)
        try c.model.loadWeights(from: dir.appendingPathComponent(weightsFile))
        return c
    }

    /// A decoding error as "field a.b[2].c: what was wrong".
    public static func describe(_ error: Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ p: [CodingKey]) -> String {
            p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch e {
        case let .keyNotFound(k, ctx): return "missing field '\(path(ctx.codingPath + [k]))'"
        case let .typeMismatch(t, ctx): return "field '\(path(ctx.codingPath))': expected \(t)"
        case let .valueNotFound(t, ctx): return "field '\(path(ctx.codingPath))': expected \(t), found null"
        case let .dataCorrupted(ctx):
            return ctx.codingPath.isEmpty ? "not valid JSON (\(ctx.debugDescription))" : "field '\(path(ctx.codingPath))': \(ctx.debugDescription)"
        @unknown default: return "\(e)"
        }
    }
}
