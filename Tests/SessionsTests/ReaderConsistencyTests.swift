import Engine
import Foundation
import Testing
@testable import Sessions

/// Readers of a session that another manager trains (as another process would) see one
/// consistent checkpoint, however fast the checkpoints come: never a false "changed by hand".
@Suite struct ReaderConsistencyTests {
    @Test func readersWhileTheWriterCheckpointsEveryBatch() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 80)
        let store = SessionStore(root: tmp.file("S"))
        let dir = tmp.file("S/c")
        try await withManager(store) { trainer in
            let log = EventLog(trainer.events())
            try await trainer.create("c", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 100_000, layers: Synthetic.pooled,
                                                                  batchSize: 4, autosaveEvery: 1))
            try await trainer.open("c").train()
            #expect(await log.wait { if case let .checkpoint(session: "c", info) = $0 { return info.number >= 5 }; return false })

            // The loading path of every reader, many times in a row.
            var checkpoints: Set<Int> = []
            for i in 0..<300 {
                let record = try SessionStore.readRecord(dir: dir, name: "c")
                let files = SessionFiles(directory: dir, record: record, readOnly: true)
                do {
                    let loaded = try files.loadCheckpoint()
                    let w = try SessionFiles.checkpointNumber(loaded.weights, path: loaded.weightsPath)
                    let o = try SessionFiles.checkpointNumber(loaded.optimizer, path: loaded.optimizerPath)
                    #expect(w == loaded.record.checkpoint && o == loaded.record.checkpoint, "read \(i): \(w), \(o) for \(loaded.record.checkpoint)")
                    checkpoints.insert(loaded.record.checkpoint)
                } catch {
                    Issue.record("read \(i): \(error)")
                    break
                }
            }
            #expect(checkpoints.count > 1, "the writer did not move on while the readers read")

            // Whole read-only opens, with predictions, evaluation, export and the leaderboard.
            for i in 0..<12 {
                do {
                    try await withManager(store) { reader in
                        try await reader.open("c", readOnly: true)
                        #expect(try await reader.open("c", readOnly: true).predict(texts: ["great"]).count == 1)
                        _ = try await reader.open("c", readOnly: true).leaderboard()
                        if i % 3 == 0 { try await reader.open("c", readOnly: true).export(to: tmp.file("export-\(i)")) }
                    }
                } catch {
                    Issue.record("reader \(i): \(error)")
                }
            }
            try await trainer.open("c").stop()
        }
    }

    /// A writer far faster than a real one (no fsync, no training), committing checkpoints in
    /// the store's order (`.next` files, session.json, renames) as fast as it can: every read
    /// still gets one checkpoint whole.
    @Test func readersAgainstAWriterWithoutPause() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        let store = SessionStore(root: tmp.file("S"))
        _ = try await withManager(store) { m in
            try await m.create("c", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1, layers: Synthetic.pooled))
        }
        let dir = tmp.file("S/c")
        let start = try SessionStore.readRecord(dir: dir, name: "c")
        let weights = try SafeTensors.decode(try Data(contentsOf: dir.appendingPathComponent(SessionStore.weightsFile)), path: "w").tensors
            .map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }
        let stop = Flag()
        let writerDone = Flag()
        let writer = Thread {
            defer { writerDone.set() }
            var r = start
            while !stop.isSet {
                r.checkpoint += 1
                let meta = ["checkpoint": String(r.checkpoint)]
                guard let w = try? SafeTensors.encode(weights, metadata: meta),
                      let o = try? SafeTensors.encode([] as [(name: String, tensor: Tensor)], metadata: meta.merging(["optimizer": "adam", "iterations": "0"]) { $1 }) else { return }
                r.checkpointFiles = CheckpointDigests(weights: w, optimizer: o)
                do {
                    try w.write(to: dir.appendingPathComponent(SessionFiles.weightsNext), options: .atomic)
                    try o.write(to: dir.appendingPathComponent(SessionFiles.optimizerNext), options: .atomic)
                    try SessionJSON.encoder.encode(r).write(to: dir.appendingPathComponent(SessionStore.sessionFile), options: .atomic)
                } catch { return }
                for kind in CheckpointFile.allCases {
                    _ = rename(dir.appendingPathComponent(kind.next).path, dir.appendingPathComponent(kind.final).path)
                }
            }
        }
        writer.start()
        defer { stop.set() }
        var seen: Set<Int> = []
        for i in 0..<300 {
            do {
                let (record, files) = try SessionFiles.readSnapshot(dir: dir, name: "c")
                let w = try SessionFiles.checkpointNumber(files.weights.data, path: files.weights.path)
                let o = try SessionFiles.checkpointNumber(files.optimizer.data, path: files.optimizer.path)
                #expect(w == record.checkpoint && o == record.checkpoint, "read \(i)")
                seen.insert(record.checkpoint)
            } catch {
                Issue.record("read \(i): \(error)")
                break
            }
        }
        stop.set()
        #expect(await waitUntil { writerDone.isSet })
        #expect(seen.count > 1, "the writer did not move on while the readers read")
    }
}
