import Engine
import Foundation
import Testing
@testable import Sessions

/// `--class-weight`: parsing, `balanced`, the session record, exact resume, the CLI.
@Suite struct ClassWeightSessionTests {
    @Test func parsesBalancedAndExplicitWeights() throws {
        #expect(try ClassWeight.parse("balanced") == .balanced)
        #expect(try ClassWeight.parse("pos=2,neg=1") == .explicit(["pos": 2, "neg": 1]))
        #expect(try ClassWeight.parse(" a b = 0.5 ") == .explicit(["a b": 0.5]))
        for bad in ["", "pos", "pos=", "=2", "pos=0", "pos=-1", "pos=nan", "pos=inf", "pos=2,pos=3", "pos=2,"] {
            #expect(throws: SessionError.self, "\(bad)") { try ClassWeight.parse(bad) }
        }
    }

    /// n / (classes × count) on an unbalanced set: 6 a, 3 b, 1 c → 10/18, 10/9, 10/3.
    @Test func balancedWeightsOnAnUnbalancedSet() throws {
        let labels = Array(repeating: "a", count: 6) + Array(repeating: "b", count: 3) + ["c"]
        let w = try ClassWeight.balanced.weights(classes: ["a", "b", "c"], trainLabels: labels)
        #expect(w == [Float(10.0 / 18.0), Float(10.0 / 9.0), Float(10.0 / 3.0)])
        // Σ count_c · w_c = n: the weighted data set has as much weight as the plain one.
        #expect(abs(6 * w[0] + 3 * w[1] + 1 * w[2] - 10) < 1e-5)
    }

    @Test func explicitWeightsByLabel() throws {
        let w = try ClassWeight.explicit(["pos": 2.5]).weights(classes: ["neg", "pos", "zzz"], trainLabels: [])
        #expect(w == [1, 2.5, 1])
        #expect {
            try ClassWeight.explicit(["pos": 2, "nope": 3]).weights(classes: ["neg", "pos"], trainLabels: [])
        } throws: { ($0 as? SessionError)?.description.contains("'nope'") == true }
    }

    /// The weights resolved on the training split go into the run's fit settings, survive a
    /// round trip through session.json, and a run without them is the old format.
    @Test func recordedInTheSessionRecord() async throws {
        let tmp = try TempDir()
        let data = tmp.file("data.tsv")
        try Synthetic.write(to: data, count: 40)
        let store = SessionStore(root: tmp.file("S"))
        try await withManager(store) { m in
            var setup = Synthetic.setup(data: data, epochs: 1, layers: Synthetic.pooled)
            setup.classWeight = .explicit(["pos": 3])
            let info = try await m.create("s", setup: setup).info
            #expect(info.record.labels.classes == ["neg", "pos"])
            #expect(info.record.engineRun.fit.classWeights == [1, 3])
        }
        let record = try SessionStore.readRecord(dir: store.root.appendingPathComponent("s"), name: "s")
        #expect(record.engineRun.fit.classWeights == [1, 3])

        // An unknown label is refused before anything is written.
        try await withManager(store) { m in
            var setup = Synthetic.setup(data: data, epochs: 1, layers: Synthetic.pooled)
            setup.classWeight = .explicit(["positive": 3])
            await #expect { try await m.create("t", setup: setup) } throws: { ($0 as? SessionError)?.description.contains("'positive'") == true }
        }
        #expect(!store.exists("t"))
    }

    /// Stopped mid-epoch and continued by a new manager, a run with class weights ends bit
    /// for bit where the uninterrupted one does; and the weights change the training.
    @Test func stoppedAndResumedWithClassWeightsIsExact() async throws {
        let tmp = try TempDir()
        let data = tmp.file("data.tsv")
        try Synthetic.write(to: data, count: 60)
        func setup(_ weights: ClassWeight?) -> SessionSetup {
            var s = Synthetic.setup(data: data, epochs: 2, layers: Synthetic.pooled, batchSize: 8, autosaveEvery: 1000)
            s.classWeight = weights
            return s
        }
        let oneGo = SessionStore(root: tmp.file("A"))
        try await withManager(oneGo) { m in
            try await m.create("s", setup: setup(.explicit(["pos": 4, "neg": 0.5])))
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
        }
        let split = SessionStore(root: tmp.file("B"))
        try await withManager(split) { m in
            try await m.create("s", setup: setup(.explicit(["pos": 4, "neg": 0.5])))
            for _ in 0..<3 { try await m.open("s").step() }
            try await m.open("s").stop()
            #expect(try await m.info("s").record.engineRun.cursor.batchInEpoch == 3)
        }
        try await withManager(split) { m in
            _ = try await m.open("s").info
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
        }
        try expectSameTraining(oneGo.root.appendingPathComponent("s"), split.root.appendingPathComponent("s"))

        let plain = SessionStore(root: tmp.file("C"))
        try await withManager(plain) { m in
            try await m.create("s", setup: setup(nil))
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
        }
        let a = try SessionStore.readRecord(dir: oneGo.root.appendingPathComponent("s"), name: "s")
        let c = try SessionStore.readRecord(dir: plain.root.appendingPathComponent("s"), name: "s")
        #expect(a.engineRun.cursor.history.map(\.loss) != c.engineRun.cursor.history.map(\.loss))
    }

    @Test func cliFlagErrorsAndDisplay() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        try Data(CrashSafetyTests.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        func wb(_ args: String...) async throws -> ChildResult {
            try await runWorkbench(["train", "--data", "data.tsv", "--model", "tiny.json", "--epochs", "1", "--batch-size", "8",
                                    "--max-length", "8", "--vocab-size", "50"] + args, in: tmp.url)
        }
        var r = try await wb("--class-weight", "pos=2,negative=1")
        #expect(r.status == 1 && r.err.contains("'negative'") && r.err.contains("neg, pos"), "\(r.out)\(r.err)")
        r = try await wb("--class-weight", "pos=0")
        #expect(r.status == 64 && r.err.contains("--class-weight") && r.err.contains("above 0"), "\(r.err)")
        r = try await wb("--class-weight", "pos:2")
        #expect(r.status == 64 && r.err.contains("LABEL=WEIGHT"), "\(r.err)")
        r = try await runWorkbench(["train", "--data", "data.tsv", "--model", "svm", "--class-weight", "balanced"], in: tmp.url)
        #expect(r.status == 64 && r.err.contains("neural models"), "\(r.err)")

        r = try await wb("--class-weight", "pos=3")
        #expect(r.status == 0 && r.out.contains("class weights neg=1, pos=3"), "\(r.out)\(r.err)")
        r = try await wb("--class-weight", "balanced", "--session", "cw", "--sessions-dir", "S")
        #expect(r.status == 0 && r.out.contains("class weights: neg="), "\(r.out)\(r.err)")
        r = try await runWorkbench(["sessions", "show", "cw", "--sessions-dir", "S"], in: tmp.url)
        #expect(r.status == 0 && r.out.contains("weights by class: neg="), "\(r.out)\(r.err)")
        let record = try SessionStore.readRecord(dir: tmp.file("S/cw"), name: "cw")
        // The synthetic data alternates pos / neg and the split is stratified: balanced is 1, 1.
        #expect(record.engineRun.fit.classWeights == [1, 1])
    }
}
