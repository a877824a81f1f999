import Foundation
import Testing
import Engine
import TextData
import TestSupport

/// The seed's program, done with the engine: the four Chinese sentences of tokenizer.json,
/// character tokens, pad to 10, Embedding(V, 10) → LSTM(10) → Dense(1, sigmoid), binary
/// cross-entropy, Adam, 10 epochs. The loss must fall.
@Suite struct SeedProgramTests {
    static var fixtures: URL { TestPaths.kerasFixtures }

    @Test func seedModelLearnsTheFourSentences() throws {
        let url = Self.fixtures.appendingPathComponent("tokenizer.json")
        let data = try #require(FileManager.default.contents(atPath: url.path), "missing \(url.path)")
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        let zh = try #require(cases.first { ($0["name"] as? String) == "zh_seed_char_level" }, "no zh_seed_char_level case")
        let texts = try #require(zh["fit_texts"] as? [String])
        #expect(texts.count == 4)
        // The seed labels its sentences positive (正面) and negative (负面).
        let labels: [Float] = texts.map { $0.contains("正面") ? 1 : 0 }
        #expect(labels.contains(1) && labels.contains(0))

        var tokenizer = try KerasTokenizer(charLevel: true)
        tokenizer.fit(on: texts)
        let sequences = tokenizer.sequences(for: texts)
        let padded = padSequences(sequences, maxLength: 10)
        let vocab = tokenizer.embeddingInputDim
        let x = Tensor(shape: [4, 10], scalars: padded.flatMap { $0.map(Float.init) })
        let dataset = try Dataset(x: x, y: Tensor(shape: [4], scalars: labels))

        let model = try Sequential(spec: ModelSpec(inputLength: 10, vocabularySize: vocab,
                                                   layers: [.embedding(dim: 10), .lstm(units: 10), .dense(units: 1, activation: .sigmoid)]),
                                   seed: 42)
        let trainer = try Trainer(model: model, optimizer: Optimizer(.adam()), train: dataset,
                                  config: FitConfig(epochs: 10, batchSize: 4, seed: 1))
        let history = try trainer.fit()
        #expect(history.count == 10)
        let losses = history.map(\.loss)
        // Full batch, Adam 0.001: the loss falls every epoch.
        for i in 1..<losses.count { #expect(losses[i] < losses[i - 1], "epoch \(i + 1): \(losses[i]) vs \(losses[i - 1])") }
        #expect(losses.last! < losses.first!)
    }
}
