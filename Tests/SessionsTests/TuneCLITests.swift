import Foundation
import Testing
@testable import Sessions

/// `workbench tune` end to end on small synthetic data.
@Suite struct TuneCLITests {
    @Test func tuneSearchesLeavesTheWinnerCurrentAndSavesIt() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 200)
        try Synthetic.write(to: tmp.file("test.tsv"), count: 40, seed: 2)
        func wb(_ args: String...) async throws -> ChildResult { try await runWorkbench(args, in: tmp.url) }
        var r = try await wb("tune", "--data", "data.tsv", "--trials", "4", "--families", "learners", "--session", "t",
                             "--test", "test.tsv", "--save", "m")
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("trial 1 [all 180, run 2] svm:ngrams=2: accuracy"), "\(r.out)")
        #expect(r.out.contains("best: run") && r.out.contains("now the session's current run"), "\(r.out)")
        #expect(r.out.contains("test (test.tsv, 40 examples, evaluated once)"), "\(r.out)")
        #expect(FileManager.default.fileExists(atPath: tmp.file("m/learner.safetensors").path))
        // The winner answers for the session.
        r = try await wb("eval", "--session", "t", "--data", "test.tsv")
        #expect(r.status == 0 && r.out.contains("accuracy"), "\(r.err)")
        // Again on the session: the runs it trained are kept, not trained again.
        r = try await wb("tune", "--session", "t", "--trials", "2", "--families", "learners")
        #expect(r.status == 0 && r.out.contains("(kept)"), "\(r.out) \(r.err)")
    }

    @Test func usageMistakesAreRefusedNamingTheOption() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        func wb(_ args: String...) async throws -> ChildResult { try await runWorkbench(args, in: tmp.url) }
        let cases: [([String], String)] = [
            (["tune", "--data", "data.tsv"], "--budget"),
            (["tune", "--data", "data.tsv", "--budget", "soon"], "--budget: 'soon'"),
            (["tune", "--data", "data.tsv", "--trials", "0"], "--trials"),
            (["tune", "--data", "data.tsv", "--trials", "3", "--families", "neural"], "not searched yet"),
            (["tune", "--data", "data.tsv", "--trials", "3", "--families", "trees"], "unknown family 'trees'"),
            (["tune", "--data", "data.tsv", "--trials", "3", "--metric", "recall"], "--metric"),
            (["tune", "--data", "data.tsv", "--trials", "3", "--folds", "5", "--split", "0.2"], "--folds"),
        ]
        for (args, needle) in cases {
            let r = try await runWorkbench(args, in: tmp.url)
            #expect(r.status == 64 && r.err.contains(needle), "\(args): \(r.status) \(r.err)")
        }
        // A data file that is not there: the file is named, exit 1.
        let r = try await wb("tune", "--data", "missing.tsv", "--trials", "2")
        #expect(r.status == 1 && r.err.contains("missing.tsv"), "\(r.err)")
    }
}
