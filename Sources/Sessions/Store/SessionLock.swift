import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lock a process (one manager) holds while it has a session open for writing: an
/// exclusive `flock` on the session folder itself, on a descriptor kept open for as long as
/// the session is. The kernel holds it, so nothing done to the folder's files can admit a
/// second writer (deleting or replacing `.lock` included), it moves with the folder when the
/// session is renamed, and it is released when its process dies, however it dies.
///
/// `Sessions/<name>/.lock` only tells who holds it: the owner's PID, for messages. It is never
/// followed when it is a symbolic link (that is refused), and a PID left there by a process
/// that is gone is taken over with a notice.
final class SessionLock: @unchecked Sendable {
    static let fileName = ".lock"
    /// How long to retry a lock that is busy: `holder` probes it with a shared lock for an
    /// instant, which must not turn away a writer.
    static let busyRetries = 25

    private let folder: Int32
    private let pidFile: Int32
    private let lock = NSLock()
    private var released = false
    private var path: String

    private init(folder: Int32, pidFile: Int32, path: String) {
        self.folder = folder
        self.pidFile = pidFile
        self.path = path
    }

    deinit { release() }

    /// Takes the lock of the session folder `dir`, or throws `SessionError.locked`.
    /// Returns a notice when it took over a lock file left by a process that is gone.
    static func acquire(dir: URL, session: String) throws -> (lock: SessionLock, notice: String?) {
        let folder = try openFolder(dir)
        var attempt = 0
        while flock(folder, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            guard e == EWOULDBLOCK || e == EINTR else {
                close(folder)
                throw SessionError.file(path: dir.path, reason: "cannot lock the session folder: \(String(cString: strerror(e)))")
            }
            attempt += 1
            if attempt > busyRetries {
                close(folder)
                throw SessionError.locked(session: session, pid: readPID(dir: dir))
            }
            usleep(2_000)
        }
        let url = dir.appendingPathComponent(fileName)
        let pidFile: Int32
        do {
            guard let fd = try SessionFileAccess.openFile(url, flags: O_RDWR | O_CREAT) else {
                throw SessionError.file(path: url.path, reason: "cannot create the lock file")
            }
            pidFile = fd
        } catch {
            close(folder)
            throw error
        }
        var notice: String?
        if let old = readPID(pidFile), old != getpid() {
            notice = "took over the lock of session '\(session)' left by process \(old), which no longer holds it"
        }
        // The PID is for messages only (the lock is the folder's): a failed write costs the
        // name in "in use by process N", nothing else.
        let text = "\(getpid())\n"
        if ftruncate(pidFile, 0) == 0 { _ = text.withCString { pwrite(pidFile, $0, strlen($0), 0) } }
        return (SessionLock(folder: folder, pidFile: pidFile, path: url.path), notice)
    }

    /// Whether a live process holds the session's lock, and the PID in its lock file. (Probing
    /// takes a shared lock for an instant; `acquire` retries briefly past such a probe.)
    static func holder(dir: URL) -> (held: Bool, pid: Int32?) {
        guard let folder = try? openFolder(dir) else { return (false, nil) }
        defer { close(folder) }
        if flock(folder, LOCK_SH | LOCK_NB) == 0 {
            _ = flock(folder, LOCK_UN)
            return (false, nil)
        }
        return (true, readPID(dir: dir))
    }

    /// The folder moved (rename): the lock, held on the folder, moved with it; so did the file.
    func moved(to dir: URL) {
        lock.lock(); defer { lock.unlock() }
        path = dir.appendingPathComponent(Self.fileName).path
    }

    /// Removes the lock file (when it is still the one this lock wrote) and releases the
    /// lock. Idempotent.
    func release() {
        lock.lock(); defer { lock.unlock() }
        guard !released else { return }
        released = true
        var mine = stat(), there = stat()
        if fstat(pidFile, &mine) == 0, lstat(path, &there) == 0, mine.st_ino == there.st_ino, mine.st_dev == there.st_dev {
            unlink(path)
        }
        close(pidFile)
        close(folder)
    }

    private static func openFolder(_ dir: URL) throws -> Int32 {
        let fd = open(dir.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SessionError.file(path: dir.path, reason: "cannot open the session folder: \(String(cString: strerror(errno)))")
        }
        return fd
    }

    private static func readPID(dir: URL) -> Int32? {
        guard let fd = try? SessionFileAccess.openFile(dir.appendingPathComponent(fileName), flags: O_RDONLY) else { return nil }
        defer { close(fd) }
        return readPID(fd)
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buf = [UInt8](repeating: 0, count: 32)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
