import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Sessions

/// `workbench serve`: the HTTP API over one or more models, until SIGINT or SIGTERM; then
/// it stops accepting connections, lets the requests in flight finish, and returns.
public struct ModelServer: Sendable {
    public let configuration: ServeConfiguration
    /// Name and model, in the order given (the first answers requests that name none).
    public let models: [(name: String, source: ModelSource)]
    /// Per model name, how to follow its session to newer runs (none: pinned or a folder).
    public let reloads: [String: HotReload]
    let logger: Logger
    let accessLog: Logger
    /// Requests answered, counted as they are (the workbench's status line shows the rate).
    public let activity = ServeActivity()

    /// Throws `ServeError.invalidSetting` with every problem of the settings, one per line,
    /// or `ServeError.accessLog` when the access log's file cannot be written.
    /// `logger` takes the server's own messages (listening, reloads, timeouts) and `accessLog`
    /// one line per request; by default both go to standard error, never to standard output
    /// (which says where the server listens, for scripts), the access log to
    /// `configuration.accessLogPath` when set.
    public init(configuration: ServeConfiguration, models: [(name: String, source: ModelSource)],
                reloads: [String: HotReload] = [:], logger: Logger? = nil, accessLog: Logger? = nil) throws {
        let problems = configuration.problems + (models.isEmpty ? ["give a model to serve"] : [])
        guard problems.isEmpty else { throw ServeError.invalidSetting(problems.joined(separator: "\n")) }
        self.configuration = configuration
        self.models = models
        self.reloads = reloads
        self.logger = logger ?? Logger(label: "workbench.serve") { StreamLogHandler.standardError(label: $0) }
        if let accessLog {
            self.accessLog = accessLog
        } else if let path = configuration.accessLogPath {
            self.accessLog = try AccessLogHandler.file(path)
        } else {
            self.accessLog = AccessLogHandler.standardError()
        }
    }

    /// Serves until SIGINT or SIGTERM (with `handlesStopSignals`; not in the workbench, whose
    /// terminal has its own) or `stop.request()`: then stops accepting connections, lets the requests in
    /// flight finish, and returns. `onListening` gets the address once the socket is bound
    /// (the port is the real one when 0 was asked). Throws when the port cannot be bound.
    public func run(handlesStopSignals: Bool = true, stop: ServerStop? = nil,
                    onListening: @escaping @Sendable (_ host: String, _ port: Int) -> Void) async throws {
        let metrics = ServeMetrics()
        let window = configuration.batchWindow, maxBatch = configuration.maxBatch
        let entries = models.map { m in
            metrics.register(model: m.name)
            let name = m.name
            return ServedEntry(name: m.name, batcher: ModelBatcher(source: m.source, window: window, maxBatch: maxBatch) { n in
                metrics.batch(model: name, texts: n)
            })
        }
        var watchers: [any Service] = []
        for entry in entries {
            if let reload = reloads[entry.name] {
                watchers.append(ReloadWatcher(name: entry.name, batcher: entry.batcher, reload: reload, metrics: metrics, logger: logger))
            }
        }
        let responder = ServeResponder(models: entries, configuration: configuration, metrics: metrics, logger: logger,
                                       accessLog: accessLog, activity: activity)
        let host = configuration.host
        let logger = logger
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: "workbench"),
            services: watchers,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("listening on http://\(host):\(port) (\(entries.map(\.name).joined(separator: ", ")))")
                onListening(host, port)
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: handlesStopSignals ? [.sigterm, .sigint] : [],
                                                     logger: logger))
        await stop?.attach(group)
        try await group.run()
    }
}

/// Ends a running server from inside the process (the workbench's `:serve stop`), as a stop
/// signal does: no new connections, the requests in flight finish.
public actor ServerStop {
    private var group: ServiceGroup?
    private var requested = false

    public init() {}

    func attach(_ group: ServiceGroup) async {
        self.group = group
        if requested { await group.triggerGracefulShutdown() }
    }

    /// Asks the server to stop; `run` returns once it has (a stop asked before the server
    /// started takes effect as it starts).
    public func request() async {
        requested = true
        await group?.triggerGracefulShutdown()
    }
}

/// How many requests a server has answered, for a status line's rate (read from any thread).
public final class ServeActivity: @unchecked Sendable {
    // Guards `answered`.
    private let lock = NSLock()
    private var answered = 0

    public init() {}

    /// Requests answered so far (every endpoint, every status).
    public var requestsAnswered: Int {
        lock.lock(); defer { lock.unlock() }
        return answered
    }

    func count() {
        lock.lock(); defer { lock.unlock() }
        answered += 1
    }
}

/// How a served session follows newer runs: `version` says which model the session holds
/// now (its current run and checkpoint, read from disk, cheap), `reopen` opens it afresh.
public struct HotReload: Sendable {
    public var version: @Sendable () async throws -> String
    public var reopen: @Sendable (ModelSource) async throws -> ModelSource
    /// How often the session's files are looked at.
    public var interval: Duration

    public init(interval: Duration = .milliseconds(250), version: @escaping @Sendable () async throws -> String,
                reopen: @escaping @Sendable (ModelSource) async throws -> ModelSource) {
        self.interval = interval
        self.version = version
        self.reopen = reopen
    }
}

/// Switches a served session to its newer run (another process trained it, or the workbench
/// saved it) between two model calls: requests arriving meanwhile wait, none fails. The
/// switch is logged and counted (`workbench_model_reloads_total`). When the newer run cannot
/// be opened (a file half-written or unreadable), the older model keeps serving, the failure
/// is logged and counted (`workbench_model_reload_failures_total`), and the switch is tried
/// again at the session's next change, not at every look.
struct ReloadWatcher: Service {
    let name: String
    let batcher: ModelBatcher
    let reload: HotReload
    let metrics: ServeMetrics
    let logger: Logger

    func run() async throws {
        var served = try? await reload.version()
        // The version whose opening failed: not tried again until the session changes again.
        var failed: String?
        // Ends with the server (graceful shutdown cancels the services' tasks).
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: reload.interval)
            guard let now = try? await reload.version(), now != served, now != failed else { continue }
            do {
                try await batcher.replaceSource(reload.reopen)
                logger.info("model \(name): switched from \(served ?? "?") to \(now)")
                metrics.reload(model: name)
                served = now
                failed = nil
            } catch {
                logger.error("model \(name): could not switch to \(now): \(error); still serving \(served ?? "?"), trying again when the session changes")
                metrics.reloadFailure(model: name)
                failed = now
            }
        }
    }
}
