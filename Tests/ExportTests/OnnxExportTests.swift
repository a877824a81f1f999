import Engine
@testable import Export
import Foundation
import Sessions
import SwiftProtobuf
import Testing
import TextData

/// The ONNX file read back with SwiftProtobuf (no Python): graph inputs and outputs, op types,
/// opset, and initializers holding the model's weights in ONNX's layout.
@Suite struct OnnxExportTests {
    static let texts = ["a good film", "a bad film", "good good plot", "bad acting", "the plot was fine", "awful"]

    static func classifier(_ body: [LayerSpec], classes: [String] = ["neg", "pos"], keras: Bool = true) throws -> TextClassifier {
        var tokenizer: TextTokenizer = keras ? .keras(try KerasTokenizer(numWords: 50)) : .script(ScriptTokenizer(numWords: 50))
        tokenizer.fit(on: texts)
        let labels = try LabelEncoder(labels: classes)
        let head: LayerSpec = classes.count == 2 ? .dense(units: 1, activation: .sigmoid) : .dense(units: classes.count, activation: .softmax)
        let spec = ModelSpec(inputLength: 6, vocabularySize: tokenizer.embeddingInputDim, layers: body + [head])
        return try TextClassifier(config: ClassifierConfig(tokenizer: tokenizer, labels: labels, maxLength: 6, model: spec), seed: 7)
    }

    static func roundTrip(_ c: TextClassifier) throws -> Onnx_ModelProto {
        let bytes = try OnnxExport.model(c).serializedData()
        return try Onnx_ModelProto(serializedBytes: bytes)
    }

    static func floats(_ t: Onnx_TensorProto) -> [Float] {
        #expect(t.dataType == Int32(Onnx_TensorProto.DataType.float.rawValue))
        return t.rawData.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    static func initializer(_ m: Onnx_ModelProto, _ name: String) throws -> Onnx_TensorProto {
        try #require(m.graph.initializer.first { $0.name == name }, "no initializer \(name)")
    }

    @Test func lstmGraphHasTheInputsOutputsOpsAndWeights() throws {
        let c = try Self.classifier([.embedding(dim: 4), .dropout(rate: 0.5), .lstm(units: 3)])
        let m = try Self.roundTrip(c)
        #expect(m.opsetImport.map(\.version) == [17])
        #expect(m.opsetImport.map(\.domain) == [""])
        #expect(m.graph.input.map(\.name) == ["token_ids"])
        #expect(m.graph.output.map(\.name) == ["probabilities"])
        let input = m.graph.input[0].type.tensorType
        #expect(input.elemType == Int32(Onnx_TensorProto.DataType.int64.rawValue))
        #expect(input.shape.dim.map(\.dimParam) == ["batch", ""])
        #expect(input.shape.dim[1].dimValue == 6)
        #expect(m.graph.output[0].type.tensorType.shape.dim[1].dimValue == 2)
        #expect(m.graph.node.map(\.opType) == ["Gather", "Transpose", "LSTM", "Squeeze", "MatMul", "Add", "Sigmoid", "Sub", "Concat", "Identity"])
        #expect(m.graph.node.last?.output == ["probabilities"])

        let embedding = c.model.layers[0].parameters[0].value
        let table = try Self.initializer(m, "embedding.embeddings")
        #expect(table.dims == embedding.shape.map(Int64.init))
        #expect(Self.floats(table) == embedding.scalars)

        // Keras kernel [in, 4U] with gates i f c o → ONNX W [1, 4U, in] with gates i o f c.
        let lstm = c.model.layers[2].parameters.map(\.value)
        let (U, D) = (3, 4)
        let w = try Self.initializer(m, "lstm.W"), r = try Self.initializer(m, "lstm.R"), b = try Self.initializer(m, "lstm.B")
        #expect(w.dims == [1, 12, 4])
        #expect(r.dims == [1, 12, 3])
        #expect(b.dims == [1, 24])
        let wv = Self.floats(w), rv = Self.floats(r), bv = Self.floats(b)
        for (onnxGate, kerasGate) in [0, 3, 1, 2].enumerated() {
            for u in 0..<U {
                for i in 0..<D { #expect(wv[(onnxGate * U + u) * D + i] == lstm[0].scalars[i * 4 * U + kerasGate * U + u]) }
                for j in 0..<U { #expect(rv[(onnxGate * U + u) * U + j] == lstm[1].scalars[j * 4 * U + kerasGate * U + u]) }
                #expect(bv[onnxGate * U + u] == lstm[2].scalars[kerasGate * U + u])
                #expect(bv[4 * U + onnxGate * U + u] == 0)
            }
        }
        let dense = c.model.layers[3].parameters.map(\.value)
        #expect(Self.floats(try Self.initializer(m, "dense.kernel")) == dense[0].scalars)
        #expect(Self.floats(try Self.initializer(m, "dense.bias")) == dense[1].scalars)
    }

    @Test func gruIsLinearBeforeResetWithBothBiasRows() throws {
        let c = try Self.classifier([.embedding(dim: 4), .bidirectional(layer: .gru(units: 2, returnSequences: true), mergeMode: "sum"),
                                     .globalAveragePooling1D], classes: ["a", "b", "c"])
        let m = try Self.roundTrip(c)
        let gru = try #require(m.graph.node.first { $0.opType == "GRU" })
        #expect(gru.attribute.first { $0.name == "linear_before_reset" }?.i == 1)
        #expect(gru.attribute.first { $0.name == "direction" }.map { String(decoding: $0.s, as: UTF8.self) } == "bidirectional")
        #expect(gru.attribute.first { $0.name == "hidden_size" }?.i == 2)
        let p = c.model.layers[1].parameters.map(\.value)   // forward kernel, recurrent, bias; backward …
        let b = Self.floats(try Self.initializer(m, "bidirectional.B"))
        #expect(b.count == 2 * 12)
        #expect(Array(b[0..<12]) == p[2].scalars)            // [Wb z r h, Rb z r h] = Keras's rows
        #expect(Array(b[12..<24]) == p[5].scalars)
        #expect(m.graph.node.map(\.opType).contains("ReduceSum"))
        #expect(m.graph.node.map(\.opType).contains("Softmax"))
        #expect(!m.graph.node.map(\.opType).contains("Concat"))  // a softmax head needs no [1 − p, p]
    }

    @Test func convKernelIsFiltersChannelsWidth() throws {
        let c = try Self.classifier([.embedding(dim: 3), .conv1D(filters: 2, kernelSize: 2, padding: "same", activation: .relu),
                                     .maxPooling1D(poolSize: 2), .flatten])
        let m = try Self.roundTrip(c)
        let conv = try #require(m.graph.node.first { $0.opType == "Conv" })
        #expect(conv.attribute.first { $0.name == "pads" }?.ints == [0, 1])
        let k = c.model.layers[1].parameters[0].value.scalars   // [K=2, C=3, F=2]
        let w = try Self.initializer(m, "conv1d.kernel")
        #expect(w.dims == [2, 3, 2])
        let wv = Self.floats(w)
        for f in 0..<2 { for ch in 0..<3 { for kk in 0..<2 { #expect(wv[(f * 3 + ch) * 2 + kk] == k[(kk * 3 + ch) * 2 + f]) } } }
        #expect(m.graph.node.map(\.opType).contains("MaxPool"))
        #expect(m.graph.node.map(\.opType).contains("Flatten"))
    }

    @Test func aLayerWithoutMappingIsRefusedByName() throws {
        let attention = try Self.classifier([.embedding(dim: 4), .multiHeadAttention(heads: 1, keyDim: 2), .globalAveragePooling1D])
        #expect(throws: EngineError.self) { try OnnxExport.model(attention) }
        do { _ = try OnnxExport.model(attention) } catch {
            #expect("\(error)".contains("multi_head_attention"))
            #expect("\(error)".contains("layers[1]"))
        }
        let masked = try Self.classifier([.embedding(dim: 4, maskZero: true), .lstm(units: 2)])
        do { _ = try OnnxExport.model(masked); Issue.record("mask_zero into an LSTM was exported") } catch {
            #expect("\(error)".contains("'lstm'"))
            #expect("\(error)".contains("mask_zero"))
        }
        // A mask that stops before any layer reads it is fine.
        _ = try OnnxExport.model(try Self.classifier([.embedding(dim: 4, maskZero: true), .conv1D(filters: 2, kernelSize: 2), .lstm(units: 2)]))
    }

    @Test func folderIsWrittenWholeAndRefusesANonEmptyTarget() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let c = try Self.classifier([.embedding(dim: 4), .globalAveragePooling1D])
        let out = root.appendingPathComponent("out")
        try ExportFolder.writeONNX(c, to: out)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["README.md", "labels.json", "model.onnx", "tokenizer.json"])
        #expect(try JSONDecoder().decode([String].self, from: Data(contentsOf: out.appendingPathComponent("labels.json"))) == ["neg", "pos"])
        let readme = try String(contentsOf: out.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("token_ids") && readme.contains("probabilities") && readme.contains("tokenizer_from_json"))

        // Keras's to_json layout: the dictionaries are JSON strings inside "config".
        let tok = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("tokenizer.json"))) as? [String: Any])
        #expect(tok["class_name"] as? String == "Tokenizer")
        let config = try #require(tok["config"] as? [String: Any])
        let wordIndexJSON = try #require(config["word_index"] as? String)
        let wordIndex = try #require(try JSONSerialization.jsonObject(with: Data(wordIndexJSON.utf8)) as? [String: Int])
        for (word, id) in wordIndex { #expect(c.config.tokenizer.sequence(for: word) == [id]) }
        #expect(config["num_words"] as? Int == 50)

        // A second export into the now non-empty folder is refused and changes nothing.
        let before = try Data(contentsOf: out.appendingPathComponent("model.onnx"))
        #expect(throws: EngineError.self) { try ExportFolder.writeONNX(c, to: out) }
        #expect(try Data(contentsOf: out.appendingPathComponent("model.onnx")) == before)
        // A model that cannot be exported leaves no folder behind.
        let bad = root.appendingPathComponent("bad")
        #expect(throws: EngineError.self) {
            try ExportFolder.writeONNX(try Self.classifier([.embedding(dim: 4), .transformerEncoder(heads: 1, keyDim: 2, feedForwardDim: 4), .flatten]), to: bad)
        }
        #expect(!FileManager.default.fileExists(atPath: bad.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["out"])
    }
}
