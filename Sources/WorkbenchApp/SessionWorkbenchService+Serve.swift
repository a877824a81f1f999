import Foundation
import Logging
import Serving
import Sessions
import WorkbenchUI

/// `:serve` while the workbench is open: the console's model through Serving's `ModelServer`,
/// the server `workbench serve` runs (one pipeline), on the session's own handle, so the newest
/// weights answer as training goes on. Its log and access log go to `serve.log` in the
/// sessions folder, never to the terminal the workbench draws on; it stops on `:serve stop`,
/// when another session opens, and when the workbench quits.
struct WorkbenchServing {
    var address: String
    var server: Task<Void, Never>
    var stop: ServerStop
    var reporter: Task<Void, Never>
}

extension SessionWorkbenchService {
    /// The port `:serve` takes when none is given (as `workbench serve`).
    static let defaultServePort = 8080
    /// How often the status line's request rate is measured.
    static let serveRateInterval: Duration = .seconds(1)

    public func startServing(port: Int?) async -> CommandResult {
        if let s = serving { return .refused("already serving at \(s.address): :serve stop first") }
        var configuration = ServeConfiguration()
        configuration.port = port ?? Self.defaultServePort
        let logPath = manager.store.root.appendingPathComponent("serve.log").path
        let name = current
        let server: ModelServer
        do {
            let log = try AccessLogHandler.file(logPath)
            let source = ModelSource.session(session, run: await session.consoleRun)
            server = try ModelServer(configuration: configuration, models: [(name, source)], logger: log, accessLog: log)
        } catch {
            return .refused(":serve: \(error)")
        }
        let stop = ServerStop()
        // The first of: the address once bound, or why the server could not start.
        let (outcome, report) = AsyncStream.makeStream(of: Result<Int, any Error>.self)
        let task = Task {
            do {
                try await server.run(handlesStopSignals: false, stop: stop) { _, port in report.yield(.success(port)) }
            } catch {
                report.yield(.failure(error))
            }
            report.finish()
        }
        var first: Result<Int, any Error>?
        for await r in outcome { first = r; break }
        guard case let .success(bound)? = first else {
            await stop.request()
            await task.value
            if case let .failure(error)? = first { return .refused(Self.serveFailure(error, port: configuration.port)) }
            return .refused(":serve: the server stopped before it listened")
        }
        let address = "http://\(configuration.host):\(bound)"
        let activity = server.activity
        let events = continuation
        let reporter = Task {
            var last = activity.requestsAnswered, lastTime = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.serveRateInterval)
                if Task.isCancelled { break }
                let now = ContinuousClock.now, count = activity.requestsAnswered
                let seconds = Self.seconds(now - lastTime)
                events.yield(.serving(ServingSnapshot(address: address, requestsPerSecond: seconds > 0 ? Double(count - last) / seconds : 0)))
                (last, lastTime) = (count, now)
            }
        }
        serving = WorkbenchServing(address: address, server: task, stop: stop, reporter: reporter)
        continuation.yield(.serving(ServingSnapshot(address: address)))
        return .done("serving \(name) at \(address) (log: \(logPath))")
    }

    public func stopServing() async -> CommandResult {
        guard let s = serving else { return .refused("not serving: :serve [port] starts") }
        serving = nil
        s.reporter.cancel()
        await s.stop.request()
        await s.server.value
        continuation.yield(.serving(nil))
        return .done("stopped serving at \(s.address)")
    }

    /// What to tell the user when the server could not start: a port in use above all.
    static func serveFailure(_ error: any Error, port: Int) -> String {
        let text = "\(error)"
        if text.contains("Address already in use") || text.contains("errno: 98") || text.contains("EADDRINUSE") {
            return ":serve: port \(port) is in use: give another (:serve PORT, or :serve 0 for any free one)"
        }
        if text.contains("Permission denied") || text.contains("errno: 13") {
            return ":serve: port \(port) needs privileges: give one above 1023"
        }
        return ":serve: could not listen on port \(port): \(text)"
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
