import TerminalUI

/// The UI loop. It owns all view state (`WorkbenchState`) and is the only code that calls the
/// backend. Keys, resizes, ticks, service events and the answers to its own requests all
/// become `AppEvent`s handled one at a time; service calls run in short tasks that post their
/// answers back. A frame is drawn (diffed by the backend) only when something changed, at most
/// about 60 times a second for training progress; a key or a prediction is drawn at once.
///
/// Each `step` waits up to `keyTimeoutMs` for a key, handles every key already waiting, then
/// drains the queued events, then draws. Tests drive `step` directly (or `run` with a scripted
/// backend) and wait for `isIdle` instead of sleeping.
public final class WorkbenchApp {
    public struct Configuration: Sendable {
        public var keyMap: KeyMap
        /// The theme drawn with until the service picks another.
        public var theme: Theme
        /// How long a step waits for a key.
        public var keyTimeoutMs: Int
        /// Shortest time between two frames, in seconds (1/60 caps at 60 frames a second).
        public var minFrameInterval: Double
        /// Seconds between `.tick` events.
        public var tickInterval: Double
        /// Test mode: keys are read only while the app is idle (no request unanswered, no
        /// event queued), so scripted keys see the effects of the ones before them.
        public var keysWaitForIdle: Bool
        /// Called (on the UI loop) each time the app becomes idle, with the idle count, e.g.
        /// to write a marker file that an end-to-end test through a pty waits for.
        public var onIdle: (@Sendable (Int) -> Void)?

        public init(keyMap: KeyMap = .standard, theme: Theme = .default, keyTimeoutMs: Int = 16,
                    minFrameInterval: Double = 1.0 / 60, tickInterval: Double = 1,
                    keysWaitForIdle: Bool = false, onIdle: (@Sendable (Int) -> Void)? = nil) {
            self.keyMap = keyMap
            self.theme = theme
            self.keyTimeoutMs = keyTimeoutMs
            self.minFrameInterval = minFrameInterval
            self.tickInterval = tickInterval
            self.keysWaitForIdle = keysWaitForIdle
            self.onIdle = onIdle
        }
    }

    public let configuration: Configuration
    public private(set) var state: WorkbenchState
    /// How many times the app went from busy to idle.
    public private(set) var idleCount = 0
    /// Frames drawn.
    public private(set) var frameCount = 0
    /// Requests sent to the service and not answered yet.
    public private(set) var pendingCalls = 0
    public private(set) var isRunning = false
    /// The signal that ended the loop (the backend's `endRequest`), nil if the user quit.
    public private(set) var endSignal: Int32?

    private let backend: any TerminalBackend
    private let service: any WorkbenchService
    private let inbox = Inbox<AppEvent>()
    private var pump: Task<Void, Never>?
    private var predictionTask: Task<Void, Never>?
    /// The last view save; each waits for the one before, and switching sessions or shutting
    /// down waits for them all.
    private var viewSaveTask: Task<Void, Never>?
    private var dirty = true
    /// The change answers the user (a key, a prediction): draw without waiting for the frame cap.
    private var urgent = false
    private var wasIdle = false
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastFrame: ContinuousClock.Instant?
    private var lastTick: Double = 0
    private var lastStepDuration = Duration.zero

    public init(backend: any TerminalBackend, service: any WorkbenchService,
                configuration: Configuration = Configuration()) {
        self.backend = backend
        self.service = service
        self.configuration = configuration
        state = WorkbenchState(size: backend.size, keyMap: configuration.keyMap)
        started = clock.now
    }

    /// Nothing left to do: every request answered, no event queued, the screen up to date.
    public var isIdle: Bool { pendingCalls == 0 && inbox.isEmpty && !dirty }
    /// Input arrived since the last idle signal.
    private var handledInput = false

    // MARK: Running

    /// Runs the workbench until the user quits or a signal asks it to end: takes over the
    /// terminal, loops, asks the service to shut down (training stops at a batch boundary and
    /// is saved), and always gives the terminal back. Returns the signal, if one ended it.
    @discardableResult
    public static func run(backend: any TerminalBackend, service: any WorkbenchService,
                           configuration: Configuration = Configuration()) async throws -> Int32? {
        let app = WorkbenchApp(backend: backend, service: service, configuration: configuration)
        defer { backend.stop() }
        try app.start()
        while app.step() {
            await app.pause()
        }
        await app.shutdown()
        return app.endSignal
    }

    /// Takes over the terminal, starts listening to the service and asks for the session.
    public func start() throws {
        try backend.start(theme: configuration.theme)
        isRunning = true
        state.update(.resize(backend.size)).forEach(perform)
        let events = service.events
        let inbox = inbox
        pump = Task {
            for await e in events { inbox.post(.service(e)) }
        }
        perform(.call(.snapshot))
        dirty = true
    }

    /// One turn of the loop. Returns false once the user has quit.
    @discardableResult
    public func step(timeoutMs: Int? = nil) -> Bool {
        guard isRunning, !state.isQuitting else { return false }
        // Asked to end (SIGTERM, SIGHUP…): quit without the question, nobody may be there to answer.
        if let sig = backend.endRequest {
            endSignal = sig
            state.requestQuit(ask: false).forEach(perform)
            return false
        }
        let stepStart = clock.now
        defer { lastStepDuration = clock.now - stepStart }
        // Keys: wait for the first (no longer than the next frame is due), then take the rest.
        let mayRead = !configuration.keysWaitForIdle || (pendingCalls == 0 && inbox.isEmpty)
        if mayRead {
            var wait = timeoutMs ?? configuration.keyTimeoutMs
            if dirty { wait = urgent ? 0 : min(wait, msUntilFrame()) }
            var budget = 256
            while budget > 0, let key = backend.readKey(timeoutMs: wait) {
                handledInput = true
                handle(key == .resize ? .resize(backend.size) : .key(key))
                budget -= 1
                wait = 0
                if state.isQuitting || configuration.keysWaitForIdle { break }
            }
        }
        // Service events and answers.
        for event in inbox.drain() {
            if case .reply = event { pendingCalls -= 1 }
            handle(event)
        }
        // Ticks.
        let now = seconds(since: started)
        if now - lastTick >= configuration.tickInterval {
            lastTick = now
            // Ticks drive console refreshes while training and the delayed save of a changed view.
            if state.status.state == .training || state.viewIsUnsaved { handle(.tick(now)) }
        }
        drawIfDue()
        // A key handled and drawn within this one turn also counts as a busy spell, so every
        // input is followed by an idle signal once its effects are on screen.
        if isIdle && (!wasIdle || handledInput) {
            idleCount += 1
            configuration.onIdle?(idleCount)
        }
        wasIdle = isIdle
        if isIdle { handledInput = false }
        return !state.isQuitting
    }

    /// Handles one event: updates the state and carries out its effects.
    public func handle(_ event: AppEvent) {
        let effects = state.update(event)
        dirty = true
        switch event {
        case .key, .resize, .reply(.prediction): urgent = true
        default: break
        }
        effects.forEach(perform)
    }

    /// Draws now if the screen changed and a frame is due.
    public func drawIfDue(force: Bool = false) {
        guard dirty || force, isRunning else { return }
        guard force || urgent || msUntilFrame() == 0 else { return }
        state.update(.frame(seconds(since: started))).forEach(perform)
        let (grid, cursor) = state.render()
        backend.draw(grid, cursor: cursor)
        frameCount += 1
        lastFrame = clock.now
        // A big chart still behind its data draws again at the next frame.
        dirty = state.chart.isBehind
        urgent = false
    }

    /// Steps until the app is idle and `condition` holds (lazygit's "wait until true"), or
    /// `timeout` seconds pass. Returns whether the condition was met. For tests; the timeout
    /// is long because a busy test run can keep the service's tasks waiting for a thread.
    public func settle(timeout: Double = 60, until condition: (WorkbenchApp) -> Bool = { _ in true }) async -> Bool {
        let start = clock.now
        while seconds(since: start) < timeout {
            _ = step(timeoutMs: 0)
            if isIdle && condition(self) { return true }
            if !isRunning || state.isQuitting { return condition(self) }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return false
    }

    /// Lets service tasks run between steps. A backend that really waited for a key has
    /// paced the loop already; when the step returned at once (a test backend, or keys held
    /// back in test mode) a short sleep keeps the loop from spinning.
    func pause() async {
        if lastStepDuration < .milliseconds(1) {
            try? await Task.sleep(for: .milliseconds(1))
        } else {
            await Task.yield()
        }
    }

    /// Asks the service to shut down and stops listening. The caller stops the backend.
    public func shutdown() async {
        predictionTask?.cancel()
        await viewSaveTask?.value
        await service.shutdown()
        pump?.cancel()
        pump = nil
        isRunning = false
    }

    // MARK: Effects

    private func perform(_ effect: Effect) {
        switch effect {
        case let .call(call):
            pendingCalls += 1
            let service = service
            let inbox = inbox
            // The view is saved to the session it belongs to before another one opens.
            let saving: Task<Void, Never>?
            switch call {
            case .openSession, .newSession, .newSessionFromData: saving = viewSaveTask
            default: saving = nil
            }
            let task = Task {
                await saving?.value
                let reply = await ServiceCaller.send(call, to: service)
                inbox.post(.reply(reply))
            }
            if case .predict = call {
                // Latest wins: the previous request is no longer wanted.
                predictionTask?.cancel()
                predictionTask = task
            }
        case let .saveView(view):
            // Not a counted request: nothing waits for its answer, so it does not hold up idle.
            let service = service
            let previous = viewSaveTask
            viewSaveTask = Task {
                await previous?.value
                await service.saveViewState(view)
            }
        case let .applyTheme(theme):
            backend.apply(theme: theme)
            dirty = true
        case .quit:
            dirty = true
        }
    }

    // MARK: Time

    private func seconds(since t: ContinuousClock.Instant) -> Double {
        let d = clock.now - t
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    private func msUntilFrame() -> Int {
        guard let last = lastFrame else { return 0 }
        let left = configuration.minFrameInterval - seconds(since: last)
        return left <= 0 ? 0 : Int((left * 1000).rounded(.up))
    }
}

/// Turns a `ServiceCall` into the service method call and its answer into a reply.
enum ServiceCaller {
    static func send(_ call: ServiceCall, to service: any WorkbenchService) async -> ServiceReply {
        switch call {
        case .snapshot: return .snapshot(await service.snapshot())
        case .startTraining: return .command(call, await service.startTraining())
        case let .trainEpochs(n): return .command(call, await service.train(epochs: n))
        case .pauseTraining: return .command(call, await service.pauseTraining())
        case .resumeTraining: return .command(call, await service.resumeTraining())
        case .stepTraining: return .command(call, await service.stepTraining())
        case .stopTraining: return .command(call, await service.stopTraining())
        case .save: return .command(call, await service.save())
        case .listSessions: return .sessions(await service.listSessions())
        case let .openSession(name): return .session(await service.openSession(named: name))
        case let .newSession(name): return .session(await service.newSession(named: name))
        case let .deleteSession(name): return .command(call, await service.deleteSession(named: name))
        case let .exportSession(name, path): return .command(call, await service.exportSession(named: name, to: path))
        case let .edit(edit): return .edit(edit, await service.applyModelEdit(edit))
        case let .setTheme(name): return .theme(name, await service.setTheme(named: name))
        case .leaderboard: return .leaderboard(await service.leaderboard())
        case .metrics: return .metrics(await service.metrics())
        case let .trainLearners(specs): return .command(call, await service.trainLearners(specs))
        case let .changeSettings(change): return .command(call, await service.changeSettings(change))
        case let .renameRun(id, name): return .command(call, await service.renameRun(id, to: name))
        case let .deleteRun(id): return .command(call, await service.deleteRun(id))
        case let .useInConsole(run): return .command(call, await service.useInConsole(run: run))
        case let .export(format, folder): return .command(call, await service.export(format: format, to: folder))
        case let .predict(id, text): return .prediction(id: id, text: text, await service.predict(text))
        case let .serve(port): return .command(call, await service.startServing(port: port))
        case .stopServing: return .command(call, await service.stopServing())
        case .listDirectory, .previewData, .newSessionFromData: return await sendData(call, to: service)
        }
    }
}
