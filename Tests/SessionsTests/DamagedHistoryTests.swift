import Engine
import Foundation
import Testing
@testable import Sessions

/// A bad history line costs that line (with one warning naming the file and line), never the
/// session: it opens, predicts and trains on, through the manager and the CLI.
@Suite struct DamagedHistoryTests {
    static func trained(epochs: Int = 1) async throws -> (TempDir, SessionStore) {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            try await m.create("h", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: epochs))
            try await m.open("h").train()
            #expect(try await m.open("h", readOnly: true).waitUntilSettled() == .finished)
        }
        return (tmp, store)
    }

    @Test func damagedHistoryLinesAreSkippedWithOneWarning() async throws {
        let (tmp, store) = try await Self.trained()
        let url = tmp.file("S/h/history.jsonl")
        let intact = try store.history("h").records
        var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.insert("this is not JSON", at: 2)
        lines.insert(#"{"type":"step","run":1}"#, at: 5)
        try Data(lines.joined(separator: "\n").utf8).write(to: url)

        let (records, notices) = try store.history("h")
        #expect(records == intact)
        #expect(notices.count == 1, "\(notices)")
        #expect(notices.first.map { $0.contains("history.jsonl") && $0.contains("line 3") && $0.contains("line 6") } == true, "\(notices)")

        // Read-only: opens and predicts, leaving the file alone.
        try await withManager(store) { m in
            let info = try await m.open("h", readOnly: true).info
            #expect(info.notices.contains { $0.contains("line 3") })
            #expect(try await m.open("h", readOnly: true).predict(texts: ["great"]).count == 1)
            _ = try await m.open("h", readOnly: true).leaderboard()
        }
        // For writing: the bad lines are set aside, the session trains on.
        try await withManager(store) { m in
            let info = try await m.open("h").info
            #expect(info.notices.filter { $0.contains("history.jsonl") }.count == 1, "\(info.notices)")
            try await m.open("h").train(additionalEpochs: 1)
            #expect(try await m.open("h", readOnly: true).waitUntilSettled() == .finished)
        }
        let after = try store.history("h")
        #expect(after.notices.isEmpty)
        #expect(after.records.filter { $0.kind == .epoch }.map(\.epoch) == [1, 2])
        #expect(try String(contentsOf: tmp.file("S/h/history.jsonl.damaged"), encoding: .utf8).contains("this is not JSON"))

        // The CLI shows it, with the warning.
        try Data((lines.joined(separator: "\n")).utf8).write(to: url)
        for args in [["sessions", "show", "h"], ["sessions", "runs", "h"], ["predict", "--session", "h", "great"],
                     ["eval", "--session", "h", "--data", "data.tsv"], ["sessions", "export", "h", "exported"]] {
            let r = try await runWorkbench(args + ["--sessions-dir", "S"], in: tmp.url)
            #expect(r.status == 0, "\(args): \(r.err)")
        }
        let show = try await runWorkbench(["sessions", "show", "h", "--sessions-dir", "S"], in: tmp.url)
        #expect(show.err.contains("history.jsonl") && show.err.contains("line 3"), "\(show.err)")
    }
}
