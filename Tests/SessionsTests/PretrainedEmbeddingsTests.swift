import Engine
import Foundation
import Testing
import TextData
@testable import Sessions

/// Pretrained vectors in sessions: they become the run's first weights (so resuming needs no
/// file), frozen or fine-tuned, from `SessionSetup.embeddings`, a model change, or the CLI.
@Suite struct PretrainedEmbeddingsTests {
    /// Vectors of dimension 4 for some of the synthetic data's words (and one it lacks).
    static func writeVectors(to url: URL) throws -> [String: [Float]] {
        let vectors: [String: [Float]] = ["good": [1, 2, 3, 4], "bad": [-1, -2, -3, -4], "movie": [0.5, 0, 0.5, 0],
                                          "the": [0.25, 0.25, 0.25, 0.25], "zebra": [9, 9, 9, 9]]
        let lines = ["\(vectors.count) 4"] + vectors.keys.sorted().map { w in ([w] + vectors[w]!.map { "\($0)" }).joined(separator: " ") + " " }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return vectors
    }

    /// The session's checkpoint embedding matrix, row by token.
    static func embeddingRows(_ dir: URL, tokenizer: TextTokenizer) throws -> [String: [Float]] {
        let data = try Data(contentsOf: dir.appendingPathComponent(SessionStore.weightsFile))
        let (tensors, _) = try SafeTensors.decode(data, path: "weights")
        let e = try #require(tensors["embedding/embeddings"])
        let d = e.shape[1]
        var rows: [String: [Float]] = [:]
        for (i, token) in tokenizer.vocabulary.enumerated() where i + 1 < e.shape[0] {
            rows[token] = Array(e.scalars[(i + 1) * d..<(i + 2) * d])
        }
        return rows
    }

    @Test func frozenVectorsAreTheFirstWeightsStayPutAndResumeWithoutTheFile() async throws {
        let tmp = try TempDir()
        let data = tmp.file("data.tsv"), vec = tmp.file("v.vec")
        try Synthetic.write(to: data, count: 80)
        let vectors = try Self.writeVectors(to: vec)
        var setup = Synthetic.setup(data: data, epochs: 1, layers: Synthetic.pooled)
        setup.embeddings = PretrainedEmbeddings.Choice(file: vec.path, freeze: true)
        let store = SessionStore(root: tmp.file("S"))
        let dir = store.root.appendingPathComponent("s")
        let tokenizer = try await withManager(store) { m in
            let info = try await m.create("s", setup: setup).info
            #expect(info.record.engineRun.model.layers[0] == .embedding(dim: 4, maskZero: false, trainable: false, pretrained: vec.path))
            return info.record.tokenizer
        }
        let first = try Self.embeddingRows(dir, tokenizer: tokenizer)
        for w in ["good", "bad", "movie", "the"] { #expect(first[w] == vectors[w], "\(w)") }
        try FileManager.default.removeItem(at: vec)
        try await withManager(store) { m in
            try await m.open("s").train()
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
        }
        try await withManager(store) { m in
            try await m.open("s").train(additionalEpochs: 1)
            #expect(try await m.open("s", readOnly: true).waitUntilSettled() == .finished)
            #expect(try await m.info("s").epochsCompleted == 2)
        }
        #expect(try Self.embeddingRows(dir, tokenizer: tokenizer) == first)
    }

    @Test func aModelChangeToPretrainedVectorsStartsTheNewRunFromThemAndFineTunes() async throws {
        let tmp = try TempDir()
        let data = tmp.file("data.tsv"), vec = tmp.file("v.vec")
        try Synthetic.write(to: data, count: 80)
        let vectors = try Self.writeVectors(to: vec)
        let store = SessionStore(root: tmp.file("S"))
        let dir = store.root.appendingPathComponent("s")
        try await withManager(store) { m in
            let tokenizer = try await m.create("s", setup: Synthetic.setup(data: data, epochs: 1, layers: Synthetic.pooled)).info.record.tokenizer
            let layers = try PretrainedEmbeddings.layers(Synthetic.pooled, file: vec.path, freeze: false)
            try await m.open("s").changeModel(layers: layers)
            try await m.open("s").step()
            try await m.open("s").stop()
            // One step of Adam at 0.01 moves every row the batch used, by about the rate.
            let rows = try Self.embeddingRows(dir, tokenizer: tokenizer)
            let moved = try #require(rows["good"]).enumerated().map { abs($1 - vectors["good"]![$0]) }
            #expect(moved.allSatisfy { $0 < 0.05 }, "\(moved)")
            #expect(moved.contains { $0 > 0 }, "\(moved)")
            // A missing file is refused when the run would begin, naming it.
            try FileManager.default.removeItem(at: vec)
            try await m.open("s").changeModel(layers: [.embedding(dim: 4, pretrained: vec.path), .globalMaxPooling1D, .dense(units: 1, activation: .sigmoid)])
            await #expect { try await m.open("s").train() } throws: { "\($0)".contains("embeddings: \(vec.path): no such file") }
        }
    }

    @Test func trainPrintsCoverageAndNonTrainableParamsAndRefusesABadFile() async throws {
        let tmp = try TempDir()
        try Synthetic.write(to: tmp.file("data.tsv"), count: 40)
        _ = try Self.writeVectors(to: tmp.file("v.vec"))
        let r = try await runWorkbench(["train", "--data", "data.tsv", "--model", "cnn", "--epochs", "1", "--max-length", "8",
                                        "--vocab-size", "30", "--embeddings", "v.vec", "--freeze-embeddings"], in: tmp.url)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("pretrained vectors: embedding: v.vec (fastText .vec, 4 dims): 4 of "), "\(r.out)")
        #expect(r.out.contains("tokens found"), "\(r.out)")
        #expect(r.out.contains(", frozen"), "\(r.out)")
        #expect(r.out.contains(" Non-trainable params: 120 (480.00 B)"), "\(r.out)")
        try Data("2 4\ngood 1 2 3 4\nbad 1 2 3\n".utf8).write(to: tmp.file("bad.vec"))
        let bad = try await runWorkbench(["train", "--data", "data.tsv", "--epochs", "1", "--max-length", "8", "--embeddings", "bad.vec"], in: tmp.url)
        #expect(bad.status != 0)
        #expect(bad.err.contains("bad.vec:3: expected a token and 4 numbers, found 4 fields"), "\(bad.err)")
        let lonely = try await runWorkbench(["train", "--data", "data.tsv", "--epochs", "1", "--freeze-embeddings"], in: tmp.url)
        #expect(lonely.status == 64 && lonely.err.contains("--freeze-embeddings needs --embeddings FILE"), "\(lonely.err)")
    }
}
