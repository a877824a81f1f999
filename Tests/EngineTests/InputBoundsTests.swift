import Foundation
import Testing
@testable import Engine

/// A safetensors file from a header object and data bytes.
private func safetensors(_ header: [String: Any], data: [UInt8] = []) throws -> Data {
    let json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    var out = Data()
    var n = UInt64(json.count).littleEndian
    withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
    out.append(json)
    out.append(contentsOf: data)
    return out
}

private func entry(_ shape: [Int], _ begin: Int, _ end: Int, dtype: String = "F32") -> [String: Any] {
    ["dtype": dtype, "shape": shape, "data_offsets": [begin, end]]
}

/// The error's description, or nil when `body` does not throw.
private func message(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch { return "\(error)" }
}

/// Every size read from a weights file is checked before it is used: no trap, no allocation
/// sized from the header, an error naming the file and the tensor.
@Suite struct SafeTensorsBoundsTests {
    @Test func shapesWhoseProductOverflowsAreRefused() throws {
        // Products are taken left to right, as `Tensor.count` takes them: [3, 2^62, 0] overflows
        // on the way, [0, 2^62] does not.
        for shape in [[1 << 40, 1 << 40], [1 << 62], [1 << 61, 2], [Int.max, 2], [3, 1 << 62, 0], [0, 1 << 62]] {
            let file = try safetensors(["w": entry(shape, 0, 0)])
            let m = message { _ = try SafeTensors.decode(file, path: "w.safetensors") }
            if shape.first == 0 {
                #expect(m == nil, "an empty tensor is fine: \(m ?? "")")
            } else {
                #expect(m?.contains("w.safetensors") == true && m?.contains("'w'") == true, "\(shape): \(m ?? "no error")")
            }
        }
    }

    @Test func offsetsMustLieInsideTheDataAndMatchTheShape() throws {
        let four = [UInt8](repeating: 0, count: 8)
        let cases: [([String: Any], String)] = [
            (["w": entry([2], 0, 1 << 62)], "truncated"),
            (["w": entry([2], Int.max - 1, Int.max)], "truncated"),
            (["w": entry([2], 4, 0)], "data_offsets"),
            (["w": entry([2], -8, 0)], "data_offsets"),
            (["w": entry([1], 0, 8)], "needs 4 bytes"),
            (["w": entry([2], 0, 8), "v": entry([1], 4, 8)], "overlaps"),
            (["w": entry([1], 4, 8)], "gap"),
            (["w": entry([1], 0, 4)], "after the last"),
            (["w": entry([2], 0, 8, dtype: "F64")], "dtype"),
            (["w": ["dtype": "F32", "shape": [1.5], "data_offsets": [0, 8]]], "bad shape"),
            (["w": ["dtype": "F32", "shape": [2], "data_offsets": [0, 8, 9]]], "data_offsets"),
            (["w": ["dtype": "F32", "shape": [1e30], "data_offsets": [0, 8]]], "bad shape"),
            (["__metadata__": ["a": 1], "w": entry([2], 0, 8)], "__metadata__"),
        ]
        for (header, needle) in cases {
            let m = message { _ = try SafeTensors.decode(try safetensors(header, data: four), path: "x.safetensors") }
            #expect(m?.contains("x.safetensors") == true && m?.contains(needle) == true, "\(header): \(m ?? "no error")")
        }
        // The same checks hold for the reader that learners use.
        #expect(throws: EngineError.self) {
            _ = try SafeTensors.parseHeader(try safetensors(["w": entry([1 << 62, 4], 0, 8)], data: four), path: "x", dtypes: ["F32", "I32"])
        }
    }

    @Test func aHeaderOverTheLimitIsRefusedBeforeParsing() throws {
        var file = Data()
        var n = UInt64(Limits.maxSafeTensorsHeaderBytes + 1).littleEndian
        withUnsafeBytes(of: &n) { file.append(contentsOf: $0) }
        file.append(Data(count: Limits.maxSafeTensorsHeaderBytes + 1))
        let m = message { _ = try SafeTensors.decode(file, path: "big.safetensors") }
        #expect(m?.contains("over the limit") == true, "\(m ?? "no error")")
    }

    @Test func nonFiniteWeightsAreRefusedNamingTheTensor() throws {
        let model = try Sequential(spec: ModelSpec(inputLength: 4, vocabularySize: 10, layers: [.embedding(dim: 2), .globalAveragePooling1D,
                                                                                                 .dense(units: 1, activation: .sigmoid)]), seed: 1)
        for bad in [Float.nan, .infinity, -.infinity] {
            var tensors = model.namedParameters.map { ($0.name, $0.parameter.value) }
            tensors[1].1[flat: 0] = bad
            let data = try SafeTensors.encode(tensors)
            let before = model.parameters.map(\.value)
            let m = message { try model.loadWeights(from: data, path: "nan.safetensors") }
            #expect(m?.contains("nan.safetensors") == true && m?.contains("'dense/kernel'") == true && m?.contains("NaN or infinity") == true,
                    "\(m ?? "no error")")
            #expect(model.parameters.map(\.value) == before, "nothing loaded")
        }
    }

    @Test func writtenFilesStillReadBack() throws {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let data = try SafeTensors.encode([("a", t), ("empty", Tensor(shape: [0, 4])), ("b", Tensor(shape: [1]))], metadata: ["k": "v"])
        let (tensors, meta) = try SafeTensors.decode(data, path: "ok")
        #expect(tensors["a"] == t && tensors["empty"]?.shape == [0, 4] && tensors["b"]?.shape == [1] && meta == ["k": "v"])
    }
}

/// Sizes in a model spec are bounded (`Limits`) and checked before anything is allocated.
@Suite struct ModelSpecBoundsTests {
    @Test func hugeLayersAreRefusedBeforeAllocating() throws {
        let cases: [(ModelSpec, String)] = [
            (ModelSpec(inputLength: 10, vocabularySize: 100, layers: [.embedding(dim: 8), .lstm(units: 1 << 40), .dense(units: 1, activation: .sigmoid)]), "layers[1].units"),
            (ModelSpec(inputLength: 10, vocabularySize: 100, layers: [.embedding(dim: 1 << 62), .dense(units: 1, activation: .sigmoid)]), "layers[0].dim"),
            (ModelSpec(inputLength: 1_000_000_000_000, vocabularySize: 100, layers: [.embedding(dim: 8)]), "input_length"),
            (ModelSpec(inputLength: -5, vocabularySize: 100, layers: [.embedding(dim: 8)]), "input_length"),
            (ModelSpec(inputLength: 10, vocabularySize: 1_000_000_000_000, layers: [.embedding(dim: 8)]), "vocabulary_size"),
            (ModelSpec(inputLength: 10, vocabularySize: 100, layers: [.embedding(dim: 8), .conv1D(filters: 4, kernelSize: 3, dilation: Int.max)]), "dilation_rate"),
            (ModelSpec(inputLength: 10, vocabularySize: 100, layers: [.embedding(dim: 8), .transformerEncoder(heads: 1 << 40, keyDim: 4, feedForwardDim: 8)]), "num_heads"),
            // Each size within its limit, the whole over the parameter limit …
            (ModelSpec(inputLength: 10, vocabularySize: 10_000_000, layers: [.embedding(dim: 60_000), .globalAveragePooling1D, .dense(units: 2, activation: .softmax)]), "past the limit"),
            (ModelSpec(inputLength: 10, vocabularySize: 100, layers: [.embedding(dim: 8), .lstm(units: 20_000), .dense(units: 1, activation: .sigmoid)]), "past the limit"),
            // … or a layer's working buffers over the per-example limit.
            (ModelSpec(inputLength: 100_000, vocabularySize: 100, layers: [.embedding(dim: 64), .globalAveragePooling1D, .dense(units: 1, activation: .sigmoid)]), "per example"),
            (ModelSpec(inputLength: 4_000, vocabularySize: 100, layers: [.embedding(dim: 8), .multiHeadAttention(heads: 4, keyDim: 8), .globalAveragePooling1D,
                                                                          .dense(units: 1, activation: .sigmoid)]), "per example"),
        ]
        for (spec, needle) in cases {
            let m = message { _ = try Sequential(spec: spec, seed: 1) }
            #expect(m?.contains(needle) == true, "\(spec.layers.map(\.label)): \(m ?? "no error")")
        }
    }

    @Test func plannedParameterCountsMatchTheBuiltLayers() throws {
        let specs: [[LayerSpec]] = [
            [.embedding(dim: 6), .simpleRNN(units: 5, returnSequences: true), .lstm(units: 4, returnSequences: true), .gru(units: 3), .dense(units: 3, activation: .softmax)],
            [.embedding(dim: 6), .conv1D(filters: 5, kernelSize: 3, strides: 2, padding: "same"), .layerNormalization(), .globalMaxPooling1D, .dropout(rate: 0.1),
             .dense(units: 4, activation: .relu, useBias: false), .dense(units: 3, activation: .softmax)],
            [.embedding(dim: 8), .positionEmbedding, .multiHeadAttention(heads: 2, keyDim: 3), .transformerEncoder(heads: 2, keyDim: 4, feedForwardDim: 16),
             .globalAveragePooling1D, .dense(units: 3, activation: .softmax)],
        ]
        for layers in specs {
            let model = try Sequential(spec: ModelSpec(inputLength: 12, vocabularySize: 30, layers: layers), seed: 1)
            var shape = [12]
            for (i, layer) in model.layers.enumerated() {
                #expect(LayerFactory.parameterCount(layers[i], inputShape: shape, vocabularySize: 30) == layer.parameterCount, "\(layers[i].label)")
                shape = model.outputShapes[i]
            }
        }
    }

    @Test func decodingRefusesOutOfRangeSizesNamingTheField() throws {
        let cases: [(String, String)] = [
            (#"{"input_length": 10, "vocabulary_size": 100, "loss": "binary_crossentropy", "layers": [{"type": "embedding", "dim": 8}, {"type": "lstm", "units": 1099511627776}]}"#, "units"),
            (#"{"input_length": 1000000000000, "vocabulary_size": 100, "loss": "binary_crossentropy", "layers": [{"type": "embedding", "dim": 8}]}"#, "input_length"),
            (#"{"input_length": 10, "vocabulary_size": -3, "loss": "binary_crossentropy", "layers": [{"type": "embedding", "dim": 8}]}"#, "vocabulary_size"),
            (#"{"input_length": 10, "vocabulary_size": 100, "loss": "binary_crossentropy", "layers": [{"type": "conv1d", "filters": 4, "kernel_size": 0}]}"#, "kernel_size"),
        ]
        for (json, field) in cases {
            do {
                _ = try JSONDecoder().decode(ModelSpec.self, from: Data(json.utf8))
                Issue.record("expected an error for \(field)")
            } catch let DecodingError.dataCorrupted(ctx) {
                #expect(ctx.codingPath.last?.stringValue == field, "\(ctx.codingPath)")
                #expect(ctx.debugDescription.contains("must be"), "\(ctx.debugDescription)")
            }
        }
    }

    @Test func predictRefusesRowsOfTheWrongLength() throws {
        let model = try Sequential(spec: ModelSpec(inputLength: 8, vocabularySize: 10, layers: [.embedding(dim: 2), .globalAveragePooling1D,
                                                                                                 .dense(units: 1, activation: .sigmoid)]), seed: 1)
        // Rows of 0 or 3 token ids: reading 8 per row would run past the end of x.
        for width in [0, 3] {
            let m = message { _ = try model.predict(Tensor(shape: [5, width]), batchSize: 4) }
            #expect(m?.contains("expected input of shape (None, 8)") == true, "\(m ?? "no error")")
        }
        #expect(message { _ = try model.predict(Tensor(shape: [5, 8]), batchSize: 0) }?.contains("batch_size") == true)
    }

    @Test func aBatchOverTheActivationLimitIsRefused() throws {
        let model = try Sequential(spec: ModelSpec(inputLength: 4_000, vocabularySize: 10, layers: [.embedding(dim: 1_000), .globalAveragePooling1D,
                                                                                                     .dense(units: 1, activation: .sigmoid)]), seed: 1)
        let data = try Dataset(x: Tensor(shape: [100, 4_000]), y: Tensor(shape: [100]))
        let m = message { _ = try Trainer(model: model, optimizer: Optimizer(.adam()), train: data, config: FitConfig(epochs: 1, batchSize: 100)) }
        #expect(m?.contains("batch_size") == true && m?.contains("use at most 67") == true, "\(m ?? "no error")")
        #expect(message { _ = try Trainer(model: model, optimizer: Optimizer(.adam()), train: data, config: FitConfig(epochs: 1, batchSize: 32)) } == nil)
    }
}

@Suite struct InputFileTests {
    @Test func refusesWhatIsNotARegularFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        // A FIFO with no writer would block a plain read for ever.
        #expect(message { _ = try InputFile.contents(of: fifo) }?.contains("is a FIFO") == true)
        #expect(message { _ = try InputFile.contents(of: dir) }?.contains("is a directory") == true)
        #expect(message { _ = try InputFile.contents(of: dir.appendingPathComponent("none")) }?.contains("no such file") == true)
        let small = dir.appendingPathComponent("small")
        try Data([1, 2, 3]).write(to: small)
        #expect(try InputFile.contents(of: small) == Data([1, 2, 3]))
        #expect(message { _ = try InputFile.contents(of: small, maxBytes: 2) }?.contains("over the limit") == true)
        let model = try Sequential(spec: ModelSpec(inputLength: 4, vocabularySize: 10, layers: [.embedding(dim: 2), .globalAveragePooling1D,
                                                                                                .dense(units: 1, activation: .sigmoid)]), seed: 1)
        #expect(message { try model.loadWeights(from: fifo) }?.contains("fifo: is a FIFO") == true)
    }
}

@Suite struct FileErrorAndReportTests {
    @Test func foundationFileErrorsBecomeShortReasons() {
        let cases: [(CocoaError.Code, String)] = [(.fileWriteNoPermission, "permission denied"), (.fileWriteFileExists, "already exists"),
                                                  (.fileReadNoPermission, "permission denied"), (.fileNoSuchFile, "no such file or folder")]
        for (code, reason) in cases {
            let d = InputFile.describe(CocoaError(code, userInfo: [NSFilePathErrorKey: "/x/y"]))
            #expect(d.path == "/x/y" && d.reason == reason, "\(code): \(d)")
        }
        let unknown = NSError(domain: NSCocoaErrorDomain, code: 256,
                              userInfo: [NSFilePathErrorKey: "/dev/zero", NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EISDIR))])
        #expect(InputFile.describe(unknown) == ("/dev/zero", "is a directory"))
    }

    @Test func manyClassesListTheMostConfusedPairsInsteadOfTheMatrix() {
        let k = 200
        var truth: [Int] = [], predicted: [Int] = []
        for c in 0..<k { truth.append(c); predicted.append(c) }
        for _ in 0..<3 { truth.append(7); predicted.append(9) }
        truth.append(1); predicted.append(2)
        let report = ClassificationReport(truth: truth, predicted: predicted, classCount: k)
        let text = report.render(classNames: (0..<k).map { "c\($0)" })
        #expect(!text.contains("confusion matrix (rows") && text.contains("most confused (of 200 classes"), "\(text.suffix(300))")
        #expect(text.contains("3× c7 predicted as c9\n  1× c1 predicted as c2"))
        // A line per class, not k² cells.
        #expect(text.split(separator: "\n").count < k + 20)
        #expect(report.confusion[7][9] == 3, "the matrix is still there for --json")
        let small = ClassificationReport(truth: [0, 1], predicted: [0, 0], classCount: 2).render(classNames: ["a", "b"])
        #expect(small.contains("confusion matrix (rows"))
    }
}
