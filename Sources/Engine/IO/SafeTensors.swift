import Foundation

/// The safetensors format (8-byte little-endian header length, a JSON header, then raw
/// little-endian data), so Python's `safetensors` opens what we write. Model weights are
/// float32 (`encode(_:metadata:)`, `decode`); learner archives add int32 arrays
/// (`encode(arrays:metadata:)`, `decodeArrays`). One writer and one reader for both.
public enum SafeTensors {
    /// One stored array: its values and shape, in one of the dtypes this workbench writes.
    public enum Array: Sendable, Equatable {
        case f32([Float], shape: [Int])
        case i32([Int32], shape: [Int])

        public var shape: [Int] {
            switch self {
            case let .f32(_, s), let .i32(_, s): return s
            }
        }
        public var count: Int {
            switch self {
            case let .f32(v, _): return v.count
            case let .i32(v, _): return v.count
            }
        }
        /// The header's name for the element type.
        public var dtype: String {
            switch self {
            case .f32: return "F32"
            case .i32: return "I32"
            }
        }
    }

    /// Encodes named float32 tensors, in the given order, with optional string metadata.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) throws -> Data {
        try encode(arrays: tensors.map { ($0.name, .f32($0.tensor.scalars, shape: $0.tensor.shape)) }, metadata: metadata)
    }

    /// Encodes named arrays, in the given order (so the same arrays always give the same
    /// bytes), with optional string metadata (no `__metadata__` entry when it is empty).
    public static func encode(arrays: [(name: String, array: Array)], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, a) in arrays {
            let bytes = a.count * 4
            header[name] = ["dtype": a.dtype, "shape": a.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        var len = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, a) in arrays {
            switch a {
            case let .f32(v, _): appendLittleEndian(v, to: &out)
            case let .i32(v, _): appendLittleEndian(v, to: &out)
            }
        }
        return out
    }

    /// Appends 4-byte values as little-endian words: their memory as it is on a
    /// little-endian machine, swapped word by word elsewhere.
    private static func appendLittleEndian<T: BitwiseCopyable>(_ values: [T], to out: inout Data) {
        if Int(littleEndian: 1) == 1 {
            values.withUnsafeBytes { out.append(contentsOf: $0) }
        } else {
            values.withUnsafeBytes { raw in
                for i in 0..<values.count {
                    var w = raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian
                    withUnsafeBytes(of: &w) { out.append(contentsOf: $0) }
                }
            }
        }
    }

    /// One tensor's entry in a header, checked against the file: `bytes` is its byte range in
    /// the file's data (indices into the `Data` that was parsed).
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var dtype: String
        public var shape: [Int]
        /// Elements: the product of `shape`.
        public var count: Int
        public var bytes: Range<Int>
    }

    /// Element sizes of the dtypes this workbench reads.
    public static let elementSizes = ["F32": 4, "I32": 4]

    /// Parses and checks a file's header without reading any tensor: the header length
    /// against the file's size (and `Limits.maxSafeTensorsHeaderBytes`), each entry's dtype
    /// (one of `dtypes`), shape (non-negative, product without overflow) and `data_offsets`
    /// (inside the data, their length the dtype's size × the element count), and that the
    /// tensors tile the data exactly, as the reference reader demands: no gap, no overlap
    /// (so no duplicate), nothing after the last. Entries come in file order. `path` only
    /// names the file in errors.
    public static func parseHeader(_ data: Data, path: String, dtypes: Set<String> = ["F32"]) throws
        -> (entries: [Entry], metadata: [String: String]) {
        func fail(_ why: String) -> EngineError { .file(path: path, reason: why) }
        guard data.count >= 8 else { throw fail("too short for a safetensors file (\(data.count) bytes)") }
        let start = data.startIndex
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("header length \(headerLength) runs past the end of the file (\(data.count) bytes): truncated?")
        }
        guard headerLength <= UInt64(Limits.maxSafeTensorsHeaderBytes) else {
            throw fail("header length \(headerLength) is over the limit of \(Limits.maxSafeTensorsHeaderBytes) bytes")
        }
        let body = start + 8 + Int(headerLength)
        let bodyLength = data.endIndex - body
        guard let header = (try? JSONSerialization.jsonObject(with: data.subdata(in: start + 8 ..< body))) as? [String: Any] else {
            throw fail("the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in header {
            let shown = "'\(name)'"
            if name == "__metadata__" {
                guard let m = value as? [String: String] else { throw fail("'__metadata__' is not an object of strings") }
                metadata = m
                continue
            }
            guard let info = value as? [String: Any] else { throw fail("tensor \(shown): entry is not an object") }
            guard let dtype = info["dtype"] as? String, dtypes.contains(dtype), let size = elementSizes[dtype] else {
                let found = (info["dtype"] as? String).map { "'\($0)'" } ?? "missing"
                throw fail("tensor \(shown): dtype \(found), expected \(dtypes.sorted().joined(separator: " or "))")
            }
            guard let shape = integers(info["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("tensor \(shown): bad shape (expected an array of non-negative integers)")
            }
            guard let offsets = integers(info["data_offsets"]), offsets.count == 2, offsets[0] >= 0, offsets[1] >= offsets[0] else {
                throw fail("tensor \(shown): bad data_offsets (expected [begin, end] with 0 ≤ begin ≤ end)")
            }
            guard let count = Checked.product(shape), let needed = Checked.product([count, size]) else {
                throw fail("tensor \(shown): shape \(shape) has more elements than can be addressed")
            }
            guard offsets[1] <= bodyLength else {
                throw fail("tensor \(shown): data ends at byte \(offsets[1]) but the file holds \(bodyLength) bytes of data: truncated?")
            }
            guard offsets[1] - offsets[0] == needed else {
                throw fail("tensor \(shown): shape \(shape) needs \(needed) bytes, data_offsets give \(offsets[1] - offsets[0])")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, count: count, bytes: body + offsets[0] ..< body + offsets[1]))
        }
        entries.sort { ($0.bytes.lowerBound, $0.bytes.upperBound, $0.name) < ($1.bytes.lowerBound, $1.bytes.upperBound, $1.name) }
        var end = body
        for e in entries {
            guard e.bytes.lowerBound == end else {
                let what = e.bytes.lowerBound < end ? "overlaps the tensor before it" : "leaves a gap of \(e.bytes.lowerBound - end) bytes before it"
                throw fail("tensor '\(e.name)': data at bytes \(e.bytes.lowerBound - body)..<\(e.bytes.upperBound - body) \(what)")
            }
            end = e.bytes.upperBound
        }
        guard end == data.endIndex else {
            throw fail("\(data.endIndex - end) bytes after the last tensor's data belong to no tensor")
        }
        return (entries, metadata)
    }

    /// A JSON array of integers, or nil for anything else. Foundation's bridging casts a
    /// number to `Int` only when it is one exactly: a fraction or a number beyond `Int` fails.
    static func integers(_ value: Any?) -> [Int]? {
        value as? [Int]
    }

    /// Decodes every tensor (float32 only) and the metadata. `path` only names the file in
    /// errors; a NaN or infinity in a tensor is refused, naming it.
    public static func decode(_ data: Data, path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let (arrays, metadata) = try decodeArrays(data, path: path, dtypes: ["F32"])
        var tensors: [String: Tensor] = [:]
        for (name, a) in arrays {
            if case let .f32(v, shape) = a { tensors[name] = Tensor(shape: shape, scalars: v) }
        }
        return (tensors, metadata)
    }

    /// Decodes every array of the given `dtypes`, in file order (so the same file gives the
    /// same list), and the metadata. The header is checked by `parseHeader`; `path` only
    /// names the file in errors; an F32 array holding a NaN or infinity is refused, naming it.
    public static func decodeArrays(_ data: Data, path: String, dtypes: Set<String> = ["F32", "I32"]) throws
        -> (arrays: [(name: String, array: Array)], metadata: [String: String]) {
        let (entries, metadata) = try parseHeader(data, path: path, dtypes: dtypes)
        var arrays: [(name: String, array: Array)] = []
        for e in entries {
            let words = data.withUnsafeBytes { raw in
                let base = e.bytes.lowerBound - data.startIndex
                return (0..<e.count).map { i in UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 4 * i, as: UInt32.self)) }
            }
            if e.dtype == "F32" {
                let values = words.map { Float(bitPattern: $0) }
                guard values.allSatisfy(\.isFinite) else {
                    throw EngineError.file(path: path, reason: "tensor '\(e.name)' holds a NaN or infinity")
                }
                arrays.append((e.name, .f32(values, shape: e.shape)))
            } else {
                arrays.append((e.name, .i32(words.map { Int32(bitPattern: $0) }, shape: e.shape)))
            }
        }
        return (arrays, metadata)
    }
}

/// Writes a file atomically: a temporary file in the same folder, fsync, then rename, so a
/// crash leaves either the old file or the new one, never a torn one.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
            let why = access(dir.path, W_OK) == 0 ? "" : ": \(InputFile.describe(errno: errno))"
            throw EngineError.file(path: url.path, reason: "cannot create a temporary file in \(dir.path)\(why)")
        }
        do {
            let h = try FileHandle(forWritingTo: tmp)
            try WriteFaults.write(data, to: h, destination: url)
            try h.synchronize()
            try h.close()
            guard rename(tmp.path, url.path) == 0 else {
                throw EngineError.file(path: url.path, reason: "rename failed: \(String(cString: strerror(errno)))")
            }
            // Make the rename itself durable.
            let fd = open(dir.path, O_RDONLY)
            if fd >= 0 { fsync(fd); close(fd) }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            if let e = error as? EngineError { throw e }
            throw EngineError.file(path: url.path, reason: "write failed: \(InputFile.describe(error).reason)")
        }
    }
}

extension Sequential {
    /// Tensor names in weight files: "<layer>/<weight>", e.g. "lstm/recurrent_kernel".
    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.flatMap { l in l.parameters.map { ("\(l.name)/\($0.name)", $0) } }
    }

    /// Saves every weight to a safetensors file, atomically.
    public func saveWeights(to url: URL, metadata: [String: String] = [:]) throws {
        let data = try SafeTensors.encode(namedParameters.map { ($0.name, $0.parameter.value) }, metadata: metadata)
        try AtomicFile.write(data, to: url)
    }

    /// Loads weights saved by `saveWeights`; every weight must be present with its shape,
    /// and nothing is changed unless all of them are.
    public func loadWeights(from url: URL) throws {
        try loadWeights(from: try InputFile.contents(of: url), path: url.path)
    }

    /// The weights as the bytes of a safetensors file (what `saveWeights` writes).
    public func weightsData(metadata: [String: String] = [:]) throws -> Data {
        try SafeTensors.encode(namedParameters.map { ($0.name, $0.parameter.value) }, metadata: metadata)
    }

    /// Loads weights from the bytes of a safetensors file; `path` names it in errors. Every
    /// weight must be present with its shape, and nothing is changed unless all of them are.
    /// Returns the file's metadata.
    @discardableResult
    public func loadWeights(from data: Data, path: String) throws -> [String: String] {
        let (tensors, metadata) = try SafeTensors.decode(data, path: path)
        var staged: [(Parameter, Tensor)] = []
        for (name, p) in namedParameters {
            guard let t = tensors[name] else { throw EngineError.file(path: path, reason: "weight '\(name)' is missing") }
            guard t.shape == p.value.shape else {
                throw EngineError.file(path: path, reason: "weight '\(name)' has shape \(t.shape), the model expects \(p.value.shape)")
            }
            staged.append((p, t))
        }
        for (p, t) in staged { p.value = t }
        return metadata
    }
}
