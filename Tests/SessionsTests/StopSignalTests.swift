import Foundation
import Testing
@testable import Sessions

/// `workbench train --session` asked to stop by a signal: training ends at a batch boundary
/// with everything done so far saved, and the exit status says which signal stopped it.
@Suite struct StopSignalTests {
    /// SIGINT, SIGTERM and SIGHUP to a real child mid-training (autosave far away, so only the
    /// stop's own checkpoint can hold the progress): exit 128 + the signal, and the session
    /// holds every step the history logged.
    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130)), (SIGHUP, Int32(129))])
    func aSignalStopsTrainingSavesAndExitsNonZero(_ sig: Int32, _ expectedStatus: Int32) async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 200)
        try Data(CrashSafetyTests.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        let args = ["train", "--session", "s", "--sessions-dir", "S", "--data", "data.tsv", "--model", "tiny.json",
                    "--epochs", "100000", "--batch-size", "8", "--max-length", "8", "--vocab-size", "50",
                    "--tokenizer", "keras", "--autosave-every", "1000000", "--split", "0.2", "--seed", "3"]
        let (child, outURL, errURL) = try startWorkbench(args, in: tmp.url)
        let store = SessionStore(root: tmp.file("S"))
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }

        // Progress: the history logs each batch as it is trained.
        func loggedSteps() -> [Int] {
            ((try? store.history("s"))?.records ?? []).filter { $0.kind == .step }.map(\.step)
        }
        let trained = await waitUntil(timeout: 120) { !child.isRunning || (loggedSteps().last ?? 0) >= 30 }
        try #require(trained && child.isRunning,
                     "no progress, or the child ended: \((try? String(contentsOf: errURL, encoding: .utf8)) ?? "")")
        let stepAtSignal = loggedSteps().last ?? 0
        kill(child.processIdentifier, sig)
        let exited = await waitUntil(timeout: 60) { !child.isRunning }
        if !exited { kill(child.processIdentifier, SIGKILL) }
        child.waitUntilExit()
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        try #require(exited, "the child did not stop within 60 s of the signal")
        #expect(child.terminationReason == .exit && child.terminationStatus == expectedStatus,
                "reason \(child.terminationReason.rawValue), status \(child.terminationStatus); \(err)")
        #expect(out.contains("progress saved"), "\(out)")

        // Nothing lost: the checkpoint is at the last step the history logged, past the signal.
        let record = try store.record("s")
        let steps = loggedSteps()
        #expect(record.engineRun.cursor.step >= stepAtSignal)
        #expect(steps == Array(1...record.engineRun.cursor.step), "history \(steps.count) steps, checkpoint at \(record.engineRun.cursor.step)")
        #expect(record.status == .idle)
    }

    /// A stop with nothing unsaved (here every batch is autosaved) still records the session
    /// as idle: the last checkpoint, written mid-job, said training, and the next open took
    /// the session for one whose process died while training.
    @Test func aStopRightAfterACheckpointLeavesTheSessionIdle() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 200)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            try await m.create("a", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1000, layers: Synthetic.pooled,
                                                           autosaveEvery: 1))
            try await m.open("a").train()
            #expect(await waitUntil { ((try? store.record("a"))?.engineRun.cursor.step ?? 0) >= 3 })
            try await m.open("a").stop()
            #expect(try await m.open("a", readOnly: true).waitUntilSettled() == .idle)
        }
        #expect(try store.record("a").status == .idle)
        try await withManager(store) { m in
            let info = try await m.open("a").info
            #expect(!info.notices.contains { $0.contains("when its process ended") }, "\(info.notices)")
        }
    }
}
