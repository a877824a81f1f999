import Foundation

/// The safetensors format (8-byte little-endian header length, a JSON header, then raw
/// little-endian data), float32 only, so Python's `safetensors` opens what we write.
public enum SafeTensors {
    /// Encodes named tensors, in the given order, with optional string metadata.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, t) in tensors {
            let bytes = t.count * 4
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        var len = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, t) in tensors {
            t.withUnsafeBufferPointer { p in
                if Int(littleEndian: 1) == 1 {
                    out.append(UnsafeBufferPointer(start: UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: UInt8.self), count: p.count * 4))
                } else {
                    for v in p { var b = v.bitPattern.littleEndian; withUnsafeBytes(of: &b) { out.append(contentsOf: $0) } }
                }
            }
        }
        return out
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

    /// Decodes every tensor and the metadata. `path` only names the file in errors; a NaN or
    /// infinity in a tensor is refused, naming it.
    public static func decode(_ data: Data, path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let (entries, metadata) = try parseHeader(data, path: path)
        var tensors: [String: Tensor] = [:]
        for e in entries {
            var t = Tensor(shape: e.shape)
            var finite = true
            data.withUnsafeBytes { raw in
                let base = raw.baseAddress! + (e.bytes.lowerBound - data.startIndex)
                t.withUnsafeMutableBufferPointer { p in
                    for i in 0..<e.count {
                        let v = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                        finite = finite && v.isFinite
                        p[i] = v
                    }
                }
            }
            guard finite else {
                throw EngineError.file(path: path, reason: "tensor '\(e.name)' holds a NaN or infinity")
            }
            tensors[e.name] = t
        }
        return (tensors, metadata)
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
