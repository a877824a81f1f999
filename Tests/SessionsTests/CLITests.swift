import Foundation
import Testing
@testable import Sessions

/// The CLI on sessions, as a user runs it.
@Suite struct CLISessionTests {
    @Test func trainContinueListShowExportPredictEvalRemove() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 80)
        try Data(CrashSafetyTests.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        func wb(_ args: String..., env: [String: String] = [:]) async throws -> ChildResult {
            try await runWorkbench(args, in: tmp.url, environment: env)
        }
        var r = try await wb("train", "--session", "cli", "--sessions-dir", "S", "--data", "data.tsv", "--model", "tiny.json",
                             "--epochs", "2", "--batch-size", "8", "--max-length", "8", "--vocab-size", "50")
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("created session 'cli'") && r.out.contains("epoch 2/2") && r.out.contains("validation"), "\(r.out)")

        r = try await wb("train", "--session", "cli", "--sessions-dir", "S")
        #expect(r.status == 0 && r.out.contains("nothing to train"), "\(r.out)\(r.err)")
        // The sessions folder from the environment.
        r = try await wb("train", "--session", "cli", "--epochs", "1", env: [SessionStore.environmentVariable: "S"])
        #expect(r.status == 0 && r.out.contains("epoch 3/3"), "\(r.out)\(r.err)")
        r = try await wb("train", "--session", "cli", "--sessions-dir", "S", "--data", "other.tsv")
        #expect(r.status != 0 && r.err.contains("data.tsv"), "\(r.err)")

        r = try await wb("sessions", "list", "--sessions-dir", "S")
        #expect(r.status == 0, "\(r.err)")
        let line = try #require(r.out.split(separator: "\n").first { $0.hasPrefix("cli ") }, "\(r.out)")
        #expect(line.contains("finished") && line.contains("3/3") && line.contains("data.tsv") && line.contains("Embedding(8)"), "\(line)")

        r = try await wb("sessions", "show", "cli", "--sessions-dir", "S")
        #expect(r.status == 0 && r.out.contains("run 1") && r.out.contains("3 epochs done") && r.out.contains("step records"), "\(r.out)\(r.err)")

        r = try await wb("sessions", "export", "cli", "exported", "--sessions-dir", "S")
        #expect(r.status == 0, "\(r.err)")
        let viaFolder = try await wb("predict", "--model-dir", "exported", "great food", "awful room")
        let viaSession = try await wb("predict", "--session", "cli", "--sessions-dir", "S", "great food", "awful room")
        #expect(viaFolder.status == 0 && viaSession.status == 0, "\(viaFolder.err)\(viaSession.err)")
        #expect(viaFolder.out == viaSession.out && viaFolder.out.split(separator: "\n").count == 2, "\(viaFolder.out) vs \(viaSession.out)")
        r = try await wb("eval", "--session", "cli", "--sessions-dir", "S", "--data", "data.tsv")
        #expect(r.status == 0 && r.out.contains("accuracy"), "\(r.out)\(r.err)")
        r = try await wb("predict", "--session", "cli", "--model-dir", "exported", "x")
        #expect(r.status != 0 && r.err.contains("either"), "\(r.err)")

        // A damaged session lists with its error; the others still list.
        try FileManager.default.createDirectory(at: tmp.file("S/broken"), withIntermediateDirectories: true)
        try Data("{".utf8).write(to: tmp.file("S/broken/session.json"))
        r = try await wb("sessions", "list", "--sessions-dir", "S")
        #expect(r.status == 0 && r.out.contains("broken") && r.out.contains("not valid JSON") && r.out.contains("finished"), "\(r.out)")

        r = try await wb("sessions", "rm", "cli", "--sessions-dir", "S")
        #expect(r.status == 0 && !FileManager.default.fileExists(atPath: tmp.file("S/cli").path), "\(r.err)")
        r = try await wb("sessions", "rm", "cli", "--sessions-dir", "S")
        #expect(r.status != 0 && r.err.contains("no session named 'cli'"), "\(r.err)")
        r = try await wb("sessions", "show", "../x", "--sessions-dir", "S")
        #expect(r.status != 0 && r.err.contains("invalid session name"), "\(r.err)")
    }

    /// Learner runs through the CLI: a new session trained with an SVM, a fastText run on top,
    /// the leaderboard, predictions and exports with the learner, a bad recipe named.
    @Test func learnerRunsThroughTheCLI() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 120)
        func wb(_ args: String...) async throws -> ChildResult { try await runWorkbench(args, in: tmp.url) }
        var r = try await wb("train", "--session", "zoo", "--sessions-dir", "S", "--data", "data.tsv", "--model", "svm:c=0.5",
                             "--max-length", "8", "--vocab-size", "50")
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("created session 'zoo'") && r.out.contains("linear SVM (svm:c=0.5)") && r.out.contains("validation accuracy"), "\(r.out)")
        r = try await wb("train", "--session", "zoo", "--sessions-dir", "S", "--model", "fasttext:epochs=2")
        #expect(r.status == 0 && r.out.contains("run 3 trained"), "\(r.out)\(r.err)")
        r = try await wb("sessions", "runs", "zoo", "--sessions-dir", "S", "--json")
        #expect(r.status == 0, "\(r.err)")
        let board = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let runs = try #require(board["runs"] as? [[String: Any]])
        #expect(Set(runs.compactMap { $0["model"] as? String }).isSuperset(of: ["svm:c=0.5", "fasttext:epochs=2"]), "\(runs)")
        let accuracies = runs.map { ($0["validation_accuracy"] as? Double) ?? -1 }
        #expect(accuracies == accuracies.sorted(by: >), "ranked: \(accuracies)")
        r = try await wb("sessions", "runs", "zoo", "--sessions-dir", "S")
        #expect(r.status == 0 && r.out.contains("RANK") && r.out.contains("3*"), "\(r.out)")
        r = try await wb("sessions", "show", "zoo", "--sessions-dir", "S")
        #expect(r.out.contains("fastText (fasttext:epochs=2)") && r.out.contains("linear SVM (svm:c=0.5)"), "\(r.out)")

        // The current run (fastText) answers predictions, and its export reads back the same.
        r = try await wb("sessions", "export", "zoo", "exported", "--sessions-dir", "S")
        #expect(r.status == 0 && FileManager.default.fileExists(atPath: tmp.file("exported/learner.safetensors").path), "\(r.err)")
        let viaFolder = try await wb("predict", "--model-dir", "exported", "great food", "awful room")
        let viaSession = try await wb("predict", "--session", "zoo", "--sessions-dir", "S", "great food", "awful room")
        #expect(viaFolder.status == 0 && viaFolder.out == viaSession.out, "\(viaFolder.out)\(viaFolder.err) vs \(viaSession.out)\(viaSession.err)")
        r = try await wb("eval", "--session", "zoo", "--sessions-dir", "S", "--data", "data.tsv")
        #expect(r.status == 0 && r.out.contains("accuracy"), "\(r.out)\(r.err)")

        // An earlier run by number: run 2 (the SVM) predicts, evaluates and exports as itself.
        let svmDir = try await wb("sessions", "export", "zoo", "svm-model", "--run", "2", "--sessions-dir", "S")
        #expect(svmDir.status == 0 && svmDir.out.contains("run 2"), "\(svmDir.err)")
        let viaRun = try await wb("predict", "--session", "zoo", "--run", "2", "--sessions-dir", "S", "great food", "awful room")
        let viaSVMFolder = try await wb("predict", "--model-dir", "svm-model", "great food", "awful room")
        #expect(viaRun.status == 0 && viaRun.out == viaSVMFolder.out && viaRun.out != viaSession.out, "\(viaRun.out)\(viaRun.err)")
        r = try await wb("eval", "--session", "zoo", "--run", "2", "--sessions-dir", "S", "--data", "data.tsv")
        #expect(r.status == 0 && r.out.contains("accuracy"), "\(r.out)\(r.err)")
        r = try await wb("predict", "--session", "zoo", "--run", "9", "--sessions-dir", "S", "x")
        #expect(r.status != 0 && r.err.contains("no run 9") && r.err.contains("runs: 1, 2, 3"), "\(r.err)")
        r = try await wb("predict", "--model-dir", "svm-model", "--run", "2", "x")
        #expect(r.status != 0 && r.err.contains("--session"), "\(r.err)")

        r = try await wb("train", "--session", "zoo", "--sessions-dir", "S", "--model", "svm:gamma=1")
        #expect(r.status != 0 && r.err.contains("svm:gamma=1") && r.err.contains("unknown setting 'gamma'"), "\(r.err)")
    }
}
