import ArgumentParser
import Foundation
import Sessions

/// `--sessions-dir`: where session folders live (default `$WORKBENCH_SESSIONS_DIR`, else
/// `Sessions/` in the working directory).
struct SessionsDirOption: ParsableArguments {
    @Option(help: ArgumentHelp("Sessions folder (default: $\(SessionStore.environmentVariable), else ./Sessions).", valueName: "dir"))
    var sessionsDir: String?

    var store: SessionStore { SessionStore(root: SessionStore.resolveRoot(override: sessionsDir)) }
}

/// `train --session NAME`: the options that make training a session.
struct SessionTrainOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Train in this session: created from the options if new, continued if it exists.", valueName: "name"))
    var session: String?
    @Option(help: "With --session: batches between autosaves (default 100; a checkpoint is also written at every epoch end).")
    var autosaveEvery: Int?
    @OptionGroup var dir: SessionsDirOption
}

/// `eval` / `predict --session NAME`: a session instead of `--model-dir`.
struct SessionModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Use this session's model (its last checkpoint) instead of --model-dir.", valueName: "name"))
    var session: String?
    @Option(help: ArgumentHelp("With --session: use this run's model (see `sessions runs`) instead of the current one.", valueName: "n"))
    var run: Int?
    @OptionGroup var dir: SessionsDirOption

    /// The session to use, or nil for `--model-dir`; exactly one of the two must be given.
    func chosen(modelDir: String?) throws -> String? {
        if run != nil && session == nil { throw ValidationError("--run picks a run of a session: give --session NAME too") }
        switch (session, modelDir) {
        case (nil, nil): throw ValidationError("give --model-dir DIR or --session NAME")
        case (.some, .some): throw ValidationError("give either --model-dir or --session, not both")
        case let (s?, nil): return s
        case (nil, .some): return nil
        }
    }
}

/// Runs `body` with a session manager on the process's engine, then shuts both down (jobs
/// stop at a batch boundary with their progress saved) before returning or rethrowing.
func withSessionManager<T: Sendable>(_ store: SessionStore, _ body: (SessionManager) async throws -> T) async throws -> T {
    let manager = SessionManager(store: store)
    do {
        let result = try await body(manager)
        await manager.shutdown()
        await TrainingEngine.shared.shutdown()
        return result
    } catch {
        await manager.shutdown()
        await TrainingEngine.shared.shutdown()
        throw error
    }
}

/// Standard error, for notices and warnings. A failed write (the terminal gone after SIGHUP)
/// is dropped rather than trapping.
func printError(_ s: String) {
    try? FileHandle.standardError.write(contentsOf: Data((s + "\n").utf8))
}
