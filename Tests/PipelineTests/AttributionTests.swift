import Engine
import Foundation
import Sessions
import Testing
import TextData

@Suite struct AttributionTests {
    /// A model trained on texts where "good"/"great" mean pos and "bad"/"awful" mean neg: the
    /// decisive word gets the largest attribution; an unknown word gets none.
    @Test func occlusionFindsTheDecisiveToken() throws {
        var rng = SeededGenerator(seed: 5)
        let fillers = ["the", "movie", "was", "plot", "actors", "it", "really", "quite", "a", "film"]
        var examples: [LabelledText] = []
        for i in 0..<200 {
            let pos = i % 2 == 0
            var words = (0..<5).map { _ in fillers[Int(rng.next() % UInt64(fillers.count))] }
            words.insert(pos ? (i % 4 == 0 ? "good" : "great") : (i % 4 == 1 ? "bad" : "awful"), at: Int(rng.next() % 5))
            examples.append(LabelledText(label: pos ? "pos" : "neg", text: words.joined(separator: " ")))
        }
        var tokenizer = TextTokenizer.script(ScriptTokenizer(numWords: 100))
        tokenizer.fit(on: examples.map(\.text))
        let labels = try LabelEncoder(labels: examples.map(\.label))
        let spec = ModelSpec(inputLength: 8, vocabularySize: tokenizer.embeddingInputDim,
                             layers: ModelPreset.cnn.layers(classes: 2).enumerated().map { i, l in
                                 if i == 1 { return .conv1D(filters: 8, kernelSize: 2, activation: .relu) }
                                 return i == 0 ? .embedding(dim: 8) : l
                             })
        let classifier = try TextClassifier(config: ClassifierConfig(tokenizer: tokenizer, labels: labels, maxLength: 8, model: spec), seed: 1)
        let trainer = try Trainer(model: classifier.model, optimizer: Optimizer(.adam(learningRate: 0.01)),
                                  train: try classifier.dataset(examples), config: FitConfig(epochs: 15, batchSize: 16, seed: 2))
        try trainer.fit()
        let e = try classifier.explain("the plot was great zzzunknown")
        #expect(classifier.classNames[e.predicted] == "pos")
        #expect(abs(e.probabilities.reduce(0, +) - 1) < 1e-5)
        #expect(e.tokens.map(\.text) == ["the", "plot", "was", "great", "zzzunknown"])
        let best = e.tokens.indices.max { e.tokens[$0].score < e.tokens[$1].score }!
        #expect(e.tokens[best].text == "great")
        #expect(e.tokens[best].score > 0.1)
        #expect(e.tokens[4].known == false && e.tokens[4].score == 0)
        // Same probabilities as plain classification.
        let p = try classifier.probabilities(["the plot was great zzzunknown"])[0]
        for (a, b) in zip(p, e.probabilities) { #expect(abs(a - b) < 1e-6) }
    }
}
