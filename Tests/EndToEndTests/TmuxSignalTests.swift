import Foundation
import Testing

/// The terminal workbench asked to end by a signal while it trains: it leaves the screen as
/// it found it, saves the training done so far, and exits with 128 + the signal.
@Suite(.serialized) struct TmuxSignalTests {
    @Test(arguments: [(SIGTERM, 143), (SIGHUP, 129)])
    func aSignalWhileTrainingSavesRestoresTheTerminalAndExitsNonZero(_ sig: Int32, _ expected: Int) async throws {
        let t = try TmuxSession(epochs: 500)
        defer { t.kill() }
        try await t.waitForScreen("dataset pane with the data file") { $0.contains("small.tsv") && $0.contains("Model") }
        try await t.press("t")
        let session = t.root.appendingPathComponent("S/small")
        try await t.waitForScreen("some batches trained", timeout: 60) { _ in (Self.loggedSteps(session).last ?? 0) >= 5 }
        let pid = try #require(t.workbenchPID(), "the workbench process under the tmux pane")

        kill(pid, sig)
        try await t.waitForScreen("the program to exit", timeout: 60) { $0.contains("EXIT=") }
        let screen = t.screen()
        #expect(screen.contains("EXIT=\(expected)"), "\(screen)")
        // The terminal is back: the UI's screen is gone, only the shell's output is left.
        #expect(!screen.contains("Console") && !screen.contains("small.tsv"), "\(screen)")

        // Nothing lost: the last checkpoint holds every step the history logged.
        let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: session.appendingPathComponent("session.json"))) as? [String: Any])
        let runs = try #require(record["runs"] as? [[String: Any]])
        let cursor = try #require((runs.last?["neural"] as? [String: Any])?["cursor"] as? [String: Any])
        let saved = try #require(cursor["step"] as? Int)
        let steps = Self.loggedSteps(session)
        #expect(saved >= 5 && steps == Array(1...saved), "checkpoint at step \(saved), history \(steps.count) steps")
        #expect((record["status"] as? [String: Any])?["state"] as? String == "idle", "\(record["status"] ?? "")")
    }

    /// The steps history.jsonl logged so far (a torn last line skipped).
    static func loggedSteps(_ session: URL) -> [Int] {
        guard let text = try? String(contentsOf: session.appendingPathComponent("history.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], o["type"] as? String == "step" else { return nil }
            return o["step"] as? Int
        }
    }
}

extension TmuxSession {
    /// The workbench process: the child of the pane's shell named workbench.
    func workbenchPID() -> pid_t? {
        guard let pane = pid_t((try? tmux(["display-message", "-p", "-t", name, "#{pane_pid}"]))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") else { return nil }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.range(of: ")", options: .backwards) else { continue }
            // pid (comm) state ppid …
            let command = stat[stat.index(after: open)..<close.lowerBound]
            let fields = stat[close.upperBound...].split(separator: " ")
            if command == "workbench", fields.count > 1, pid_t(fields[1]) == pane { return pid }
        }
        return nil
    }
}
