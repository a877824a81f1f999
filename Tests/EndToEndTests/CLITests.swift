import Foundation
import Testing
import TestSupport

/// The headless commands as a script would use them, through the built binary.
@Suite struct CLITests {
    func run(_ args: [String], in dir: URL, stdin: String? = nil) async throws -> ChildOutput {
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        return try await ChildProcess.run(try TmuxSession.workbench(), args, in: dir, environment: env, stdin: stdin)
    }

    func smallData() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let lines = try String(contentsOf: TestPaths.dataFile("zh-reviews", "train.tsv"), encoding: .utf8).split(separator: "\n")
        try (lines.prefix(600).joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("train.tsv"), atomically: true, encoding: .utf8)
        try (lines.dropFirst(600).prefix(200).joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("test.tsv"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func learnerTrainEvalPredict() async throws {
        let dir = try smallData()
        defer { try? FileManager.default.removeItem(at: dir) }
        let train = try await run(["train", "--data", "train.tsv", "--validation", "test.tsv", "--model", "svm", "--save", "m"], in: dir)
        #expect(train.status == 0, "\(train.err)")
        #expect(train.out.contains("accuracy"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("m/learner.safetensors").path))
        let eval = try await run(["eval", "--model-dir", "m", "--data", "test.tsv", "--json"], in: dir)
        #expect(eval.status == 0, "\(eval.err)")
        let report = try JSONSerialization.jsonObject(with: Data(eval.out.utf8)) as? [String: Any]
        #expect((report?["accuracy"] as? Double ?? 0) > 0.5)
        let predict = try await run(["predict", "--model-dir", "m", "--json"], in: dir, stdin: "房间很干净\n太差了\n")
        #expect(predict.status == 0, "\(predict.err)")
        let rows = predict.out.split(separator: "\n")
        #expect(rows.count == 2)
        for row in rows {
            let obj = try JSONSerialization.jsonObject(with: Data(row.utf8)) as? [String: Any]
            let probs = obj?["probabilities"] as? [String: Double] ?? [:]
            #expect(Set(probs.keys) == ["neg", "pos"])
            #expect(abs(probs.values.reduce(0, +) - 1) < 1e-4)
        }
    }

    @Test func benchMeasuresLearnersBesideTheNeuralModels() async throws {
        let dir = try smallData()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await run(["bench", "--data", dir.path, "--models", "svm,fasttext:epochs=2:ngrams=2", "--json", "--no-sgemm",
                         "--predict-calls", "20"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let report = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        let models = report?["models"] as? [[String: Any]] ?? []
        #expect(models.map { $0["name"] as? String } == ["svm", "fasttext:epochs=2:ngrams=2"])
        for m in models {
            func number(_ key: String) -> Double { m[key] as? Double ?? .nan }
            #expect((0...1).contains(number("test_accuracy")), "\(m)")
            #expect(number("predict_latency_us_median") > 0, "\(m)")
            #expect(number("predict_latency_us_p99") >= number("predict_latency_us_median"), "\(m)")
            #expect(number("train_samples_per_second") > 0, "\(m)")
            #expect(number("peak_rss_mb") > 0, "\(m)")
            #expect((m["model_bytes"] as? Int ?? 0) > 0, "\(m)")
            #expect(m["gemm"] == nil, "a learner has no GEMM figures")
        }
    }

    @Test func benchNamesAnUnknownModelOrSetting() async throws {
        let dir = try smallData()
        defer { try? FileManager.default.removeItem(at: dir) }
        let unknown = try await run(["bench", "--data", dir.path, "--models", "svm,transformer-xl", "--json"], in: dir)
        #expect(unknown.status != 0)
        #expect(unknown.out.isEmpty)
        #expect(unknown.err.contains("unknown bench model 'transformer-xl'") && unknown.err.contains("lstm")
                && unknown.err.contains("fasttext"), "\(unknown.err)")
        let setting = try await run(["bench", "--data", dir.path, "--models", "svm:gamma=2"], in: dir)
        #expect(setting.status != 0)
        #expect(setting.err.contains("unknown setting 'gamma' for svm"), "\(setting.err)")
    }

    @Test func withoutATerminalTheWorkbenchPointsToTheHeadlessCommands() async throws {
        let dir = try smallData()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await run([], in: dir)
        #expect(r.status != 0)
        #expect(r.err.contains("needs a terminal") && r.err.contains("workbench train"))
    }

    @Test func badInputNamesTheFileAndLine() async throws {
        let dir = try smallData()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "pos\tfine\nno tab on this line\n".write(to: dir.appendingPathComponent("bad.tsv"), atomically: true, encoding: .utf8)
        let r = try await run(["train", "--data", "bad.tsv", "--model", "nb"], in: dir)
        #expect(r.status != 0)
        #expect(r.err.contains("bad.tsv:2"), "\(r.err)")
    }
}
