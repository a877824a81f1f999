import Foundation
import Testing
import Engine
import Learners
import TextData
@testable import Sessions

/// Naming and deleting runs through the handle: the name is kept in session.json; a deleted
/// run's record and files go, the current run cannot be deleted.
@Suite struct RunNameAndDeleteTests {
    @Test func renameAndDeleteLearnerRuns() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-runnames-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("d.tsv")
        let lines = (0..<60).map { i in i % 2 == 0 ? "pos\tgreat good nice \(i % 7)" : "neg\tawful bad poor \(i % 5)" }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: data)
        let setup = SessionSetup(data: data.path, validation: .split(0.2), tokenizer: .script(ScriptTokenizer(numWords: 40)),
                                 maxLength: 6, model: .layers([.embedding(dim: 4), .globalAveragePooling1D,
                                                               .dense(units: 1, activation: .sigmoid)], loss: nil),
                                 optimizer: .adam(learningRate: 0.01), fit: FitConfig(epochs: 1, batchSize: 16, seed: 1))
        let manager = SessionManager(store: SessionStore(root: dir.appendingPathComponent("S")), engine: TrainingEngine())
        let h = try await manager.create("r", setup: setup)
        let nb = try #require(try LearnerRecipe.parse("nb"))
        _ = try await h.trainLearner(recipe: nb)
        _ = await h.waitUntilSettled()
        _ = try await h.trainLearner(recipe: nb)
        _ = await h.waitUntilSettled()
        let record = await h.record
        let learnerRuns = record.runs.filter { (r: RunRecord) -> Bool in if case .learner = r.kind { return true } else { return false } }.map { $0.id }
        #expect(learnerRuns.count == 2)
        let (older, newer) = (learnerRuns[0], learnerRuns[1])

        try await h.renameRun(older, to: "  first nb ")
        #expect(await h.record.runs.first { $0.id == older }?.name == "first nb")
        await #expect(throws: SessionError.self) { try await h.renameRun(older, to: "tab\tinside") }
        await #expect(throws: SessionError.self) { try await h.renameRun(99, to: "x") }

        // The newest (current) run stays; the older one goes with its file.
        await #expect(throws: SessionError.self) { try await h.deleteRun(newer) }
        let file = RunFiles.learnerURL(in: dir.appendingPathComponent("S/r"), run: older)
        #expect(FileManager.default.fileExists(atPath: file.path))
        try await h.renameRun(newer, to: "second")
        try await h.deleteRun(older)
        #expect(await h.record.runs.contains { $0.id == older } == false)
        #expect(!FileManager.default.fileExists(atPath: file.path))
        try await manager.close("r")

        // Reopened: the name and the deletion were written.
        let again = try await manager.open("r", readOnly: true)
        #expect(await again.record.runs.contains { $0.id == older } == false)
        #expect(await again.record.runs.first { $0.id == newer }?.name == "second")
        _ = await manager.shutdown()
    }
}
