import Engine
import Foundation

/// A saved learner: its small state as JSON and its big arrays as raw little-endian numbers,
/// in the safetensors layout (8-byte little-endian header length, a JSON header naming each
/// array's dtype, shape and byte range, then the data), so Python's `safetensors` opens it.
/// The JSON documents are stored in the header's `__metadata__` as `workbench.<name>`, the
/// kind as `workbench.kind`. Arrays are `F32` or `I32`; their order in the file is the
/// order they were added, so the same model always gives the same bytes.
public struct LearnerArchive: Sendable, Equatable {
    /// An F32 or I32 array, as `SafeTensors` stores it.
    public typealias Array = SafeTensors.Array

    public var kind: LearnerKind
    /// Named JSON documents (the learner's small Codable state), stored in the metadata as
    /// `workbench.<name>`.
    public private(set) var documents: [String: Data] = [:]
    public private(set) var arrays: [(name: String, array: Array)] = []

    public init(kind: LearnerKind) {
        self.kind = kind
    }

    /// Elements of the array `name` (0 when there is none).
    public func count(of name: String) -> Int {
        arrays.first { $0.name == name }?.array.count ?? 0
    }

    /// The model's learned numbers: every array's elements, except fastText's `buckets`
    /// (which only say where hashed n-gram rows sit).
    public var parameterCount: Int {
        arrays.reduce(0) { $0 + ($1.name == "buckets" ? 0 : $1.array.count) }
    }

    /// Stores `value` as JSON with sorted keys under `name`.
    public mutating func set<T: Encodable>(_ name: String, _ value: T) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        documents[name] = try enc.encode(value)
    }

    /// The document `name` decoded.
    public func get<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        guard let data = documents[name] else {
            throw LearnerError.file(path: "\(kind.rawValue) model", reason: "missing '\(name)' state")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw LearnerError.file(path: "\(kind.rawValue) model", reason: "'\(name)' state: \(error)")
        }
    }

    public mutating func add(_ name: String, _ values: [Float], shape: [Int]? = nil) {
        arrays.append((name, .f32(values, shape: shape ?? [values.count])))
    }

    public mutating func add(_ name: String, _ values: [Int32], shape: [Int]? = nil) {
        arrays.append((name, .i32(values, shape: shape ?? [values.count])))
    }

    public func floats(_ name: String, count: Int? = nil) throws -> [Float] {
        guard let a = arrays.first(where: { $0.name == name })?.array, case let .f32(v, _) = a else {
            throw LearnerError.file(path: "\(kind.rawValue) model", reason: "missing F32 array '\(name)'")
        }
        if let count, v.count != count {
            throw LearnerError.file(path: "\(kind.rawValue) model", reason: "array '\(name)' holds \(v.count) values, expected \(count)")
        }
        return v
    }

    public func ints(_ name: String, count: Int? = nil) throws -> [Int32] {
        guard let a = arrays.first(where: { $0.name == name })?.array, case let .i32(v, _) = a else {
            throw LearnerError.file(path: "\(kind.rawValue) model", reason: "missing I32 array '\(name)'")
        }
        if let count, v.count != count {
            throw LearnerError.file(path: "\(kind.rawValue) model", reason: "array '\(name)' holds \(v.count) values, expected \(count)")
        }
        return v
    }

    public static func == (a: LearnerArchive, b: LearnerArchive) -> Bool {
        a.kind == b.kind && a.documents == b.documents && a.arrays.count == b.arrays.count
            && zip(a.arrays, b.arrays).allSatisfy { $0.name == $1.name && $0.array == $1.array }
    }

    // MARK: Bytes

    static let kindKey = "workbench.kind"
    static let documentPrefix = "workbench."

    /// The file's bytes.
    public func encoded() throws -> Data {
        var meta = [Self.kindKey: kind.rawValue]
        for (name, data) in documents { meta[Self.documentPrefix + name] = String(decoding: data, as: UTF8.self) }
        return try SafeTensors.encode(arrays: arrays, metadata: meta)
    }

    /// Reads an archive; `path` only names the file in errors. The file is read by
    /// `SafeTensors.decodeArrays` (header checked, F32 arrays finite), in file order.
    public init(decoding data: Data, path: String) throws {
        func fail(_ why: String) -> LearnerError { .file(path: path, reason: why) }
        let arrays: [(name: String, array: Array)], meta: [String: String]
        do {
            (arrays, meta) = try SafeTensors.decodeArrays(data, path: path, dtypes: ["F32", "I32"])
        } catch let EngineError.file(_, reason) {
            throw fail(reason)
        }
        guard let kindName = meta[Self.kindKey] else {
            throw fail("no '\(Self.kindKey)' metadata: not a workbench learner file")
        }
        guard let kind = LearnerKind(rawValue: kindName) else {
            throw fail("unknown learner kind '\(kindName)' (expected one of: \(LearnerKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self.init(kind: kind)
        for (key, text) in meta where key != Self.kindKey && key.hasPrefix(Self.documentPrefix) {
            documents[String(key.dropFirst(Self.documentPrefix.count))] = Data(text.utf8)
        }
        self.arrays = arrays
    }

    /// The element count of an array shaped `factors` (read from a model's own state), or an
    /// error naming the array when the product overflows.
    public func elementCount(_ factors: Int..., of name: String) throws -> Int {
        guard let n = Checked.product(factors) else {
            throw LearnerError.file(path: "\(kind.rawValue) model", reason: "array '\(name)': the sizes \(factors) overflow")
        }
        return n
    }

    /// Writes the file atomically.
    public func write(to url: URL) throws {
        do {
            try AtomicFile.write(try encoded(), to: url)
        } catch let e as EngineError {
            throw LearnerError.file(path: url.path, reason: e.description)
        }
    }

    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try InputFile.contents(of: url)
        } catch let EngineError.file(path, reason) {
            throw LearnerError.file(path: path, reason: reason)
        }
        try self.init(decoding: data, path: url.path)
    }
}
