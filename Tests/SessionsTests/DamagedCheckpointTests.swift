import Engine
import Foundation
import Testing
@testable import Sessions

/// A damaged `.next` file is never promoted over a good checkpoint: recovery verifies it
/// (checkpoint number, size, checksum, tensors and shapes) and sets an unverifiable one
/// aside as `*.damaged`, keeping the good checkpoint and saying so once.
@Suite struct DamagedCheckpointTests {
    /// A finished session "d": its folder, its predictions, and the bytes of its checkpoint.
    static func trained() async throws -> (TempDir, SessionStore, [[Float]]) {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        let store = SessionStore(root: tmp.file("S"))
        let predictions = try await withManager(store) { m in
            try await m.create("d", setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1))
            try await m.open("d").train()
            #expect(try await m.open("d", readOnly: true).waitUntilSettled() == .finished)
            return try await m.open("d", readOnly: true).predict(texts: ["great food", "awful room"]).map(\.probabilities)
        }
        return (tmp, store, predictions)
    }

    enum Damage: CaseIterable { case truncated, garbled, wrongShape, truncatedOptimizer }

    /// Writes a `.next` file that claims the session's current checkpoint but is damaged.
    static func plant(_ damage: Damage, in dir: URL) throws -> (next: String, final: String) {
        let isOptimizer = damage == .truncatedOptimizer
        let final = isOptimizer ? SessionStore.optimizerFile : SessionStore.weightsFile
        let next = isOptimizer ? SessionFiles.optimizerNext : SessionFiles.weightsNext
        let good = try Data(contentsOf: dir.appendingPathComponent(final))
        var bad = good
        switch damage {
        case .truncated, .truncatedOptimizer:
            bad = good.prefix(good.count - 12)
        case .garbled:
            for i in stride(from: good.count - 64, to: good.count, by: 3) { bad[i] ^= 0x5A }
        case .wrongShape:
            let (ts, meta) = try SafeTensors.decode(good, path: "weights")
            var changed = ts.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }
            let i = try #require(changed.firstIndex { $0.0.hasSuffix("embeddings") })
            changed[i].1 = Tensor(shape: [changed[i].1.shape[0] - 1, changed[i].1.shape[1]])
            bad = try SafeTensors.encode(changed, metadata: meta)
        }
        try bad.write(to: dir.appendingPathComponent(next))
        return (next, final)
    }

    @Test(arguments: Damage.allCases)
    func damagedNextIsSetAsideAndTheGoodCheckpointKept(_ damage: Damage) async throws {
        let (tmp, store, before) = try await Self.trained()
        let dir = tmp.file("S/d")
        let (next, final) = try Self.plant(damage, in: dir)
        let good = try Data(contentsOf: dir.appendingPathComponent(final))

        // A reader meanwhile answers with the good checkpoint.
        try await withManager(store) { m in
            try await m.open("d", readOnly: true)
            #expect(try await m.open("d", readOnly: true).predict(texts: ["great food", "awful room"]).map(\.probabilities) == before)
        }
        try await withManager(store) { m in
            let info = try await m.open("d").info
            #expect(info.notices.filter { $0.contains(next) && $0.contains("damaged") }.count == 1, "\(info.notices)")
            #expect(try await m.open("d", readOnly: true).predict(texts: ["great food", "awful room"]).map(\.probabilities) == before)
        }
        #expect(try Data(contentsOf: dir.appendingPathComponent(final)) == good, "the good \(final) was replaced")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(next).path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(next + ".damaged").path))
        // Told once: the next open is quiet, and the session trains on.
        try await withManager(store) { m in
            let info = try await m.open("d").info
            #expect(!info.notices.contains { $0.contains("damaged") }, "\(info.notices)")
            try await m.open("d").train(additionalEpochs: 1)
            #expect(try await m.open("d", readOnly: true).waitUntilSettled() == .finished)
        }
    }

    /// The checkpoint session.json commits exists only as a damaged `.next` (the final file
    /// is the checkpoint before): nothing is promoted or deleted, and the error says why.
    @Test func damagedCommittedCheckpointIsAnErrorNotAPromotion() async throws {
        let (tmp, store, _) = try await Self.trained()
        let dir = tmp.file("S/d")
        let n = try store.record("d").checkpoint
        let weights = dir.appendingPathComponent(SessionStore.weightsFile)
        let good = try Data(contentsOf: weights)
        try good.prefix(good.count - 12).write(to: dir.appendingPathComponent(SessionFiles.weightsNext))
        let (ts, meta) = try SafeTensors.decode(good, path: weights.path)
        var older = meta
        older["checkpoint"] = String(n - 1)
        try SafeTensors.encode(ts.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }, metadata: older).write(to: weights)
        let olderBytes = try Data(contentsOf: weights)
        try await withManager(store) { m in
            do {
                try await m.open("d")
                Issue.record("a session whose committed checkpoint is damaged opened")
            } catch {
                #expect("\(error)".contains(SessionFiles.weightsNext) && "\(error)".contains("checkpoint \(n)"), "\(error)")
            }
        }
        #expect(try Data(contentsOf: weights) == olderBytes)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(SessionFiles.weightsNext).path))
    }

    /// The checkpoint files' sizes and checksums are recorded in session.json: a final file
    /// garbled in place is refused by name, not loaded as weights.
    @Test func garbledFinalFileIsRefused() async throws {
        let (tmp, store, _) = try await Self.trained()
        let url = tmp.file("S/d/\(SessionStore.weightsFile)")
        var data = try Data(contentsOf: url)
        data[data.count - 5] ^= 0xFF
        try data.write(to: url)
        try await CorruptionTests.expectBrokenSession(store, name: "d", file: SessionStore.weightsFile, problem: "checksum")
    }
}

extension CorruptionTests {
    /// Opening `name` (for writing and read-only) fails with an error naming `file` and `problem`.
    static func expectBrokenSession(_ store: SessionStore, name: String, file: String, problem: String,
                                    sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for readOnly in [false, true] {
            try await withManager(store) { m in
                do {
                    try await m.open(name, readOnly: readOnly)
                    Issue.record("the damaged session opened (read-only: \(readOnly))", sourceLocation: sourceLocation)
                } catch {
                    #expect("\(error)".contains(file) && "\(error)".contains(problem), "\(error)", sourceLocation: sourceLocation)
                }
            }
        }
    }
}
