import Foundation

/// The server's settings (`workbench serve`'s options), checked before anything binds.
public struct ServeConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (printed once listening).
    public var port = 8080
    /// The most texts one classify request may carry (413 beyond).
    public var maxTexts = 256
    /// The most characters one text may have (422 beyond).
    public var maxTextLength = 10_000
    /// The largest request body, in bytes (413 beyond).
    public var maxBodyBytes = 1 << 20
    /// How long a classify request waits for others to share its model call. None by default:
    /// a request finding the model free goes at once (waiting 2 ms alone cost a single client
    /// 5× its requests/s in Benchmarks/serve/load.py), and requests arriving while the model is
    /// busy still share its next call, so batches grow with the load by themselves.
    public var batchWindow: Duration = .zero
    /// The most texts one model call classifies.
    public var maxBatch = 64
    /// The bearer token every /v1 request must carry (nil: none asked).
    public var token: String?
    /// Listen beyond loopback without a token (explicitly asked).
    public var insecure = false
    /// The longest a request may take, from its arrival to its answer; beyond it the client
    /// gets 503 (with `Retry-After`) and the server goes on with the next requests.
    public var requestTimeout: Duration = .seconds(30)
    /// Where the access log goes (one line per request): nil for standard error.
    public var accessLogPath: String?

    public init() {}

    /// Whether `host` names this machine only (127.0.0.0/8, ::1, localhost).
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" || h == "[::1]" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The settings' problems, one line each, naming the option (empty when they can be used).
    public var problems: [String] {
        var found: [String] = []
        if !(0...65535).contains(port) { found.append("--port \(port): give a port from 0 (any free one) to 65535") }
        if maxTexts < 1 { found.append("--max-texts \(maxTexts): must be at least 1") }
        if maxTextLength < 1 { found.append("--max-text-length \(maxTextLength): must be at least 1") }
        if maxBodyBytes < 64 { found.append("--max-body-bytes \(maxBodyBytes): must be at least 64") }
        if maxBatch < 1 { found.append("--max-batch \(maxBatch): must be at least 1") }
        if batchWindow < .zero || batchWindow > .seconds(1) { found.append("--batch-window-ms: must be from 0 to 1000") }
        if requestTimeout <= .zero || requestTimeout > .seconds(3600) { found.append("--request-timeout: give seconds, more than 0 and at most 3600") }
        if !Self.isLoopback(host) && token == nil && !insecure {
            found.append("--host \(host) listens beyond this machine: give --token-file FILE (clients then send 'Authorization: Bearer TOKEN'), or --insecure to serve without one")
        }
        return found
    }

    /// Reads a token file: its first line, trimmed; an empty one is refused.
    public static func readToken(_ path: String) throws -> String {
        let url = URL(fileURLWithPath: path)
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ServeError.tokenFile(path: path, reason: "cannot read it (\(error.localizedDescription))")
        }
        let token = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !token.isEmpty else { throw ServeError.tokenFile(path: path, reason: "is empty: put the token on its first line") }
        guard token.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0.asciiValue.map { $0 >= 0x21 && $0 < 0x7f } == true }) else {
            throw ServeError.tokenFile(path: path, reason: "the token must be printable ASCII without spaces")
        }
        return token
    }
}

/// What can stop the server from starting.
public enum ServeError: Error, CustomStringConvertible, Sendable {
    case tokenFile(path: String, reason: String)
    case invalidSetting(String)
    /// The access log's file cannot be written.
    case accessLog(path: String, reason: String)

    public var description: String {
        switch self {
        case let .accessLog(path, reason): return "--access-log \(path): \(reason)"
        case let .tokenFile(path, reason): return "\(path): \(reason)"
        case let .invalidSetting(reason): return reason
        }
    }
}
