import Foundation
import Testing
@testable import Engine

@Suite struct TransformerTests {
    @Test func encoderBlockGradients() throws {
        var rng = SeededGenerator(seed: 21)
        let block = TransformerEncoderLayer(name: "transformer_encoder", modelDim: 6, heads: 2, keyDim: 3, feedForwardDim: 5, rng: &rng)
        #expect(try block.outputShape(for: [4, 6]) == [4, 6])
        // Non-zero biases and LayerNorm parameters so every path carries gradient.
        for p in block.parameters where p.name.hasSuffix("bias") || p.name.hasSuffix("gamma") || p.name.hasSuffix("beta") {
            p.value.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] += rng.uniform(-0.3, 0.3) } }
        }
        try GradientCheck.check(block, input: GradientCheck.randomTensor([2, 4, 6], &rng), eps: 5e-3, rtol: 5e-2, atol: 5e-3)
    }

    @Test func encoderBlockWeightNamesAreUnique() throws {
        var rng = SeededGenerator(seed: 1)
        let block = TransformerEncoderLayer(name: "t", modelDim: 8, heads: 2, keyDim: 4, feedForwardDim: 16, rng: &rng)
        let names = block.parameters.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.contains("attention/query/kernel") && names.contains("ffn_2/bias") && names.contains("norm_2/beta"))
    }

    @Test func positionEmbeddingGradients() throws {
        var rng = SeededGenerator(seed: 22)
        let layer = PositionEmbeddingLayer(name: "position_embedding", sequenceLength: 5, dim: 3, rng: &rng)
        try GradientCheck.check(layer, input: GradientCheck.randomTensor([3, 5, 3], &rng))
        #expect(throws: EngineError.self) { try layer.outputShape(for: [6, 3]) }
    }

    @Test func attentionModelTrainsAndSavesUniqueNames() throws {
        let spec = ModelSpec(inputLength: 8, vocabularySize: 20, layers: [
            .embedding(dim: 8), .positionEmbedding, .transformerEncoder(heads: 2, keyDim: 4, feedForwardDim: 8),
            .globalAveragePooling1D, .dense(units: 1, activation: .sigmoid)])
        let model = try Sequential(spec: spec, seed: 3)
        let names = model.namedParameters.map(\.name)
        #expect(Set(names).count == names.count)
        var x = Tensor(shape: [4, 8]); for i in 0..<32 { x[flat: i] = Float(1 + i % 19) }
        let y = Tensor(shape: [4], scalars: [0, 1, 0, 1])
        let opt = Optimizer(.adam(learningRate: 0.01))
        let first = try model.trainStep(x: x, y: y, optimizer: opt).loss
        var last = first
        for _ in 0..<20 { last = try model.trainStep(x: x, y: y, optimizer: opt).loss }
        #expect(last < first)
        let data = try JSONEncoder().encode(spec)
        #expect(try JSONDecoder().decode(ModelSpec.self, from: data) == spec)
    }
}
