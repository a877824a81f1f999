import ArgumentParser
import Foundation
import Serving
import Sessions

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve models over HTTP: POST /v1/classify, GET /v1/models, /healthz, /readyz, /metrics, /openapi.yaml.",
        discussion: """
            Serves a session's current (or --run N) model, a saved model folder, or several models by name \
            (--model name=SESSION or name=DIR, repeated; a request picks one with "model"). Stops on SIGINT or \
            SIGTERM after the requests in flight finish. Prints "listening on http://HOST:PORT" on standard \
            output once ready; the access log (time, method, path, status, milliseconds, texts) goes to \
            standard error, or to --access-log FILE. A request not answered within --request-timeout \
            (30 s) gets 503.
            """)

    @Option(help: ArgumentHelp("Serve this session's model (its current run, or --run N).", valueName: "name")) var session: String?
    @Option(help: ArgumentHelp("With --session: serve this run instead of the current one.", valueName: "n")) var run: Int?
    @Option(help: CheckpointChoice.help) var checkpoint: CheckpointChoice?
    @Flag(help: "Keep serving the run current at start; without it a session's newer run (trained here or in another process) is picked up between requests.")
    var pinRun = false
    @Option(help: "Serve a folder written by `train --save` or `sessions export`.") var modelDir: String?
    @Option(name: .customLong("model"), help: ArgumentHelp("Serve NAME: a session, or a model folder given by path (repeat for several).", valueName: "name=session|dir"))
    var namedModels: [String] = []
    @OptionGroup var dir: SessionsDirOption

    @Option(help: "Address to listen on; beyond loopback needs --token-file or --insecure.") var host = "127.0.0.1"
    @Option(help: "Port (0 picks a free one, printed once listening).") var port = 8080
    @Option(help: "Most texts per classify request (more: 413).") var maxTexts = 256
    @Option(help: "Most characters per text (more: 422).") var maxTextLength = 10_000
    @Option(help: "Largest request body in bytes (more: 413).") var maxBodyBytes = 1 << 20
    @Option(help: "How long a request waits for others to share a model call, in milliseconds (0: none; requests arriving while the model is busy share its next call anyway).") var batchWindowMs = 0.0
    @Option(help: "Most texts per model call.") var maxBatch = 64
    @Option(help: ArgumentHelp("Ask every /v1 request for this file's token (Authorization: Bearer TOKEN).", valueName: "file")) var tokenFile: String?
    @Flag(help: "Listen beyond loopback without a token.") var insecure = false
    @Option(help: "Longest a request may take, in seconds (more: 503 with Retry-After).") var requestTimeout = 30.0
    @Option(help: ArgumentHelp("Append the access log (a line per request) to this file instead of standard error.", valueName: "file"))
    var accessLog: String?

    /// A model to serve, before it is opened.
    enum Choice {
        case session(String, run: Int?)
        case folder(URL)
    }

    func choices() throws -> [(name: String, choice: Choice)] {
        if run != nil && session == nil { throw ValidationError("--run picks a run of a session: give --session NAME too") }
        if checkpoint != nil && session == nil { throw CheckpointChoice.withoutSession }
        let given = [session != nil, modelDir != nil, !namedModels.isEmpty].filter { $0 }.count
        guard given == 1 else { throw ValidationError("give one of --session NAME, --model-dir DIR, or --model NAME=SESSION|DIR (repeated)") }
        if let session { return [(session, .session(session, run: run))] }
        if let modelDir {
            let url = URL(fileURLWithPath: modelDir).standardizedFileURL
            return [(url.lastPathComponent, .folder(url))]
        }
        var found: [(name: String, choice: Choice)] = []
        for spec in namedModels {
            let parts = spec.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
                  parts[0].allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw ValidationError("--model \(spec): give NAME=SESSION or NAME=DIR (the name: letters, digits, '-', '_', '.')")
            }
            let name = String(parts[0]), value = String(parts[1])
            if found.contains(where: { $0.name == name }) { throw ValidationError("--model \(spec): the name '\(name)' is given twice") }
            found.append((name, Self.isModelFolder(value) ? .folder(URL(fileURLWithPath: value).standardizedFileURL) : .session(value, run: nil)))
        }
        return found
    }

    /// A path to a folder holding a saved model (a neural model's or a learner's file).
    static func isModelFolder(_ path: String) -> Bool {
        let fm = FileManager.default
        return [ModelDirectory.configFile, ModelDirectory.learnerFile].contains {
            fm.fileExists(atPath: URL(fileURLWithPath: path).appendingPathComponent($0).path)
        }
    }

    func settings() throws -> ServeConfiguration {
        var c = ServeConfiguration()
        c.host = host
        c.port = port
        c.maxTexts = maxTexts
        c.maxTextLength = maxTextLength
        c.maxBodyBytes = maxBodyBytes
        guard batchWindowMs.isFinite, (0...1000).contains(batchWindowMs) else {
            throw ValidationError("--batch-window-ms \(batchWindowMs): give milliseconds from 0 to 1000")
        }
        c.batchWindow = .microseconds(Int64((batchWindowMs * 1000).rounded()))
        c.maxBatch = maxBatch
        c.insecure = insecure
        guard requestTimeout.isFinite, requestTimeout > 0, requestTimeout <= 3600 else {
            throw ValidationError("--request-timeout \(requestTimeout): give seconds, more than 0 and at most 3600")
        }
        c.requestTimeout = .microseconds(Int64((requestTimeout * 1_000_000).rounded()))
        c.accessLogPath = accessLog
        if let tokenFile {
            do { c.token = try ServeConfiguration.readToken(tokenFile) } catch let e as ServeError { throw ValidationError(e.description) }
        }
        let problems = c.problems
        if !problems.isEmpty { throw ValidationError(problems.joined(separator: "\n")) }
        return c
    }

    func run() async throws {
        let configuration = try settings()
        let choices = try choices()
        // Folders load first: a bad one is reported before any session opens.
        var folders: [String: FolderModel] = [:]
        for case let (name, .folder(url)) in choices { folders[name] = try FolderModel(directory: url) }
        let loadedFolders = folders
        try await withSessionManager(dir.store) { manager in
            let reopened = ReopenedSessions(base: manager, store: dir.store)
            var models: [(name: String, source: ModelSource)] = []
            var reloads: [String: HotReload] = [:]
            let store = dir.store
            for (name, choice) in choices {
                switch choice {
                case let .folder(url):
                    guard let model = loadedFolders[name] else { throw ValidationError("\(url.path): not loaded") }
                    models.append((name, .folder(model)))
                case let .session(session, run):
                    let handle = try await manager.open(session, readOnly: true)
                    await handle.useCheckpoint(checkpoint)
                    if let run, !(await handle.info.record.runs.contains { $0.id == run }) {
                        let runs = await handle.info.record.runs.map { "\($0.id)" }.joined(separator: ", ")
                        throw ValidationError("--run \(run): session '\(session)' has no run \(run) (runs: \(runs))")
                    }
                    let current = await handle.info.record.currentRun.id
                    let served = run ?? (pinRun ? current : nil)
                    // Explanations come from the console's run: make it the one served.
                    if served != nil { try await handle.useInConsole(run: served) }
                    models.append((name, .session(handle, run: served)))
                    if run == nil && !pinRun {
                        reloads[name] = HotReload(
                            version: {
                                let record = try store.record(session)
                                return "run \(record.currentRun.id) (checkpoint \(record.checkpoint))"
                            },
                            reopen: { _ in try await reopened.reopen(session, checkpoint: checkpoint) })
                    }
                }
            }
            let server: ModelServer
            do { server = try ModelServer(configuration: configuration, models: models, reloads: reloads) } catch let e as ServeError {
                throw ValidationError(e.description)
            }
            let outcome: Result<Void, any Error>
            do {
                try await server.run { host, port in
                    // Unbuffered: a script reads the port from it while the server runs.
                    let line = "listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)\n"
                    try? FileHandle.standardOutput.write(contentsOf: Data(line.utf8))
                }
                outcome = .success(())
            } catch { outcome = .failure(error) }
            await reopened.shutdown()
            try outcome.get()
        }
    }
}

/// Opens a served session's newer run beside the handle serving now, each time with a manager
/// and engine of its own (the base manager keeps one handle per session), so that a run that
/// cannot be opened (a file half-written or unreadable) leaves the older one serving. The
/// older handle is closed only once the newer one has answered.
actor ReopenedSessions {
    let base: SessionManager
    let store: SessionStore
    /// Per session, the manager and engine of the handle served now; none while the base
    /// manager's first handle serves.
    private var current: [String: (manager: SessionManager, engine: TrainingEngine)] = [:]

    init(base: SessionManager, store: SessionStore) {
        self.base = base
        self.store = store
    }

    func reopen(_ session: String, checkpoint: CheckpointChoice?) async throws -> ModelSource {
        let engine = TrainingEngine()
        let manager = SessionManager(store: store, engine: engine)
        let handle: SessionHandle
        do {
            handle = try await manager.open(session, readOnly: true)
            await handle.useCheckpoint(checkpoint)
            // Opening reads the record; a run's model loads at its first use: use it now, so a
            // damaged file fails here, while the older model still serves.
            _ = try await handle.predict(texts: ["probe"])
        } catch {
            await Self.retire(manager, engine)
            throw error
        }
        if let old = current[session] {
            await Self.retire(old.manager, old.engine)
        } else {
            try? await base.close(session)
        }
        current[session] = (manager, engine)
        return .session(handle, run: nil)
    }

    /// Closes every handle opened here (the base manager closes its own).
    func shutdown() async {
        for (_, old) in current { await Self.retire(old.manager, old.engine) }
        current = [:]
    }

    private static func retire(_ manager: SessionManager, _ engine: TrainingEngine) async {
        _ = await manager.shutdown()
        await engine.shutdown()
    }
}
