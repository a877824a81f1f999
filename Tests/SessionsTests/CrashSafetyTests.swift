import Engine
import Foundation
import Testing
@testable import Sessions

@Suite struct CrashSafetyTests {
    static let tinyModel = #"{"layers": [{"type": "embedding", "dim": 8}, {"type": "dropout", "rate": 0.25}, {"type": "global_average_pooling1d"}, {"type": "dense", "units": 1, "activation": "sigmoid"}]}"#

    /// A real `workbench train --session` child killed with SIGKILL mid-training: the session
    /// loads, at most one autosave interval of batches is lost, the history parses, and
    /// carrying on reaches exactly what an uninterrupted run reaches.
    @Test func sigkillDuringTrainingLosesAtMostOneAutosaveInterval() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 200)
        try Data(Self.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        let autosave = 5
        let args = ["train", "--session", "c", "--data", "data.tsv", "--model", "tiny.json", "--epochs", "12", "--batch-size", "8",
                    "--max-length", "8", "--vocab-size", "50", "--tokenizer", "keras", "--autosave-every", "\(autosave)",
                    "--split", "0.2", "--seed", "3"]
        // The same training, never interrupted, for comparison.
        async let reference = runWorkbench(args + ["--sessions-dir", "ref"], in: tmp.url)

        let (child, _, errURL) = try startWorkbench(args + ["--sessions-dir", "S"], in: tmp.url)
        let pid = child.processIdentifier
        let store = SessionStore(root: tmp.file("S"))
        // A plain thread watches the checkpoints and kills the child once 40 batches are
        // saved: the test's own task may wait long for a cooperative thread when other
        // tests keep the cores busy.
        let killed = Flag(), exited = Flag()
        let watcher = Thread {
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline && !exited.isSet {
                if let r = try? store.record("c"), r.engineRun.cursor.step >= 40 {
                    kill(pid, SIGKILL)
                    killed.set()
                    return
                }
                usleep(500)
            }
        }
        watcher.start()
        while child.isRunning { try await Task.sleep(for: .milliseconds(5)) }
        exited.set()
        child.waitUntilExit()
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        try #require(killed.isSet, "the child ended (status \(child.terminationStatus)) before 40 batches were saved: \(stderr)")
        #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGKILL)

        // On disk: the last checkpoint, and a history that parses and reaches at most one
        // autosave interval past it.
        let record = try store.record("c")
        let saved = record.engineRun.cursor.step
        let (history, _) = try store.history("c")
        let logged = history.filter { $0.kind == .step }.map(\.step)
        let lastLogged = logged.max() ?? 0
        #expect(saved >= 40)
        #expect(lastLogged >= saved)
        #expect(lastLogged - saved <= autosave, "checkpoint at step \(saved), history reached step \(lastLogged)")
        #expect(logged == Array(1...lastLogged), "steps logged once each, in order")
        #expect(record.status == .training)

        // A new manager opens it: takes the dead process's lock over, reports the interrupted
        // job, trims the history to the checkpoint.
        try await withManager(store) { m in
            let info = try await m.open("c").info
            #expect(info.notices.contains { $0.contains("took over the lock") && $0.contains("\(pid)") }, "\(info.notices)")
            #expect(info.notices.contains { $0.contains("was training when its process ended") }, "\(info.notices)")
            #expect(info.status == .idle)
            #expect(info.step == saved)
            let steps = try await m.open("c", readOnly: true).history().filter { $0.kind == .step }.map(\.step)
            #expect(steps == Array(1...saved))
            #expect(try await m.open("c", readOnly: true).predict(texts: ["great food"]).count == 1)
        }

        // Carrying on through the CLI gives exactly the uninterrupted run.
        let carryOn = try await runWorkbench(["train", "--session", "c", "--sessions-dir", "S"], in: tmp.url)
        #expect(carryOn.status == 0, "\(carryOn.err)")
        let ref = try await reference
        #expect(ref.status == 0, "\(ref.err)")
        try expectSameTraining(tmp.file("ref/c"), tmp.file("S/c"))
    }

    /// A torn last history line (a write cut short) is dropped with a notice; the rest parses.
    @Test func tornLastHistoryLineIsDroppedWithANotice() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            try await m.create("t", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1))
            try await m.open("t").train()
            #expect(try await m.open("t", readOnly: true).waitUntilSettled() == .finished)
        }
        let url = tmp.file("S/t/history.jsonl")
        let intact = try store.history("t").records
        let h = try FileHandle(forWritingTo: url)
        try h.seekToEnd()
        try h.write(contentsOf: Data(#"{"accuracy":0.5,"batch":4,"ep"#.utf8))
        try h.close()

        let (records, notices) = try store.history("t")
        #expect(records == intact)
        #expect(notices.count == 1 && notices[0].contains("torn last line") && notices[0].contains("history.jsonl"))

        // Read-only leaves the file alone; opening for writing rewrites it without the torn line.
        try await withManager(store) { m in
            let ro = try await m.open("t", readOnly: true).info
            #expect(ro.notices.contains { $0.contains("torn last line") })
        }
        #expect(try String(contentsOf: url, encoding: .utf8).hasSuffix(#""ep"#))
        try await withManager(store) { m in
            let rw = try await m.open("t").info
            #expect(rw.notices.contains { $0.contains("torn last line") })
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        let again = try store.history("t")
        #expect(again.records == intact && again.notices.isEmpty)

        // A bad line elsewhere is skipped with a notice naming the file and line.
        try Data(("garbage\n" + text).utf8).write(to: url)
        let skipped = try store.history("t")
        #expect(skipped.records == intact)
        #expect(skipped.notices.count == 1 && skipped.notices[0].contains("history.jsonl") && skipped.notices[0].contains("line 1"), "\(skipped.notices)")
    }

    /// A kill between the steps of a checkpoint: `.next` files of the committed checkpoint
    /// are renamed into place, those of an uncommitted one deleted.
    @Test func interruptedCheckpointIsCompletedOrDiscarded() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        let store = SessionStore(root: tmp.file("S"))
        let before = try await withManager(store) { m in
            try await m.create("k", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1))
            try await m.open("k").train()
            #expect(try await m.open("k", readOnly: true).waitUntilSettled() == .finished)
            return try await m.open("k", readOnly: true).predict(texts: ["great", "awful"]).map(\.probabilities)
        }
        let dir = tmp.file("S/k")
        let record = try store.record("k")
        let n = record.checkpoint
        let weights = try tensors(dir.appendingPathComponent(SessionStore.weightsFile))

        // Committed (session.json at n) but not renamed: the final file still holds n − 1.
        try FileManager.default.moveItem(at: dir.appendingPathComponent(SessionStore.weightsFile),
                                         to: dir.appendingPathComponent(SessionFiles.weightsNext))
        let zeros = weights.map { ($0.key, Tensor(shape: $0.value.shape)) }.sorted { $0.0 < $1.0 }
        try SafeTensors.encode(zeros, metadata: ["checkpoint": String(n - 1)]).write(to: dir.appendingPathComponent(SessionStore.weightsFile))
        // Read-only readers already see the committed checkpoint.
        try await withManager(store) { m in
            try await m.open("k", readOnly: true)
            #expect(try await m.open("k", readOnly: true).predict(texts: ["great", "awful"]).map(\.probabilities) == before)
        }
        try await withManager(store) { m in
            let info = try await m.open("k").info
            #expect(info.notices.contains { $0.contains("completed checkpoint \(n)") }, "\(info.notices)")
            #expect(try await m.open("k", readOnly: true).predict(texts: ["great", "awful"]).map(\.probabilities) == before)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(SessionFiles.weightsNext).path))

        // Not committed: a .next file of checkpoint n + 1 is discarded.
        try SafeTensors.encode(zeros, metadata: ["checkpoint": String(n + 1)]).write(to: dir.appendingPathComponent(SessionFiles.optimizerNext))
        try await withManager(store) { m in
            let info = try await m.open("k").info
            #expect(info.notices.contains { $0.contains("discarded") }, "\(info.notices)")
            #expect(try await m.open("k", readOnly: true).predict(texts: ["great", "awful"]).map(\.probabilities) == before)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(SessionFiles.optimizerNext).path))
    }
}
