import Foundation
import Logging

/// The access log: one line per request (time, method, path, status, duration, texts), through
/// swift-log, to standard error or appended to a file (`--access-log FILE`). The workbench's
/// `:serve` gives it a file or nothing: never the terminal its screen is drawn on.
public struct AccessLogHandler: LogHandler {
    /// Where the lines go; shared by every copy of the handler (a logger is a value).
    final class Sink: @unchecked Sendable {
        // Guards `handle`: requests finish on many threads at once.
        private let lock = NSLock()
        private let handle: FileHandle

        init(handle: FileHandle) { self.handle = handle }

        func write(_ line: String) {
            lock.lock(); defer { lock.unlock() }
            // A failed write (disk full, the terminal gone) loses the line, not the request.
            try? handle.write(contentsOf: Data(line.utf8))
        }
    }

    let sink: Sink
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        sink.write("\(ServeJSON.timestamp(Date())) \(event.message)\n")
    }

    /// A logger writing access lines to standard error.
    public static func standardError() -> Logger {
        let sink = Sink(handle: .standardError)
        return Logger(label: "workbench.serve.access") { _ in AccessLogHandler(sink: sink) }
    }

    /// A logger appending access lines to `path` (created if missing). Throws
    /// `ServeError.accessLog` naming the file when it cannot be opened for writing.
    public static func file(_ path: String) throws -> Logger {
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) && !fm.createFile(atPath: path, contents: nil) {
            throw ServeError.accessLog(path: path, reason: "cannot create it (is its folder there and writable?)")
        }
        let handle: FileHandle
        do {
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
        } catch {
            throw ServeError.accessLog(path: path, reason: "cannot open it for writing (\(error.localizedDescription))")
        }
        let sink = Sink(handle: handle)
        return Logger(label: "workbench.serve.access") { _ in AccessLogHandler(sink: sink) }
    }
}

/// What the access log says of one request beyond its method, path and status, filled in
/// while it is answered (from another task when the request times out).
final class RequestNote: @unchecked Sendable {
    // Guards `storedTexts`.
    private let lock = NSLock()
    private var storedTexts: Int?

    /// How many texts a classify request carried (nil for other requests, or before its body is read).
    var texts: Int? {
        get { lock.lock(); defer { lock.unlock() }; return storedTexts }
        set { lock.lock(); defer { lock.unlock() }; storedTexts = newValue }
    }
}

/// A request that outlived `--request-timeout`.
struct RequestTimedOut: Error {}

/// Runs `work` in its own task and returns its result, or throws `RequestTimedOut` when
/// `limit` passes first. The work is then cancelled but may still finish in the background
/// (a batch handed to the model is not taken back); its result is dropped.
func withRequestTimeout<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = FirstOutcome<T>()
    return try await withCheckedThrowingContinuation { continuation in
        outcome.wait(continuation)
        let worker = Task {
            let result: Result<T, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            outcome.settle(result)
        }
        outcome.timer = Task {
            // Cancelled when the work finishes first (no sleeping task per answered request).
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            if outcome.settle(.failure(RequestTimedOut())) { worker.cancel() }
        }
    }
}

/// The first of the work's result and the timeout, handed to the waiting request once.
private final class FirstOutcome<T: Sendable>: @unchecked Sendable {
    // Guards every property.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var settled = false
    private var storedTimer: Task<Void, Never>?

    /// The timer, cancelled when the work settles first.
    var timer: Task<Void, Never>? {
        get { lock.lock(); defer { lock.unlock() }; return storedTimer }
        set {
            lock.lock()
            let cancelNow = settled
            storedTimer = newValue
            lock.unlock()
            if cancelNow { newValue?.cancel() }
        }
    }

    func wait(_ c: CheckedContinuation<T, any Error>) {
        lock.lock(); defer { lock.unlock() }
        continuation = c
    }

    /// Resumes the request with `result` unless it was resumed already; says whether it did.
    @discardableResult
    func settle(_ result: Result<T, any Error>) -> Bool {
        lock.lock()
        guard !settled, let c = continuation else { lock.unlock(); return false }
        settled = true
        continuation = nil
        let timer = storedTimer
        lock.unlock()
        timer?.cancel()
        c.resume(with: result)
        return true
    }
}
