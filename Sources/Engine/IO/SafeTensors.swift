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

    /// Decodes every tensor and the metadata. `path` only names the file in errors.
    public static func decode(_ data: Data, path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        func fail(_ why: String) -> EngineError { .file(path: path, reason: why) }
        guard data.count >= 8 else { throw fail("too short for a safetensors file (\(data.count) bytes)") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("header length \(headerLength) runs past the end of the file (\(data.count) bytes): truncated?")
        }
        let start = data.startIndex
        let headerData = data.subdata(in: start + 8 ..< start + 8 + Int(headerLength))
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw fail("the header is not a JSON object")
        }
        let body = start + 8 + Int(headerLength)
        let bodyLength = data.count - 8 - Int(headerLength)
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let info = value as? [String: Any] else { throw fail("tensor '\(name)': entry is not an object") }
            guard let dtype = info["dtype"] as? String, dtype == "F32" else {
                throw fail("tensor '\(name)': dtype \(info["dtype"] ?? "missing"), only F32 is supported")
            }
            guard let shape = info["shape"] as? [Int], shape.allSatisfy({ $0 >= 0 }) else { throw fail("tensor '\(name)': bad shape") }
            guard let offs = info["data_offsets"] as? [Int], offs.count == 2, offs[0] >= 0, offs[1] >= offs[0] else {
                throw fail("tensor '\(name)': bad data_offsets")
            }
            let count = shape.reduce(1, *)
            guard offs[1] - offs[0] == count * 4 else {
                throw fail("tensor '\(name)': shape \(shape) needs \(count * 4) bytes, data_offsets give \(offs[1] - offs[0])")
            }
            guard offs[1] <= bodyLength else {
                throw fail("tensor '\(name)': data ends at byte \(offs[1]) but the file holds \(bodyLength) bytes of data: truncated?")
            }
            var t = Tensor(shape: shape)
            data.withUnsafeBytes { raw in
                let base = raw.baseAddress! + (body - start) + offs[0]
                t.withUnsafeMutableBufferPointer { p in
                    for i in 0..<count {
                        let bits = base.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
                        p[i] = Float(bitPattern: UInt32(littleEndian: bits))
                    }
                }
            }
            tensors[name] = t
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
            throw EngineError.file(path: url.path, reason: "cannot create a temporary file in \(dir.path)")
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
            throw EngineError.file(path: url.path, reason: "write failed: \(error.localizedDescription)")
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
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw EngineError.file(path: url.path, reason: "cannot read the file")
        }
        try loadWeights(from: data, path: url.path)
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
