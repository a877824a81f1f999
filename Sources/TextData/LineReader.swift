import Basics
import Foundation

/// Streams a file's lines as raw bytes, reading fixed-size chunks through `FileHandle`:
/// only the current chunk and one partial line are held in memory. Lines end at `\n`, `\r\n`
/// or a lone `\r` (old Mac files); a UTF-8 byte order mark at the start of the file is
/// removed. The last line need not end with a line break. A line longer than
/// `maxLineBytes` is an error, so input without line breaks cannot grow without bound.
struct LineReader {
    let path: String
    let chunkSize: Int

    /// The longest line (and CSV record, and folder-per-class text file) read: 8 MiB.
    static let maxLineBytes = 8 << 20

    /// Opens a regular file for reading; throws `TextDataError.file` naming the path when it
    /// is missing, unreadable, a directory, or anything else that is not a regular file (a
    /// FIFO would block, a device such as `/dev/zero` would never end) — before reading.
    static func open(_ path: String) throws -> FileHandle {
        // Non-blocking, so opening a FIFO with no writer returns at once; fstat then refuses it.
        let fd = Foundation.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw TextDataError.file(path: path, reason: reason(errno: errno)) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let e = errno
            close(fd)
            throw TextDataError.file(path: path, reason: reason(errno: e))
        }
        if let kind = FileKind.nonRegular(info.st_mode) {
            close(fd)
            throw TextDataError.file(path: path, reason: "\(kind), expected a file")
        }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    static func reason(errno e: Int32) -> String {
        switch e {
        case ENOENT: return "no such file"
        case EACCES, EPERM: return "permission denied"
        case ENOTDIR: return "a folder on the path is a file"
        case ELOOP: return "too many symbolic links"
        default: return "cannot open for reading: \(String(cString: strerror(e)))"
        }
    }

    /// Calls `body(lineNumber, bytes)` for every line, line numbers from 1.
    func forEachLine(_ body: (Int, ArraySlice<UInt8>) throws -> Void) throws {
        let handle = try Self.open(path)
        defer { try? handle.close() }

        var pending: [UInt8] = []        // the current line's bytes so far
        var lineNumber = 0
        var skipLF = false               // the last chunk ended with `\r`: a `\n` next belongs to it

        func emit(_ line: ArraySlice<UInt8>) throws {
            lineNumber += 1
            var l = line
            if lineNumber == 1, l.starts(with: [0xEF, 0xBB, 0xBF]) { l = l.dropFirst(3) }
            try body(lineNumber, l)
        }
        func append(_ bytes: ArraySlice<UInt8>) throws {
            guard pending.count + bytes.count <= Self.maxLineBytes else {
                throw TextDataError.file(path: path, reason: "line \(lineNumber + 1) is longer than \(Self.maxLineBytes >> 20) MiB (no line breaks?)")
            }
            pending.append(contentsOf: bytes)
        }

        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: max(1, chunkSize))
            } catch {
                throw TextDataError.file(path: path, reason: "read failed: \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            let bytes = [UInt8](chunk)
            var rest = bytes[...]
            if skipLF, rest.first == 0x0A { rest = rest.dropFirst() }
            skipLF = false
            while let end = rest.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) {
                try append(rest[..<end])
                try emit(pending[...])
                pending.removeAll(keepingCapacity: true)
                let next = end + 1
                if bytes[end] == 0x0D {
                    if next < rest.endIndex {
                        rest = rest[next...]
                        if rest.first == 0x0A { rest = rest.dropFirst() }
                    } else {
                        rest = rest[next...]
                        skipLF = true
                    }
                } else {
                    rest = rest[next...]
                }
            }
            try append(rest)
        }
        if !pending.isEmpty { try emit(pending[...]) }
    }
}
