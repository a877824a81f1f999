import Foundation
import Hummingbird
import Logging
import NIOCore
import Sessions

/// `workbench serve`: the HTTP API over one or more models, until SIGINT or SIGTERM; then
/// it stops accepting connections, lets the requests in flight finish, and returns.
public struct ModelServer: Sendable {
    public let configuration: ServeConfiguration
    /// Name and model, in the order given (the first answers requests that name none).
    public let models: [(name: String, source: ModelSource)]
    let logger: Logger

    /// Throws `ServeError.invalidSetting` with every problem of the settings, one per line.
    public init(configuration: ServeConfiguration, models: [(name: String, source: ModelSource)]) throws {
        let problems = configuration.problems + (models.isEmpty ? ["give a model to serve"] : [])
        guard problems.isEmpty else { throw ServeError.invalidSetting(problems.joined(separator: "\n")) }
        self.configuration = configuration
        self.models = models
        // The access log goes to standard error, never to standard output (which says where
        // the server listens, for scripts).
        logger = Logger(label: "workbench.serve") { StreamLogHandler.standardError(label: $0) }
    }

    /// Serves until a stop signal. `onListening` gets the address once the socket is bound
    /// (the port is the real one when 0 was asked).
    public func run(onListening: @escaping @Sendable (_ host: String, _ port: Int) -> Void) async throws {
        let metrics = ServeMetrics()
        let window = configuration.batchWindow, maxBatch = configuration.maxBatch
        let entries = models.map { m in
            metrics.register(model: m.name)
            let name = m.name
            return ServedEntry(name: m.name, batcher: ModelBatcher(source: m.source, window: window, maxBatch: maxBatch) { n in
                metrics.batch(model: name, texts: n)
            })
        }
        let responder = ServeResponder(models: entries, configuration: configuration, metrics: metrics, logger: logger)
        let host = configuration.host
        let logger = logger
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: "workbench"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("listening on http://\(host):\(port) (\(entries.map(\.name).joined(separator: ", ")))")
                onListening(host, port)
            },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
