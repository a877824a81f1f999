import Foundation
import Testing
@testable import Sessions

/// Closing a session while it trains leaves it at rest on disk, also when the last batch was
/// just autosaved (nothing unsaved): session.json must not say "training" for a job that no
/// longer runs (the tmux signal test caught a SIGHUP leaving it so).
@Suite struct CloseStatusTests {
    @Test func closingRightAfterAnAutosaveRecordsTheRestingStatus() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 80)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            let log = EventLog(m.events())
            // Every batch is a checkpoint, so a close finds nothing unsaved.
            try await m.create("s", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 10_000, layers: Synthetic.pooled, autosaveEvery: 1))
            try await m.open("s").train()
            #expect(await log.wait { if case let .checkpoint(session: "s", info) = $0 { return info.step >= 3 }; return false })
            try await m.close("s")
        }
        let record = try store.record("s")
        #expect(record.status == .idle, "\(record.status)")
    }
}
