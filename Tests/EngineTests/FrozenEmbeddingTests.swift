import Foundation
import Testing
@testable import Engine

/// A frozen Embedding (Keras's `trainable=False`): the optimiser leaves it alone, the summary
/// counts it as non-trainable, and the spec's JSON carries it (and a pretrained file) through.
@Suite struct FrozenEmbeddingTests {
    static func spec(trainable: Bool) -> ModelSpec {
        ModelSpec(inputLength: 4, vocabularySize: 12,
                  layers: [.embedding(dim: 3, trainable: trainable), .globalAveragePooling1D, .dense(units: 1, activation: .sigmoid)])
    }

    @Test func aFrozenEmbeddingKeepsItsWeightsWhileTheRestTrains() throws {
        for kind in [OptimizerSpec.adam(learningRate: 0.1), OptimizerSpec(kind: .sgd, learningRate: 0.5)] {
            let model = try Sequential(spec: Self.spec(trainable: false), seed: 3)
            let before = model.parameters.map(\.value)
            let x = Tensor(shape: [2, 4], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
            let y = Tensor(shape: [2], scalars: [1, 0])
            let opt = Optimizer(kind)
            for _ in 0..<3 { try model.trainStep(x: x, y: y, optimizer: opt) }
            #expect(model.parameters[0].value == before[0], "\(kind.kind)")
            #expect(model.parameters[1].value != before[1], "\(kind.kind)")
        }
    }

    @Test func theSummaryCountsFrozenWeightsAsNonTrainable() throws {
        let frozen = try Sequential(spec: Self.spec(trainable: false), seed: 1).summary()
        #expect(frozen.contains(" Total params: 40 (160.00 B)"), "\(frozen)")
        #expect(frozen.contains(" Trainable params: 4 (16.00 B)"), "\(frozen)")
        #expect(frozen.contains(" Non-trainable params: 36 (144.00 B)"), "\(frozen)")
        let trained = try Sequential(spec: Self.spec(trainable: true), seed: 1).summary()
        #expect(trained.contains(" Trainable params: 40 (160.00 B)") && trained.contains(" Non-trainable params: 0 (0.00 B)"))
    }

    @Test func clippingLeavesFrozenGradientsOut() throws {
        let model = try Sequential(spec: Self.spec(trainable: false), seed: 1)
        model.parameters[0].grad.fill(100)
        model.parameters[1].grad.fill(0)
        model.parameters[2].grad.fill(0)
        #expect(Optimizer.globalNorm(model.parameters) == 0)
    }

    @Test func theSpecCarriesTrainableAndPretrainedThroughJSON() throws {
        let layer = LayerSpec.embedding(dim: 50, maskZero: true, trainable: false, pretrained: "/v/glove.txt")
        let json = String(decoding: try JSONEncoder().encode(layer), as: UTF8.self)
        #expect(json.contains("\"trainable\":false") && json.contains("\"pretrained\":\"\\/v\\/glove.txt\""), "\(json)")
        #expect(try JSONDecoder().decode(LayerSpec.self, from: Data(json.utf8)) == layer)
        #expect(layer.label == "Embedding(50, mask_zero, glove.txt, frozen)")
        // A plain Embedding's JSON is as it was before these fields.
        let plain = String(decoding: try JSONEncoder().encode(LayerSpec.embedding(dim: 8)), as: UTF8.self)
        #expect(!plain.contains("trainable") && !plain.contains("pretrained"), "\(plain)")
        let decoded = try JSONDecoder().decode(LayerSpec.self, from: Data(#"{"type":"embedding","dim":8}"#.utf8))
        #expect(decoded == .embedding(dim: 8, maskZero: false, trainable: true, pretrained: nil))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(LayerSpec.self, from: Data(#"{"type":"embedding","dim":8,"pretrained":""}"#.utf8))
        }
    }
}
