import Engine
import Foundation

/// A saved learner: its small state as JSON and its big arrays as raw little-endian numbers,
/// in the safetensors layout (8-byte little-endian header length, a JSON header naming each
/// array's dtype, shape and byte range, then the data), so Python's `safetensors` opens it.
/// The JSON documents are stored in the header's `__metadata__` as `workbench.<name>`, the
/// kind as `workbench.kind`. Arrays are `F32` or `I32`; their order in the file is the
/// order they were added, so the same model always gives the same bytes.
public struct LearnerArchive: Sendable, Equatable {
    public enum Array: Sendable, Equatable {
        case f32([Float], shape: [Int])
        case i32([Int32], shape: [Int])

        var shape: [Int] {
            switch self {
            case let .f32(_, s), let .i32(_, s): return s
            }
        }
        var count: Int {
            switch self {
            case let .f32(v, _): return v.count
            case let .i32(v, _): return v.count
            }
        }
        var dtype: String {
            switch self {
            case .f32: return "F32"
            case .i32: return "I32"
            }
        }
    }

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
        var header: [String: Any] = ["__metadata__": meta]
        var offset = 0
        for (name, a) in arrays {
            let bytes = a.count * 4
            header[name] = ["dtype": a.dtype, "shape": a.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        var len = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, a) in arrays {
            switch a {
            case let .f32(v, _): Self.appendLittleEndian(v.map(\.bitPattern), to: &out)
            case let .i32(v, _): Self.appendLittleEndian(v.map { UInt32(bitPattern: $0) }, to: &out)
            }
        }
        return out
    }

    private static func appendLittleEndian(_ words: [UInt32], to out: inout Data) {
        if Int(littleEndian: 1) == 1 {
            words.withUnsafeBytes { out.append(contentsOf: $0) }
        } else {
            out.append(contentsOf: words.map(\.littleEndian).withUnsafeBytes { Swift.Array($0) })
        }
    }

    /// Reads an archive; `path` only names the file in errors. The header is checked as
    /// `SafeTensors.parseHeader` checks it (sizes without overflow, ranges inside the file,
    /// tensors tiling the data); an F32 array holding a NaN or infinity is refused, naming it.
    public init(decoding data: Data, path: String) throws {
        func fail(_ why: String) -> LearnerError { .file(path: path, reason: why) }
        let entries: [SafeTensors.Entry], meta: [String: String]
        do {
            (entries, meta) = try SafeTensors.parseHeader(data, path: path, dtypes: ["F32", "I32"])
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
        // In file order (entries come sorted by offset), so the same file gives the same archive.
        for e in entries {
            var words = [UInt32](repeating: 0, count: e.count)
            data.withUnsafeBytes { raw in
                let base = e.bytes.lowerBound - data.startIndex
                for i in 0..<e.count {
                    words[i] = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 4 * i, as: UInt32.self))
                }
            }
            if e.dtype == "F32" {
                let values = words.map { Float(bitPattern: $0) }
                guard values.allSatisfy(\.isFinite) else { throw fail("array '\(e.name)' holds a NaN or infinity") }
                arrays.append((e.name, .f32(values, shape: e.shape)))
            } else {
                arrays.append((e.name, .i32(words.map { Int32(bitPattern: $0) }, shape: e.shape)))
            }
        }
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
