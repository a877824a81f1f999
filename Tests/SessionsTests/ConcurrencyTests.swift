import Engine
import Foundation
import Testing
@testable import Sessions

/// A flag set on one thread and polled on another.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

@Suite struct ConcurrencyTests {
    /// One manager, two sessions: one trains while the other answers predictions between
    /// its batches; the training one answers too.
    @Test func oneSessionTrainsWhileAnotherAnswersPredictions() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 120)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            let log = EventLog(m.events())
            try await m.create("trainer", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 100_000, layers: Synthetic.pooled, autosaveEvery: 100_000))
            try await m.create("console", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1))
            try await m.open("console").train()
            #expect(try await m.open("console", readOnly: true).waitUntilSettled() == .finished)
            let expected = try await m.open("console", readOnly: true).predict(texts: ["great food", "awful room"])

            try await m.open("trainer").train()
            #expect(await log.wait { if case .batch(session: "trainer", _, _) = $0 { return true }; return false })
            var lastStep = 0
            for i in 0..<25 {
                let p = try await m.open("console", readOnly: true).predict(texts: ["great food", "awful room"])
                #expect(p == expected, "prediction \(i)")
                let q = try await m.open("trainer", readOnly: true).predict(texts: ["great food"])
                #expect(q.count == 1 && q[0].probabilities.count == 2)
                let info = try await m.info("trainer")
                #expect(info.status == .training)
                #expect(info.step >= lastStep)
                lastStep = info.step
            }
            // Training went on meanwhile, and goes on after.
            let seen = lastStep
            #expect(await log.wait { if case let .batch(session: "trainer", _, p) = $0 { return p.step > seen }; return false })
            #expect(try await m.info("console").status == .finished)
            try await m.open("trainer").stop()
            #expect(try await m.info("trainer").status == .idle)
        }
    }

    /// Latest wins: while the worker is busy, a newer classification for the same session
    /// replaces the waiting one, which returns nil; the newest is answered.
    @Test func classificationAnswersWhileTheWorkerIsBusy() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        let engine = TrainingEngine()
        try await withManager(SessionStore(root: tmp.file("S")), engine: engine) { m in
            try await m.create("s", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1))
            let info = try await m.info("s")
            let id = info.record.id
            let direct = try await m.open("s", readOnly: true).predict(texts: ["great", "awful"])

            // Hold the worker inside a task.
            let entered = Flag(), release = DispatchSemaphore(value: 0)
            let blocker = Task { try await engine.withClassifier(id: id) { _ in entered.set(); release.wait() } }
            while !entered.isSet { try await Task.sleep(for: .milliseconds(1)) }

            // The console's classification does not wait for the busy worker: it answers from
            // the console's copy of the weights, as the batch path would.
            let answer = try await m.open("s", readOnly: true).classify(text: "awful")
            #expect(answer == direct[1])
            #expect(answer?.label == "neg")
            release.signal()
            try await blocker.value

            // Many at once from many tasks: every call returns, at least the last answered.
            let results = try await withThrowingTaskGroup(of: Prediction?.self) { g in
                for i in 0..<20 { g.addTask { try await m.open("s", readOnly: true).classify(text: i % 2 == 0 ? "great" : "awful") } }
                var out: [Prediction?] = []
                for try await r in g { out.append(r) }
                return out
            }
            #expect(results.count == 20)
            let answered = results.compactMap { $0 }
            #expect(!answered.isEmpty)
            for a in answered { #expect(a == (a.text == "great" ? direct[0] : direct[1])) }
        }
    }

    /// A second manager (as another process would) can open a session another manager trains
    /// read-only and predict with its last checkpoint, but not open it for writing.
    @Test func readOnlyWhileAnotherManagerTrains() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 80)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { trainer in
            let log = EventLog(trainer.events())
            try await trainer.create("s", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 100_000, layers: Synthetic.pooled, autosaveEvery: 3))
            try await trainer.open("s").train()
            #expect(await log.wait { if case .checkpoint(session: "s", _) = $0 { return true }; return false })
            // Checkpoints reach the disk in the background.
            #expect(await waitUntil { (try? store.record("s").status) == .training })
            try await withManager(store) { reader in
                do {
                    try await reader.open("s")
                    Issue.record("opened for writing while another manager holds it")
                } catch let SessionError.locked(session, pid) {
                    #expect(session == "s" && pid == getpid())
                }
                let listing = try #require(try await reader.list().first)
                #expect(listing.isLocked && listing.lockedBy == getpid() && listing.status == .training)
                await #expect(throws: SessionError.self) { try await reader.delete("s") }
                let info = try await reader.open("s", readOnly: true).info
                #expect(info.readOnly)
                for _ in 0..<10 { #expect(try await reader.open("s", readOnly: true).predict(texts: ["great"]).count == 1) }
                await #expect(throws: SessionError.self) { try await reader.open("s", readOnly: true).step() }
            }
            try await trainer.open("s").stop()
        }
    }
}
