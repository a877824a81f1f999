import Foundation

/// A folder of this process's own for the inputs that must be files (the data readers and
/// the session store read paths, not bytes): in /dev/shm when there is one, so writing an
/// input costs no disk I/O. Left behind on exit (libFuzzer ends the process from its own code).
public enum ScratchFile {
    public static let folder: URL = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let url = URL(fileURLWithPath: base).appendingPathComponent("workbench-fuzz-\(getpid())", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes `bytes` to `name` inside the folder (subfolders made as needed) and returns its path.
    public static func write(_ bytes: UnsafeRawBufferPointer, to name: String) -> String {
        let url = folder.appendingPathComponent(name)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let path = url.path
        guard let f = fopen(path, "wb") else { fatalError("fuzz harness: cannot write \(path)") }
        if let base = bytes.baseAddress, bytes.count > 0 { fwrite(base, 1, bytes.count, f) }
        fclose(f)
        return path
    }
}

/// The harness's input as a buffer; the first byte, when `selector` is asked for, picks a
/// variant (options, format) and the rest is the content.
public struct FuzzInput {
    public let bytes: UnsafeRawBufferPointer

    public init(_ start: UnsafeRawPointer, _ count: Int) {
        bytes = UnsafeRawBufferPointer(start: start, count: count)
    }

    public var data: Data { Data(bytes) }

    /// The first byte modulo `choices`, and the rest.
    public func split(choices: Int) -> (choice: Int, rest: UnsafeRawBufferPointer) {
        guard let first = bytes.first else { return (0, bytes) }
        return (Int(first) % choices, UnsafeRawBufferPointer(rebasing: bytes.dropFirst()))
    }
}

extension FuzzInput {
    /// A safetensors-style file (8-byte little-endian header length, JSON header, data) from
    /// the input. With a first byte of 0 the rest is the file as it is; otherwise the rest is
    /// the JSON header, a NUL byte, then the data, and the length goes in front, so that
    /// mutations of the header keep the file's framing and reach the header's checks.
    public var safetensorsFile: Data {
        let (choice, rest) = split(choices: 2)
        if choice == 0 { return Data(rest) }
        let header = rest.firstIndex(of: 0).map { rest[..<$0] } ?? rest[...]
        let body = rest.firstIndex(of: 0).map { rest[($0 + 1)...] } ?? rest[rest.endIndex...]
        var out = Data()
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        out.append(contentsOf: body)
        return out
    }
}
