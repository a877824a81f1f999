import Foundation
import Testing
@testable import Engine

private func tinyData(n: Int, length: Int, vocab: Int, classes: Int = 2, seed: UInt64 = 3) throws -> Dataset {
    var rng = SeededGenerator(seed: seed)
    var x = Tensor(shape: [n, length]), y = Tensor(shape: [n])
    for i in 0..<n {
        let label = Int(rng.next() % UInt64(classes))
        y[flat: i] = Float(label)
        // Learnable signal: the class decides which half of the vocabulary most tokens come from.
        for t in 0..<length {
            let half = (vocab - 1) / classes
            let base = 1 + label * half
            x[flat: i * length + t] = Float(rng.nextUniform() < 0.8 ? base + Int(rng.next() % UInt64(half)) : 1 + Int(rng.next() % UInt64(vocab - 1)))
        }
    }
    return try Dataset(x: x, y: y)
}

@Suite struct ModelBuildingTests {
    @Test func summaryListsLayersShapesAndCounts() throws {
        let spec = ModelSpec(inputLength: 100, vocabularySize: 5000,
                             layers: [.embedding(dim: 64), .lstm(units: 64), .dense(units: 1, activation: .sigmoid)])
        let model = try Sequential(spec: spec, seed: 1)
        // Keras: 320,000 + 33,024 + 65.
        #expect(model.parameterCount == 353_089)
        let s = model.summary()
        #expect(s.contains("embedding (Embedding)"))
        #expect(s.contains("(None, 100, 64)"))
        #expect(s.contains("lstm (LSTM)"))
        #expect(s.contains("33,024"))
        #expect(s.contains("Total params: 353,089"))
        #expect(model.outputShapes == [[100, 64], [64], [1]])
        #expect(model.spec.loss == .binaryCrossentropy)
    }

    @Test func layerNamesFollowKeras() throws {
        let spec = ModelSpec(inputLength: 8, vocabularySize: 20,
                             layers: [.embedding(dim: 4), .lstm(units: 3, returnSequences: true), .lstm(units: 3),
                                      .dense(units: 4, activation: .relu), .dense(units: 3, activation: .softmax)])
        let model = try Sequential(spec: spec, seed: 1)
        #expect(model.layers.map(\.name) == ["embedding", "lstm", "lstm_1", "dense", "dense_1"])
        #expect(model.spec.loss == .sparseCategoricalCrossentropy)
    }

    @Test func layerThatCannotFollowIsRefusedWithShapes() throws {
        // An LSTM after a layer that drops the time axis.
        let spec = ModelSpec(inputLength: 10, vocabularySize: 50,
                             layers: [.embedding(dim: 8), .lstm(units: 4), .lstm(units: 4), .dense(units: 1, activation: .sigmoid)])
        do {
            _ = try Sequential(spec: spec, seed: 1)
            Issue.record("expected an error")
        } catch let e as EngineError {
            guard case let .incompatibleLayer(layer, shape, reason) = e else { Issue.record("wrong error \(e)"); return }
            #expect(layer == "lstm_1")
            #expect(shape == [4])
            #expect(reason.contains("sequence"))
            #expect(e.description.contains("(None, 4)"))
        }
        // Embedding not first.
        #expect(throws: EngineError.self) {
            try Sequential(spec: ModelSpec(inputLength: 10, vocabularySize: 50,
                                           layers: [.embedding(dim: 8), .embedding(dim: 8), .dense(units: 1, activation: .sigmoid)]), seed: 1)
        }
        // A head that does not fit the loss.
        #expect(throws: EngineError.self) {
            try Sequential(spec: ModelSpec(inputLength: 10, vocabularySize: 50,
                                           layers: [.embedding(dim: 8), .lstm(units: 4), .dense(units: 3)], loss: .binaryCrossentropy), seed: 1)
        }
        // Conv1D whose kernel is longer than the sequence.
        #expect(throws: EngineError.self) {
            try Sequential(spec: ModelSpec(inputLength: 3, vocabularySize: 50,
                                           layers: [.embedding(dim: 8), .conv1D(filters: 4, kernelSize: 5), .globalMaxPooling1D,
                                                    .dense(units: 1, activation: .sigmoid)]), seed: 1)
        }
        // Out-of-range values are named by field.
        do {
            _ = try Sequential(spec: ModelSpec(inputLength: 10, vocabularySize: 50,
                                               layers: [.embedding(dim: 8), .dropout(rate: 1.5), .lstm(units: 4), .dense(units: 1, activation: .sigmoid)]), seed: 1)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("layers[1].rate"))
        }
    }

    @Test func mismatchedBatchShapesAreErrorsNotCrashes() throws {
        let model = try Sequential(spec: ModelSpec(inputLength: 6, vocabularySize: 30,
                                                   layers: [.embedding(dim: 4), .gru(units: 3), .dense(units: 1, activation: .sigmoid)]), seed: 1)
        #expect(throws: EngineError.self) { try model.forward(Tensor(shape: [2, 7]), training: false) }
        #expect(throws: EngineError.self) { try model.forward(Tensor(shape: [2, 6, 1]), training: false) }
        // A token id outside the vocabulary.
        var x = Tensor(shape: [1, 6]); x[flat: 2] = 30
        #expect(throws: EngineError.self) { try model.forward(x, training: false) }
        // Labels that do not match the batch.
        #expect(throws: EngineError.self) { try model.computeGradients(x: Tensor(shape: [2, 6]), y: Tensor(shape: [3])) }
    }

    @Test func nanInABatchNamesTheLayerAndShape() throws {
        let model = try Sequential(spec: ModelSpec(inputLength: 4, vocabularySize: 10,
                                                   layers: [.embedding(dim: 3), .lstm(units: 2), .dense(units: 1, activation: .sigmoid)]), seed: 1)
        var x = Tensor(shape: [2, 4]); x[flat: 3] = .nan
        do {
            try model.computeGradients(x: x, y: Tensor(shape: [2]))
            Issue.record("expected an error")
        } catch let e as EngineError {
            #expect(e.description.contains("embedding"))
            #expect(e.description.contains("[2, 4]"))
        }
        // NaN weights: the loss turns NaN and the error names the first layer producing it.
        let x2 = Tensor(shape: [2, 4], repeating: 1)
        model.layers[1].parameters[0].value[flat: 0] = .nan
        do {
            try model.computeGradients(x: x2, y: Tensor(shape: [2]))
            Issue.record("expected an error")
        } catch let e as EngineError {
            #expect(e.description.contains("lstm"), "\(e)")
        }
    }

    @Test func unknownActivationInASpecFileIsNamed() throws {
        let json = #"{"input_length": 10, "vocabulary_size": 100, "loss": "binary_crossentropy", "layers": [{"type": "embedding", "dim": 8}, {"type": "dense", "units": 1, "activation": "swish"}]}"#
        do {
            _ = try JSONDecoder().decode(ModelSpec.self, from: Data(json.utf8))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("swish"))
        }
        #expect(throws: EngineError.self) { try Activation.named("gelu", layer: "dense") }
    }

    @Test func specRoundTripsThroughJSON() throws {
        let spec = ModelSpec(inputLength: 50, vocabularySize: 300, layers: [
            .embedding(dim: 16, maskZero: true), .conv1D(filters: 8, kernelSize: 3, strides: 1, padding: "same", dilation: 2, activation: .relu),
            .layerNormalization(epsilon: 1e-5), .multiHeadAttention(heads: 2, keyDim: 4), .dropout(rate: 0.25),
            .simpleRNN(units: 4, returnSequences: true), .gru(units: 4, returnSequences: true), .lstm(units: 4),
            .dense(units: 5, activation: .softmax, useBias: false)])
        let data = try JSONEncoder().encode(spec)
        #expect(try JSONDecoder().decode(ModelSpec.self, from: data) == spec)
        _ = try Sequential(spec: spec, seed: 2)
    }
}

@Suite struct TrainingTests {
    @Test func sameSeedSameWeightsAndHistory() throws {
        let data = try tinyData(n: 40, length: 7, vocab: 20)
        func run() throws -> ([Float], [EpochSummary]) {
            let model = try Sequential(spec: ModelSpec(inputLength: 7, vocabularySize: 20,
                                                       layers: [.embedding(dim: 4), .dropout(rate: 0.2), .lstm(units: 3), .dense(units: 1, activation: .sigmoid)]), seed: 9)
            let trainer = try Trainer(model: model, optimizer: Optimizer(.adam(learningRate: 0.01)), train: data,
                                      validation: data, config: FitConfig(epochs: 2, batchSize: 8, seed: 4))
            let h = try trainer.fit()
            return (model.parameters.flatMap { $0.value.scalars }, h.map { var e = $0; e.seconds = 0; e.samplesPerSecond = 0; return e })
        }
        let (w1, h1) = try run()
        let (w2, h2) = try run()
        #expect(w1 == w2)
        #expect(h1 == h2)
        #expect(h1.count == 2)
    }

    @Test func multiClassModelLearns() throws {
        let data = try tinyData(n: 120, length: 10, vocab: 31, classes: 3)
        let model = try Sequential(spec: ModelSpec(inputLength: 10, vocabularySize: 31,
                                                   layers: [.embedding(dim: 8), .globalAveragePooling1D, .dense(units: 3, activation: .softmax)]), seed: 1)
        let trainer = try Trainer(model: model, optimizer: Optimizer(.adam(learningRate: 0.05)), train: data,
                                  config: FitConfig(epochs: 15, batchSize: 16, seed: 2))
        let h = try trainer.fit()
        #expect(h.last!.loss < h.first!.loss * 0.5)
        let (_, acc) = try model.evaluate(data)
        #expect(acc > 0.9)
        let p = try model.predict(data.x)
        #expect(p.shape == [120, 3])
        for r in 0..<120 { #expect(abs((0..<3).reduce(Float(0)) { $0 + p[flat: r * 3 + $1] } - 1) < 1e-5) }
    }

    @Test func eventsAndStopping() throws {
        let data = try tinyData(n: 20, length: 5, vocab: 10)
        let model = try Sequential(spec: ModelSpec(inputLength: 5, vocabularySize: 10,
                                                   layers: [.embedding(dim: 2), .simpleRNN(units: 2), .dense(units: 1, activation: .sigmoid)]), seed: 1)
        let trainer = try Trainer(model: model, optimizer: Optimizer(.sgd(learningRate: 0.1)), train: data,
                                  config: FitConfig(epochs: 3, batchSize: 8, seed: 2))
        var batches = 0, epochs = 0
        try trainer.fit { e in
            switch e {
            case let .batchEnd(b): batches += 1; #expect(b.batchesPerEpoch == 3); #expect(b.loss.isFinite)
            case .epochEnd: epochs += 1
            }
            return batches < 4
        }
        #expect(batches == 4)
        #expect(epochs == 1)
        #expect(trainer.epochsCompleted == 1 && trainer.batchInEpoch == 1 && trainer.step == 4)
    }
}

@Suite struct WeightsFileTests {
    @Test func roundTripIsExact() throws {
        let spec = ModelSpec(inputLength: 6, vocabularySize: 40,
                             layers: [.embedding(dim: 5), .conv1D(filters: 3, kernelSize: 2), .gru(units: 4), .dense(units: 3, activation: .softmax)])
        let a = try Sequential(spec: spec, seed: 1), b = try Sequential(spec: spec, seed: 2)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("weights.safetensors")
        try a.saveWeights(to: url, metadata: ["format": "workbench"])
        #expect(a.parameters.map { $0.value } != b.parameters.map { $0.value })
        try b.loadWeights(from: url)
        #expect(a.parameters.map { $0.value } == b.parameters.map { $0.value })
        // Header layout: 8-byte little-endian length, JSON, data 8-byte aligned.
        let data = try Data(contentsOf: url)
        let n = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        #expect((8 + n) % 8 == 0)
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as! [String: Any]
        #expect((header["gru/recurrent_kernel"] as? [String: Any])?["dtype"] as? String == "F32")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["weights.safetensors"], "no temporary files left")
    }

    @Test func badFilesAreNamedAndLeaveTheModelUntouched() throws {
        let spec = ModelSpec(inputLength: 4, vocabularySize: 10, layers: [.embedding(dim: 2), .lstm(units: 2), .dense(units: 1, activation: .sigmoid)])
        let model = try Sequential(spec: spec, seed: 1)
        let before = model.parameters.map { $0.value }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.safetensors")
        try model.saveWeights(to: good)
        let bytes = try Data(contentsOf: good)

        let truncated = dir.appendingPathComponent("truncated.safetensors")
        try bytes.prefix(bytes.count - 10).write(to: truncated)
        let other = try Sequential(spec: ModelSpec(inputLength: 4, vocabularySize: 10,
                                                   layers: [.embedding(dim: 2), .lstm(units: 3), .dense(units: 1, activation: .sigmoid)]), seed: 1)
        for (url, needle) in [(truncated, "truncated"), (dir.appendingPathComponent("missing.safetensors"), "cannot read")] {
            do { try model.loadWeights(from: url); Issue.record("expected an error for \(url.lastPathComponent)") }
            catch { #expect("\(error)".contains(url.lastPathComponent)); #expect("\(error)".contains(needle), "\(error)") }
        }
        // Wrong shapes: a model with another LSTM size.
        do { try other.loadWeights(from: good); Issue.record("expected a shape error") }
        catch { #expect("\(error)".contains("lstm/kernel")); #expect("\(error)".contains("shape")) }
        #expect(model.parameters.map { $0.value } == before)
        let garbage = dir.appendingPathComponent("garbage.safetensors")
        try Data([1, 2, 3]).write(to: garbage)
        #expect(throws: EngineError.self) { try model.loadWeights(from: garbage) }
    }
}
