import Basics
import Foundation

/// Reads a whole file that comes from input (a weights file, a saved model, a spec), refusing
/// before reading anything that is not a regular file — a FIFO would block for ever, a device
/// such as `/dev/zero` would never end — and any file over `maxBytes`.
public enum InputFile {
    /// The largest file read whole: a model at `Limits.maxParameters` with its optimiser state
    /// (4 bytes a number, three slots) and header fits.
    public static let maxBytes = 4 * 4 * Limits.maxParameters + 2 * Limits.maxSafeTensorsHeaderBytes

    /// The file's bytes; throws `EngineError.file` naming the path and why ("no such file",
    /// "permission denied", "is a directory", "is not a regular file (a FIFO)"…).
    public static func contents(of url: URL, maxBytes: Int = InputFile.maxBytes) throws -> Data {
        let path = url.path
        func fail(_ why: String) -> EngineError { .file(path: path, reason: why) }
        // Non-blocking, so opening a FIFO with no writer returns at once; fstat then refuses it.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw fail("cannot read the file: \(describe(errno: errno))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw fail("cannot read the file: \(describe(errno: errno))") }
        if let kind = FileKind.nonRegular(info.st_mode) { throw fail("\(kind), expected a regular file") }
        guard Int(info.st_size) <= maxBytes else {
            throw fail("the file is \(Digits.grouped(Int(info.st_size))) bytes, over the limit of \(Digits.grouped(maxBytes))")
        }
        // Read in chunks up to the limit: a file that grows while it is read is refused.
        var data = Data(capacity: Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("read failed: \(describe(errno: errno))")
            }
            if n == 0 { return data }
            data.append(contentsOf: chunk[0..<n])
            guard data.count <= maxBytes else { throw fail("the file grew past the limit of \(Digits.grouped(maxBytes)) bytes while it was read") }
        }
    }

    /// A Foundation file error (`NSCocoaErrorDomain` 513, 516, 256…, or a POSIX one) as a
    /// short reason without its path — "permission denied", "already exists", "no space
    /// left on the device" — and the path it names, if any. Other errors: their description.
    public static func describe(_ error: Error) -> (path: String?, reason: String) {
        let ns = error as NSError
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError
        let posix = ns.domain == NSPOSIXErrorDomain ? Int32(ns.code) : (underlying?.domain == NSPOSIXErrorDomain ? Int32(underlying!.code) : nil)
        if ns.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileWriteNoPermission, .fileReadNoPermission: return (path, "permission denied")
            case .fileWriteFileExists: return (path, "already exists")
            case .fileNoSuchFile, .fileReadNoSuchFile: return (path, "no such file or folder")
            case .fileWriteOutOfSpace: return (path, "no space left on the device")
            case .fileWriteVolumeReadOnly: return (path, "the file system is read-only")
            case .fileReadTooLarge: return (path, "too large to read")
            case .fileReadInvalidFileName, .fileWriteInvalidFileName: return (path, "not a valid file name")
            default: break
            }
        }
        if let posix {
            switch posix {
            case EEXIST: return (path, "already exists")
            case ENOTDIR: return (path, "a folder on the path is a file")
            case EISDIR: return (path, "is a directory")
            case ENOSPC: return (path, "no space left on the device")
            case EROFS: return (path, "the file system is read-only")
            default: return (path, describe(errno: posix))
            }
        }
        if ns.domain == NSCocoaErrorDomain { return (path, "file operation failed (\(ns.localizedDescription))") }
        return (path, "\(error)")
    }

    /// An errno as a short reason: "no such file", "permission denied"…
    public static func describe(errno e: Int32) -> String {
        switch e {
        case ENOENT: return "no such file"
        case EACCES, EPERM: return "permission denied"
        case ENOTDIR: return "a folder on the path is a file"
        case ELOOP: return "too many symbolic links"
        case ENAMETOOLONG: return "the path is too long"
        default: return String(cString: strerror(e))
        }
    }
}
