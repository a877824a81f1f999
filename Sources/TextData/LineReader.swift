import Foundation

/// Streams a file's lines as raw bytes, reading fixed-size chunks through `FileHandle`:
/// only the current chunk and one partial line are held in memory. Lines end at `\n`; a `\r`
/// before it is removed, as is a UTF-8 byte order mark at the start of the file. The last
/// line need not end with `\n`.
struct LineReader {
    let path: String
    let chunkSize: Int

    /// Opens a regular file for reading; throws `TextDataError.file` naming the path when it
    /// is missing, a directory or unreadable.
    static func open(_ path: String) throws -> FileHandle {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw TextDataError.file(path: path, reason: "no such file")
        }
        if isDir.boolValue { throw TextDataError.file(path: path, reason: "is a directory, expected a file") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.isReadableFile(atPath: path) ? "cannot open for reading" : "permission denied"
            throw TextDataError.file(path: path, reason: reason)
        }
        return handle
    }

    /// Calls `body(lineNumber, bytes)` for every line, line numbers from 1.
    func forEachLine(_ body: (Int, ArraySlice<UInt8>) throws -> Void) throws {
        let handle = try Self.open(path)
        defer { try? handle.close() }

        var pending: [UInt8] = []        // unconsumed bytes: a partial line plus the new chunk
        var lineNumber = 0

        func emit(_ line: ArraySlice<UInt8>) throws {
            lineNumber += 1
            var l = line
            if lineNumber == 1, l.starts(with: [0xEF, 0xBB, 0xBF]) { l = l.dropFirst(3) }
            if l.last == 0x0D { l = l.dropLast() }
            try body(lineNumber, l)
        }

        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: max(1, chunkSize))
            } catch {
                throw TextDataError.file(path: path, reason: "read failed: \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            pending.append(contentsOf: chunk)
            var start = pending.startIndex
            while let nl = pending[start...].firstIndex(of: 0x0A) {
                try emit(pending[start..<nl])
                start = nl + 1
            }
            pending.removeSubrange(..<start)
        }
        if !pending.isEmpty { try emit(pending[...]) }
    }
}
