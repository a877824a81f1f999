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
    @Option(help: CheckpointChoice.help) var checkpoint: CheckpointChoice?
    @OptionGroup var dir: SessionsDirOption

    /// The session to use, or nil for `--model-dir`; exactly one of the two must be given.
    func chosen(modelDir: String?) throws -> String? {
        if run != nil && session == nil { throw ValidationError("--run picks a run of a session: give --session NAME too") }
        if checkpoint != nil && session == nil { throw CheckpointChoice.withoutSession }
        switch (session, modelDir) {
        case (nil, nil): throw ValidationError("give --model-dir DIR or --session NAME")
        case (.some, .some): throw ValidationError("give either --model-dir or --session, not both")
        case let (s?, nil): return s
        case (nil, .some): return nil
        }
    }
}

extension CheckpointChoice: ExpressibleByArgument {
    static let help = ArgumentHelp("With --session: the run's best epoch's weights (kept when it trained with --checkpoint best) or its last; default: as the run trained.", valueName: "best|last")
    /// A model folder holds one set of weights: only a session's run has two.
    static let withoutSession = ValidationError("--checkpoint picks between a session run's best and last weights: give --session NAME too")
}

/// Runs `body` with a session manager on the process's engine, then shuts both down (jobs
/// stop at a batch boundary with their progress saved) before returning or rethrowing. A save
/// that fails while shutting down is an error too (the command must not exit 0), unless the
/// error `body` threw already says it.
func withSessionManager<T: Sendable>(_ store: SessionStore, _ body: (SessionManager) async throws -> T) async throws -> T {
    let manager = SessionManager(store: store)
    let outcome: Result<T, any Error>
    do { outcome = .success(try await body(manager)) } catch { outcome = .failure(error) }
    let failures = await manager.shutdown()
    await TrainingEngine.shared.shutdown()
    switch outcome {
    case let .success(result):
        if let first = failures.first {
            for f in failures.dropFirst() { printError("error: \(f)") }
            throw first
        }
        return result
    case let .failure(error):
        for f in failures where !"\(error)".contains("\(f)") { printError("error: \(f)") }
        throw error
    }
}

/// Standard error, for notices and warnings. A failed write (the terminal gone after SIGHUP)
/// is dropped rather than trapping.
func printError(_ s: String) {
    try? FileHandle.standardError.write(contentsOf: Data((s + "\n").utf8))
}
