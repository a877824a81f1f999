import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `Sessions/<name>/.lock`: an exclusive `flock` held while a process (one manager) has the
/// session open for writing, with the owner's PID written inside for messages. The kernel
/// drops the lock when its process dies, so a lock file left by a killed process is free: the
/// next owner takes it over (with a notice naming the old PID).
final class SessionLock: @unchecked Sendable {
    static let fileName = ".lock"

    private let fd: Int32
    private let lock = NSLock()
    private var released = false
    private var path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { release() }

    /// Takes the lock of the session folder `dir`, or throws `SessionError.locked`.
    /// Returns a notice when it took over a lock file left by a process that is gone.
    static func acquire(dir: URL, session: String) throws -> (lock: SessionLock, notice: String?) {
        let path = dir.appendingPathComponent(fileName).path
        for _ in 0..<10 {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw SessionError.file(path: path, reason: "cannot open the lock file: \(String(cString: strerror(errno)))")
            }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let holder = readPID(fd)
                close(fd)
                throw SessionError.locked(session: session, pid: holder)
            }
            // The file may have been unlinked by its previous owner between our open and our
            // flock: then the lock is on a dead inode; try again.
            var a = stat(), b = stat()
            if fstat(fd, &a) != 0 || stat(path, &b) != 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev {
                close(fd)
                continue
            }
            var notice: String?
            if let old = readPID(fd), old != getpid() {
                notice = "took over the lock of session '\(session)' left by process \(old), which no longer holds it"
            }
            let text = "\(getpid())\n"
            _ = ftruncate(fd, 0)
            _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
            return (SessionLock(fd: fd, path: path), notice)
        }
        throw SessionError.file(path: path, reason: "the lock file keeps changing under us")
    }

    /// The PID written in the session's lock file if a live process holds the lock, nil if
    /// it is free. (Probing takes a shared lock for an instant.)
    static func holder(dir: URL) -> (held: Bool, pid: Int32?) {
        let path = dir.appendingPathComponent(fileName).path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return (false, nil) }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            _ = flock(fd, LOCK_UN)
            return (false, nil)
        }
        return (true, readPID(fd))
    }

    /// The folder moved (rename): the lock file moved with it.
    func moved(to dir: URL) {
        lock.lock(); defer { lock.unlock() }
        path = dir.appendingPathComponent(Self.fileName).path
    }

    /// Removes the lock file and releases the lock. Idempotent.
    func release() {
        lock.lock(); defer { lock.unlock() }
        guard !released else { return }
        released = true
        unlink(path)
        close(fd)
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buf = [UInt8](repeating: 0, count: 32)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
