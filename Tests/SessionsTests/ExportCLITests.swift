import Foundation
import Testing

/// `workbench export --format onnx` and `workbench tokenize` through the built binary.
@Suite struct ExportCLITests {
    @Test func exportWritesTheFolderAndRefusesWhatItCannotDo() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        try Data(CrashSafetyTests.tinyModel.utf8).write(to: tmp.file("tiny.json"))
        func wb(_ args: String...) async throws -> ChildResult { try await runWorkbench(args, in: tmp.url) }
        var r = try await wb("train", "--data", "data.tsv", "--model", "tiny.json", "--epochs", "1", "--max-length", "8",
                             "--vocab-size", "50", "--session", "s", "--sessions-dir", "S")
        #expect(r.status == 0, "\(r.err)")

        r = try await wb("export", "--format", "onnx", "--session", "s", "--sessions-dir", "S", "--output", "out")
        #expect(r.status == 0, "\(r.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.file("out").path).sorted() == ["README.md", "labels.json", "model.onnx", "tokenizer.json"])

        // Into a non-empty folder: refused, the folder as it was.
        r = try await wb("export", "--format", "onnx", "--session", "s", "--sessions-dir", "S", "--output", "out")
        #expect(r.status == 1)
        #expect(r.err.contains("out: exists and is not empty"), "\(r.err)")

        // A learner exports, and tokenize prints its analyzer's ids (unknown words as 0).
        r = try await wb("train", "--data", "data.tsv", "--model", "logreg", "--save", "lr")
        #expect(r.status == 0, "\(r.err)")
        r = try await wb("export", "--format", "onnx", "--model-dir", "lr", "--output", "out2")
        #expect(r.status == 0, "\(r.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.file("out2").path).sorted() == ["README.md", "labels.json", "model.onnx", "tokenizer.json"])
        r = try await wb("tokenize", "--model-dir", "lr", "zzzunknown zzzunknown")
        #expect(r.status == 0, "\(r.err)")
        let learnerLine = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(learnerLine["ids"] as? [Int] == [0, 0])
        // A learner with no faithful ONNX form here: refused by name, nothing written.
        r = try await wb("train", "--data", "data.tsv", "--model", "fasttext:ngrams=2:epochs=1", "--save", "ft")
        #expect(r.status == 0, "\(r.err)")
        r = try await wb("export", "--format", "onnx", "--model-dir", "ft", "--output", "out3")
        #expect(r.status == 1)
        #expect(r.err.contains("fastText") && r.err.contains("bucket"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: tmp.file("out3").path))

        // The ids the exported model reads.
        r = try await wb("sessions", "export", "s", "m", "--sessions-dir", "S")
        #expect(r.status == 0, "\(r.err)")
        r = try await wb("tokenize", "--model-dir", "m", "one two")
        #expect(r.status == 0, "\(r.err)")
        let line = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect((line["ids"] as? [Int])?.count == 8)
        #expect(line["text"] as? String == "one two")
    }
}
