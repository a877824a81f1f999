import Engine
import Foundation
import Testing
@testable import Sessions

/// Damaged sessions give a clear error naming the file and the problem, and never stop the
/// other sessions from listing and opening.
@Suite struct CorruptionTests {
    /// Sessions "good" and "bad", each trained one epoch.
    static func twoSessions() async throws -> (TempDir, SessionStore) {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 60)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            for name in ["good", "bad"] {
                try await m.create(name, setup: Synthetic.setup(data: tmp.file("data.tsv"), epochs: 1))
                try await m.open(name).train()
                #expect(try await m.open(name, readOnly: true).waitUntilSettled() == .finished)
            }
        }
        return (tmp, store)
    }

    /// Opening "bad" fails with an error naming `file` and containing `problem`; "good"
    /// still lists, opens and predicts; "bad" lists with the problem.
    static func expectBroken(_ store: SessionStore, file: String, problem: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await withManager(store) { m in
            do {
                try await m.open("bad")
                Issue.record("the damaged session opened", sourceLocation: sourceLocation)
            } catch let e as SessionError {
                let text = "\(e)"
                #expect(text.contains("/bad/\(file)"), "\(text)", sourceLocation: sourceLocation)
                #expect(text.contains(problem), "\(text)", sourceLocation: sourceLocation)
            }
            // Its lock was released: another open fails the same way, not as "locked".
            do {
                try await m.open("bad")
                Issue.record("the damaged session opened the second time", sourceLocation: sourceLocation)
            } catch SessionError.locked {
                Issue.record("the failed open kept the lock", sourceLocation: sourceLocation)
            } catch {}
            let list = try await m.list()
            #expect(list.map(\.name) == ["bad", "good"], sourceLocation: sourceLocation)
            #expect(list.first { $0.name == "good" }?.problem == nil, sourceLocation: sourceLocation)
            let info = try await m.open("good").info
            #expect(info.status == .finished, sourceLocation: sourceLocation)
            #expect(try await m.open("good", readOnly: true).predict(texts: ["great"]).count == 1, sourceLocation: sourceLocation)
        }
    }

    static func editJSON(_ url: URL, _ change: (inout [String: Any]) throws -> Void) throws {
        var obj = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        try change(&obj)
        try JSONSerialization.data(withJSONObject: obj).write(to: url)
    }

    @Test func truncatedSessionJSON() async throws {
        let (tmp, store) = try await Self.twoSessions()
        let url = tmp.file("S/bad/session.json")
        let data = try Data(contentsOf: url)
        try data.prefix(data.count / 2).write(to: url)
        try await Self.expectBroken(store, file: "session.json", problem: "not valid JSON")
        try await withManager(store) { m in
            let bad = try #require(try await m.list().first { $0.name == "bad" })
            #expect(bad.record == nil && bad.problem?.contains("session.json") == true)
        }
    }

    @Test func wronglyTypedField() async throws {
        let (tmp, store) = try await Self.twoSessions()
        try Self.editJSON(tmp.file("S/bad/session.json")) { $0["max_length"] = "eight" }
        try await Self.expectBroken(store, file: "session.json", problem: "max_length")
    }

    @Test func missingField() async throws {
        let (tmp, store) = try await Self.twoSessions()
        try Self.editJSON(tmp.file("S/bad/session.json")) { $0["runs"] = nil }
        try await Self.expectBroken(store, file: "session.json", problem: "missing field 'runs'")
    }

    @Test func newerSchemaVersion() async throws {
        let (tmp, store) = try await Self.twoSessions()
        try Self.editJSON(tmp.file("S/bad/session.json")) { $0["schema_version"] = 99 }
        try await Self.expectBroken(store, file: "session.json", problem: "schema version 99 is newer")
    }

    @Test func truncatedWeights() async throws {
        let (tmp, store) = try await Self.twoSessions()
        let url = tmp.file("S/bad/weights.safetensors")
        let data = try Data(contentsOf: url)
        try data.prefix(data.count - 40).write(to: url)
        try await Self.expectBroken(store, file: "weights.safetensors", problem: "truncated")
        try data.prefix(5).write(to: url)
        try await Self.expectBroken(store, file: "weights.safetensors", problem: "too short")
    }

    @Test func wronglyShapedWeights() async throws {
        let (tmp, store) = try await Self.twoSessions()
        let url = tmp.file("S/bad/weights.safetensors")
        let (ts, meta) = try SafeTensors.decode(try Data(contentsOf: url), path: url.path)
        var changed = ts.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }
        let i = try #require(changed.firstIndex { $0.0.hasSuffix("embeddings") })
        let e = changed[i].1
        changed[i].1 = Tensor(shape: [e.shape[0] - 1, e.shape[1]])
        try SafeTensors.encode(changed, metadata: meta).write(to: url)
        try await Self.expectBroken(store, file: "weights.safetensors", problem: "has shape [\(e.shape[0] - 1), \(e.shape[1])]")
        // A weight left out.
        changed.remove(at: i)
        try SafeTensors.encode(changed, metadata: meta).write(to: url)
        try await Self.expectBroken(store, file: "weights.safetensors", problem: "is missing")
    }

    @Test func weightsOfAnotherCheckpoint() async throws {
        let (tmp, store) = try await Self.twoSessions()
        let url = tmp.file("S/bad/weights.safetensors")
        var (ts, meta) = try SafeTensors.decode(try Data(contentsOf: url), path: url.path)
        let n = try store.record("bad").checkpoint
        meta["checkpoint"] = String(n - 1)
        try SafeTensors.encode(ts.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }, metadata: meta).write(to: url)
        try await Self.expectBroken(store, file: "weights.safetensors", problem: "belongs to checkpoint \(n - 1), but session.json is at checkpoint \(n)")
    }

    @Test func corruptOptimizerState() async throws {
        let (tmp, store) = try await Self.twoSessions()
        try Data("not safetensors at all".utf8).write(to: tmp.file("S/bad/optimizer.safetensors"))
        try await Self.expectBroken(store, file: "optimizer.safetensors", problem: "runs past the end")
    }

    @Test func dataSetWhoseContentChanged() async throws {
        let (tmp, store) = try await Self.twoSessions()
        let data = tmp.file("data.tsv")
        var text = try String(contentsOf: data, encoding: .utf8)
        text += "pos\tgreat great\n"
        try Data(text.utf8).write(to: data)
        try await withManager(store) { m in
            do {
                try await m.open("bad").train(additionalEpochs: 1)
                Issue.record("trained on a changed data set")
            } catch let e as SessionError {
                guard case let .dataChanged(path, recorded, found) = e else { Issue.record("\(e)"); return }
                #expect(path == data.standardizedFileURL.path)
                #expect(recorded != found)
                #expect("\(e)".contains("data.tsv") && "\(e)".contains("changed"))
            }
            // The session itself is fine: it predicts, and the others list and open.
            #expect(try await m.open("bad", readOnly: true).predict(texts: ["great"]).count == 1)
            #expect(try await m.list().allSatisfy { $0.problem == nil })
            #expect(try await m.open("good").status == .finished)
        }
    }
}
