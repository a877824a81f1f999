import Foundation
import Testing

/// `workbench export --format keras|safetensors` through the built binary, and the refusals:
/// a non-empty folder, a layer the format cannot express, a learner for Keras — a clear error
/// and nothing written.
@Suite struct KerasExportCLITests {
    @Test func kerasAndSafetensorsExportsAndTheirRefusals() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        try Data(CrashSafetyTests.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        try Data(#"{"layers": [{"type": "embedding", "dim": 8}, {"type": "position_embedding"}, {"type": "global_average_pooling1d"}, {"type": "dense", "units": 1, "activation": "sigmoid"}]}"#.utf8)
            .write(to: tmp.file("position.json"))
        func wb(_ args: String...) async throws -> ChildResult { try await runWorkbench(args, in: tmp.url) }
        func files(_ name: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: tmp.file(name).path)) ?? []).sorted() }
        var r = try await wb("train", "--data", "data.tsv", "--model", "tiny.json", "--epochs", "1", "--max-length", "8",
                             "--vocab-size", "50", "--session", "s", "--sessions-dir", "S")
        try #require(r.status == 0, "\(r.err)")

        r = try await wb("export", "--format", "keras", "--session", "s", "--sessions-dir", "S", "--output", "k")
        #expect(r.status == 0, "\(r.err)")
        #expect(files("k") == ["README.md", "labels.json", "model.keras", "tokenizer.json"])
        r = try await wb("export", "--format", "safetensors", "--session", "s", "--sessions-dir", "S", "--output", "st")
        #expect(r.status == 0, "\(r.err)")
        #expect(files("st") == ["README.md", "classifier.json", "labels.json", "tokenizer.json", "weights.safetensors"])
        // The safetensors folder is still a model folder, answering as the session does.
        let viaFolder = try await wb("predict", "--model-dir", "st", "--json", "great food")
        let viaSession = try await wb("predict", "--session", "s", "--sessions-dir", "S", "--json", "great food")
        #expect(viaFolder.status == 0 && viaFolder.out == viaSession.out, "\(viaFolder.err)")

        // Into a non-empty folder: refused for every format, the folder as it was.
        for format in ["keras", "safetensors"] {
            r = try await wb("export", "--format", format, "--session", "s", "--sessions-dir", "S", "--output", "k")
            #expect(r.status == 1 && r.err.contains("k: exists and is not empty"), "\(format): \(r.err)")
        }
        #expect(files("k") == ["README.md", "labels.json", "model.keras", "tokenizer.json"])

        // A layer Keras has no stock counterpart for: named with the reason, nothing written.
        r = try await wb("train", "--data", "data.tsv", "--model", "position.json", "--epochs", "1", "--max-length", "8",
                         "--vocab-size", "50", "--save", "pos")
        try #require(r.status == 0, "\(r.err)")
        r = try await wb("export", "--format", "keras", "--model-dir", "pos", "--output", "kp")
        #expect(r.status == 1 && r.err.contains("position_embedding") && r.err.contains("Keras"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: tmp.file("kp").path))

        // A learner in Keras: refused by what it is; in safetensors: its model folder.
        r = try await wb("train", "--data", "data.tsv", "--model", "logreg", "--save", "lr")
        try #require(r.status == 0, "\(r.err)")
        r = try await wb("export", "--format", "keras", "--model-dir", "lr", "--output", "lk")
        #expect(r.status == 1 && r.err.contains("learner"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: tmp.file("lk").path))
        r = try await wb("export", "--format", "safetensors", "--model-dir", "lr", "--output", "ls")
        #expect(r.status == 0, "\(r.err)")
        #expect(files("ls") == ["README.md", "labels.json", "learner.safetensors"])
        // No temporary folders left beside the exports.
        #expect(files(".").filter { $0.contains(".tmp-") }.isEmpty, "\(files("."))")
    }
}
