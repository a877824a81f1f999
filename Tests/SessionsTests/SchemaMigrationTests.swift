import Foundation
import Testing
import TestSupport
@testable import Sessions

/// Sessions written by the release before schema 3 (Tests/Fixtures/sessions, see its README)
/// open, predict and resume with the real binary, giving what that release gave.
@Suite struct SchemaMigrationTests {
    static let fixtures = TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/sessions")

    /// A copy of the fixture store whose sessions point at the fixture's data file.
    static func copyStore() throws -> TempDir {
        let tmp = try TempDir()
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("store"), to: tmp.file("S"))
        let data = fixtures.appendingPathComponent("data/tweets-small.tsv").path
        for name in ["neural-v1", "mixed-v2"] {
            try CorruptionTests.editJSON(tmp.file("S/\(name)/session.json")) { r in
                var d = r["dataset"] as? [String: Any] ?? [:]
                d["path"] = data
                r["dataset"] = d
            }
        }
        return tmp
    }

    static func expected(_ file: String) throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent(file), encoding: .utf8)
    }

    static func predict(_ session: String, in tmp: TempDir, run: Int? = nil) async throws -> String {
        let r = try await runWorkbench(["predict", "--session", session, "--sessions-dir", "S", "--json", "what a lovely day", "this is awful"]
                                       + (run.map { ["--run", "\($0)"] } ?? []), in: tmp.url)
        #expect(r.status == 0, "\(r.err)")
        return r.out
    }

    static func schema(_ session: String, in tmp: TempDir) throws -> Int? {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: tmp.file("S/\(session)/session.json"))) as? [String: Any]
        return json?["schema_version"] as? Int
    }

    @Test func schemaOneAndTwoSessionsPredictAsTheyDid() async throws {
        let tmp = try Self.copyStore()
        #expect(try await Self.predict("neural-v1", in: tmp) == Self.expected("neural-v1.predictions.jsonl"))
        #expect(try await Self.predict("mixed-v2", in: tmp) == Self.expected("mixed-v2.predictions.jsonl"), "the naive Bayes run answers")
        #expect(try await Self.predict("mixed-v2", in: tmp, run: 1) == Self.expected("mixed-v2.run1.predictions.jsonl"))
        #expect(try Self.schema("neural-v1", in: tmp) == 1 && Self.schema("mixed-v2", in: tmp) == 2, "reading writes nothing")
    }

    @Test func schemaOneAndTwoSessionsResumeAsTheyDid() async throws {
        let tmp = try Self.copyStore()
        var r = try await runWorkbench(["train", "--session", "neural-v1", "--sessions-dir", "S", "--epochs", "1"], in: tmp.url)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(try await Self.predict("neural-v1", in: tmp) == Self.expected("neural-v1.resumed.predictions.jsonl"))
        r = try await runWorkbench(["train", "--session", "mixed-v2", "--sessions-dir", "S", "--model", "cnn", "--epochs", "1"], in: tmp.url)
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(try await Self.predict("mixed-v2", in: tmp) == Self.expected("mixed-v2.resumed.predictions.jsonl"))
        #expect(try Self.schema("neural-v1", in: tmp) == 3 && Self.schema("mixed-v2", in: tmp) == 3, "written back as schema 3")
    }

    @Test func migrationMakesRunsOfTheirKind() throws {
        let tmp = try Self.copyStore()
        let store = SessionStore(root: tmp.file("S"))
        let v2 = try store.record("mixed-v2")
        #expect(v2.runs.map(\.id) == [1, 2, 3, 4])
        #expect(v2.runs.map(\.summary).prefix(3).map { String($0.prefix(9)) } == ["Embedding", "svm", "nb"])
        guard case let .learner(nb) = v2.runs[2].kind else { Issue.record("run 3 is \(v2.runs[2].kind)"); return }
        #expect(nb.result != nil && v2.currentRun.id == 3, "the trained learner is current")
        #expect(v2.plan == .learner(nb.recipe), "the model being shaped was the learner")
        #expect(v2.engineRunID == 4 && !v2.engineRun.hasTrained, "the checkpoint's fresh weights are an untrained run of their own")
        #expect(v2.runs[0].scores.epochs == 1)
        let v1 = try store.record("neural-v1")
        #expect(v1.runs.count == 1 && v1.engineRun.cursor.epochsCompleted == 2 && v1.plan == v1.runs[0].plan)
    }

    /// Every model edit of schema 2 appended a run; migration keeps only runs that trained
    /// (and the one whose weights the checkpoint holds).
    @Test func migrationDropsRunsThatNeverTrained() throws {
        let tmp = try Self.copyStore()
        try CorruptionTests.editJSON(tmp.file("S/neural-v1/session.json")) { r in
            var runs = r["runs"] as? [[String: Any]] ?? []
            var untrained = runs[0]
            var cursor = untrained["cursor"] as? [String: Any] ?? [:]
            cursor["step"] = 0; cursor["epochs_completed"] = 0; cursor["history"] = [Any]()
            untrained["cursor"] = cursor
            for id in 2...4 { untrained["id"] = id; runs.append(untrained) }
            var trained = runs[0]
            trained["id"] = 5
            runs.append(trained)
            runs.append(untrained.merging(["id": 6]) { $1 })
            r["runs"] = runs
        }
        let record = try SessionStore(root: tmp.file("S")).record("neural-v1")
        #expect(record.runs.map(\.id) == [1, 5, 6])
        #expect(record.engineRunID == 6 && record.currentRun.id == 5)
    }
}
