import Engine
import Foundation
import Learners

/// A saved classifier: `DIR/weights.safetensors` (the weights) and `DIR/classifier.json`
/// (tokenizer and vocabulary, labels, padding, model spec); or a learner's
/// `DIR/learner.safetensors`. The folder is written whole or not at all (`writeFolder`).
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

    /// Refuses a target that is a file or already holds the other kind's model (the folder
    /// would then hold both): called before training as well as when saving, so a bad target
    /// is refused before the work rather than after.
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
        try checkTarget(dir, for: .neural)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try enc.encode(Envelope(schemaVersion: schemaVersion, classifier: c.config))
        try writeFolder(dir) { tmp in
            try c.model.saveWeights(to: tmp.appendingPathComponent(weightsFile), metadata: ["format": "workbench"])
            try AtomicFile.write(json, to: tmp.appendingPathComponent(configFile))
        }
    }

    /// Saves a learner as a model folder (`learner.safetensors`). Throws `LearnerError` or
    /// `EngineError.file`.
    public static func save(learner: any Learner, to dir: URL) throws {
        try checkTarget(dir, for: .learner)
        try writeFolder(dir) { tmp in try LearnerIO.save(learner, to: tmp.appendingPathComponent(learnerFile)) }
    }

    /// Writes a model folder whole or not at all: `write` fills a temporary sibling folder,
    /// which then takes `dir`'s place, so a reader never finds half a model there (a failed
    /// write removes the temporary folder and leaves `dir` as it was). An earlier model folder
    /// at `dir` is replaced; a folder holding anything else is refused rather than mixed into.
    public static func writeFolder(_ dir: URL, _ write: (URL) throws -> Void) throws {
        let dir = dir.standardizedFileURL
        let fm = FileManager.default
        let parent = dir.deletingLastPathComponent()
        var isDir: ObjCBool = false
        let exists = fm.fileExists(atPath: dir.path, isDirectory: &isDir)
        if exists {
            guard isDir.boolValue else { throw EngineError.file(path: dir.path, reason: "exists and is not a folder") }
            let items = (try? fm.contentsOfDirectory(atPath: dir.path)) ?? []
            let others = items.filter { ![weightsFile, configFile, learnerFile].contains($0) }.sorted()
            guard others.isEmpty else {
                throw EngineError.file(path: dir.path, reason: "exists and holds other files (\(others.prefix(3).joined(separator: ", "))\(others.count > 3 ? ", …" : "")): give a new folder, or one that holds a saved model to replace")
            }
        }
        do { try fm.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
            throw EngineError.file(path: parent.path, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        let tmp = parent.appendingPathComponent(".\(dir.lastPathComponent).tmp-\(UUID().uuidString)", isDirectory: true)
        do {
            do { try fm.createDirectory(at: tmp, withIntermediateDirectories: false) } catch {
                throw EngineError.file(path: tmp.path, reason: "cannot create a temporary folder: \(error.localizedDescription)")
            }
            try write(tmp)
            if exists {
                // Moved aside, not deleted, until the new folder is in place.
                let old = parent.appendingPathComponent(".\(dir.lastPathComponent).old-\(UUID().uuidString)", isDirectory: true)
                guard rename(dir.path, old.path) == 0 else {
                    throw EngineError.file(path: dir.path, reason: "cannot replace the earlier model: \(String(cString: strerror(errno)))")
                }
                guard rename(tmp.path, dir.path) == 0 else {
                    let reason = String(cString: strerror(errno))
                    _ = rename(old.path, dir.path)
                    throw EngineError.file(path: dir.path, reason: "cannot move the new model into place: \(reason)")
                }
                try? fm.removeItem(at: old)
            } else {
                guard rename(tmp.path, dir.path) == 0 else {
                    throw EngineError.file(path: dir.path, reason: "cannot move the new model into place: \(String(cString: strerror(errno)))")
                }
            }
            let fd = open(parent.path, O_RDONLY)
            if fd >= 0 { fsync(fd); close(fd) }
        } catch {
            try? fm.removeItem(at: tmp)
            // Name the folder asked for, not the temporary one that is gone.
            func shown(_ text: String) -> String { text.replacingOccurrences(of: tmp.path, with: dir.path) }
            switch error {
            case let EngineError.file(path, reason): throw EngineError.file(path: shown(path), reason: shown(reason))
            case let LearnerError.file(path, reason): throw LearnerError.file(path: shown(path), reason: shown(reason))
            default: throw error
            }
        }
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
