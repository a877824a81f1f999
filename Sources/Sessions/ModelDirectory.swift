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

    public static func save(_ c: TextClassifier, to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try enc.encode(Envelope(schemaVersion: schemaVersion, classifier: c.config))
        try c.model.saveWeights(to: dir.appendingPathComponent(weightsFile), metadata: ["format": "workbench"])
        try AtomicFile.write(json, to: dir.appendingPathComponent(configFile))
    }

    public static func load(from dir: URL) throws -> TextClassifier {
        let cfgURL = dir.appendingPathComponent(configFile)
        guard let data = FileManager.default.contents(atPath: cfgURL.path) else {
            throw EngineError.file(path: cfgURL.path, reason: "not found (is \(dir.path) a saved model folder?)")
        }
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
