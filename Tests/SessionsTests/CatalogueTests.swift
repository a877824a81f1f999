import Engine
import Foundation
import Testing
@testable import Sessions

/// Create, list, rename, duplicate, delete, and the lock that keeps two writers apart.
@Suite struct CatalogueTests {
    @Test func renameDuplicateAndDelete() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            let log = EventLog(m.events())
            try await m.create("a", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1))
            await #expect(throws: SessionError.alreadyExists("a")) { try await m.create("a", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1)) }
            try await m.open("a").train()
            #expect(try await m.open("a", readOnly: true).waitUntilSettled() == .finished)
            let before = try await m.open("a", readOnly: true).predict(texts: ["great"])

            try await m.rename("a", to: "b")
            #expect(try await m.list().map(\.name) == ["b"])
            #expect(try store.record("b").name == "b")
            #expect(try await m.open("b", readOnly: true).predict(texts: ["great"]) == before)
            await #expect(throws: SessionError.notFound("a")) { try await m.info("a") }

            try await m.duplicate("b", as: "c")
            #expect(try await m.list().map(\.name) == ["b", "c"])
            let c = try await m.open("c").info
            #expect(c.record.id != (try await m.info("b").record.id))
            #expect(try await m.open("c", readOnly: true).predict(texts: ["great"]) == before)
            try await m.open("c").train(additionalEpochs: 1)
            #expect(try await m.open("c", readOnly: true).waitUntilSettled() == .finished)
            #expect(try await m.info("c").epochsCompleted == 2)
            #expect(try await m.info("b").epochsCompleted == 1)

            await #expect(throws: SessionError.alreadyExists("c")) { try await m.rename("b", to: "c") }
            await #expect(throws: SessionError.alreadyExists("b")) { try await m.duplicate("c", as: "b") }
            try await m.delete("c")
            #expect(try await m.list().map(\.name) == ["b"])
            #expect(!FileManager.default.fileExists(atPath: tmp.file("S/c").path))
            await #expect(throws: SessionError.notFound("c")) { try await m.delete("c") }
            // create, rename, duplicate, delete
            #expect(await log.wait { _ in log.events.filter { $0 == .catalogChanged }.count == 4 })
        }
        // Nothing hidden left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.file("S").path) == ["b"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.file("S/b").path).sorted()
                == ["history.jsonl", "optimizer.safetensors", "session.json", "weights.safetensors"])
    }

    @Test func renameWhileTrainingMovesTheCheckpoints() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 80)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            let log = EventLog(m.events())
            try await m.create("old", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 100_000, layers: Synthetic.pooled, autosaveEvery: 3))
            try await m.open("old").train()
            #expect(await log.wait { if case .checkpoint(session: "old", _) = $0 { return true }; return false })
            try await m.rename("old", to: "new")
            let renamedAt = try await m.info("new").step
            #expect(await log.wait { if case let .checkpoint(session: "new", info) = $0 { return info.step > renamedAt }; return false })
            #expect(try await m.info("new").status == .training)
            try await m.open("new").stop()
            #expect(!FileManager.default.fileExists(atPath: tmp.file("S/old").path))
            #expect(try store.record("new").engineRun.cursor.step > renamedAt)
            #expect(store.lockHolder("new").held)
        }
        #expect(!store.lockHolder("new").held)
        #expect(!FileManager.default.fileExists(atPath: tmp.file("S/new/.lock").path))
    }

    @Test func aLockHeldElsewhereRefusesWritersAndAStaleOneIsTakenOver() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { first in
            try await first.create("a", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1))
            try await withManager(store) { second in
                await #expect(throws: SessionError.locked(session: "a", pid: getpid())) { try await second.open("a") }
                await #expect(throws: SessionError.locked(session: "a", pid: getpid())) { try await second.delete("a") }
                await #expect(throws: SessionError.locked(session: "a", pid: getpid())) { try await second.rename("a", to: "z") }
            }
        }
        // The manager is gone; a lock file naming a dead process is free.
        try Data("999999\n".utf8).write(to: tmp.file("S/a/.lock"))
        try await withManager(store) { m in
            let info = try await m.open("a").info
            #expect(info.notices.contains { $0.contains("took over") && $0.contains("999999") }, "\(info.notices)")
            #expect(try String(contentsOf: tmp.file("S/a/.lock"), encoding: .utf8) == "\(getpid())\n")
            try await m.close("a")
            #expect(!FileManager.default.fileExists(atPath: tmp.file("S/a/.lock").path))
            try await m.delete("a")
        }
        #expect(!FileManager.default.fileExists(atPath: tmp.file("S/a").path))
    }

    @Test func listShowsStrayFoldersAndSweepsInterruptedDeletions() async throws {
        let tmp = try TempDir()
        for folder in ["bad..name", ".deleting-1234", ".creating-fresh"] {
            try FileManager.default.createDirectory(at: tmp.file("S/\(folder)"), withIntermediateDirectories: true)
        }
        try await withManager(SessionStore(root: tmp.file("S"))) { m in
            let list = try await m.list()
            #expect(list.map(\.name) == ["bad..name"])
            #expect(list.first?.problem?.contains("invalid session name") == true)
        }
        // A deletion that was interrupted is finished; a creation in progress is left alone.
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.file("S").path).sorted() == [".creating-fresh", "bad..name"])
    }

    @Test func createRejectsBadSetupsClearly() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        try Data(String(repeating: "pos\tonly one label\n", count: 10).utf8).write(to: tmp.file("one.tsv"))
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            do {
                try await m.create("x", setup: Synthetic.setup(data: tmp.file("missing.tsv"), epochs: 1))
                Issue.record("created from a missing file")
            } catch { #expect("\(error)".contains("missing.tsv"), "\(error)") }
            do {
                try await m.create("x", setup: Synthetic.setup(data: tmp.file("one.tsv"), epochs: 1))
                Issue.record("created with one label")
            } catch { #expect("\(error)".contains("one label"), "\(error)") }
            do {
                try await m.create("x", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1, layers: [.embedding(dim: 4), .globalMaxPooling1D, .dense(units: 3, activation: .softmax)]))
                Issue.record("created with a head that does not fit")
            } catch { #expect("\(error)".contains("classes"), "\(error)") }
            do {
                try await m.create("x", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 0))
                Issue.record("created with 0 epochs")
            } catch { #expect("\(error)".contains("epochs"), "\(error)") }
            let list = try await m.list()
            #expect(list.isEmpty)
        }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: tmp.file("S").path)) ?? []).isEmpty)
    }
}
