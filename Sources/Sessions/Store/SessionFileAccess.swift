import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening the files inside a session folder without following symbolic links. A session
/// folder holds only its own files: a link there (to another session's weights, to a file
/// outside) is refused by name rather than read or written through.
enum SessionFileAccess {
    /// The error for a file that is a symbolic link.
    static func linkError(_ url: URL) -> SessionError {
        .file(path: url.path, reason: "is a symbolic link: a session folder holds only its own files, and workbench does not follow links inside it (replace the link with the file itself)")
    }

    /// Opens a regular file with `flags` (plus O_NOFOLLOW and O_CLOEXEC); nil when it does
    /// not exist (and `flags` has no O_CREAT).
    static func openFile(_ url: URL, flags: Int32, mode: mode_t = 0o644) throws -> Int32? {
        let fd = open(url.path, flags | O_NOFOLLOW | O_CLOEXEC, mode)
        if fd < 0 {
            let e = errno
            if e == ENOENT && flags & O_CREAT == 0 { return nil }
            if e == ELOOP { throw linkError(url) }
            throw SessionError.file(path: url.path, reason: "cannot open: \(String(cString: strerror(e)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw SessionError.file(path: url.path, reason: "is not a regular file")
        }
        return fd
    }

    /// The file's bytes, or nil when it does not exist.
    static func read(_ url: URL) throws -> Data? {
        guard let fd = try openFile(url, flags: O_RDONLY) else { return nil }
        defer { close(fd) }
        return try readAll(fd, path: url.path)
    }

    /// Everything from the descriptor's start to its end (a file that grows meanwhile, like a
    /// history being appended to, is read to where it ends then).
    static func readAll(_ fd: Int32, path: String) throws -> Data {
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw SessionError.file(path: path, reason: "cannot read: \(String(cString: strerror(errno)))")
        }
        var data = Data(count: max(Int(st.st_size), 0) + 1)
        var filled = 0
        while true {
            if filled == data.count { data.count += max(data.count, 4096) }
            let n = data.withUnsafeMutableBytes { raw in pread(fd, raw.baseAddress! + filled, raw.count - filled, off_t(filled)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SessionError.file(path: path, reason: "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            filled += n
        }
        data.count = filled
        return data
    }
}
