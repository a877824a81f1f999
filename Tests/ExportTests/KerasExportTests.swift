import CHDF5
import Engine
@testable import Export
import Foundation
import Sessions
import Testing
import TextData

/// The `.keras` archive read back without Python: the zip's entries, the Sequential config, and
/// the weights file through libhdf5 at the paths Keras's H5IOStore reads. (Keras itself loads
/// it in Benchmarks/onnx/verify.py.)
@Suite struct KerasExportTests {
    static func classifier(_ body: [LayerSpec], classes: [String] = ["neg", "pos"]) throws -> TextClassifier {
        try OnnxExportTests.classifier(body, classes: classes)
    }

    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("keras-export-\(UUID().uuidString)")
    }

    /// The stored entries of a zip written by `ZipWriter` (local headers in order).
    static func unzip(_ data: Data) throws -> [String: Data] {
        var entries: [String: Data] = [:]
        var at = 0
        func u16(_ o: Int) -> Int { Int(data[at + o]) | Int(data[at + o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        while at + 30 <= data.count, u32(0) == 0x0403_4b50 {
            #expect(u16(8) == 0)   // stored
            let size = u32(18), nameLength = u16(26), extra = u16(28)
            let name = String(decoding: data[(at + 30)..<(at + 30 + nameLength)], as: UTF8.self)
            let start = at + 30 + nameLength + extra
            let body = Data(data[start..<(start + size)])
            #expect(UInt32(u32(14)) == ZipWriter.crc32(body))
            entries[name] = body
            at = start + size
        }
        return entries
    }

    /// A float dataset of an HDF5 file: shape and values.
    static func dataset(_ file: URL, _ path: String) throws -> (shape: [Int], values: [Float]) {
        let f = H5Fopen(file.path, wb_h5_acc_rdonly(), wb_h5_default())
        try #require(f >= 0, "cannot open \(file.path)")
        defer { H5Fclose(f) }
        let d = H5Dopen2(f, path, wb_h5_default())
        try #require(d >= 0, "no dataset \(path)")
        defer { H5Dclose(d) }
        let space = H5Dget_space(d)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space, &dims, nil)
        var values = [Float](repeating: .nan, count: dims.reduce(1) { $0 * Int($1) })
        #expect(H5Dread(d, wb_h5_native_float(), hid_t(0), hid_t(0), wb_h5_default(), &values) >= 0)
        return (dims.map { Int($0) }, values)
    }

    static func layerConfigs(_ config: [String: Any]) throws -> [[String: Any]] {
        let inner = try #require(config["config"] as? [String: Any])
        return try #require(inner["layers"] as? [[String: Any]])
    }

    @Test func crc32IsZipsChecksum() {
        #expect(ZipWriter.crc32(Data("123456789".utf8)) == 0xCBF4_3926)
        #expect(ZipWriter.crc32(Data()) == 0)
    }

    @Test func archiveHoldsConfigMetadataAndWeightsAtKerasPaths() throws {
        let c = try Self.classifier([.embedding(dim: 4, maskZero: true), .dropout(rate: 0.5),
                                     .bidirectional(layer: .gru(units: 3, returnSequences: true), mergeMode: "sum"),
                                     .lstm(units: 2)])
        let scratch = Self.temporaryFolder()
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let entries = try Self.unzip(try KerasExport.archive(c, scratch: scratch))
        #expect(Set(entries.keys) == ["config.json", "metadata.json", "model.weights.h5"])
        // The HDF5 scratch file is gone once the archive is built.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)

        let configData = try #require(entries["config.json"])
        let config = try #require(try JSONSerialization.jsonObject(with: configData) as? [String: Any])
        #expect(config["class_name"] as? String == "Sequential")
        let layers = try Self.layerConfigs(config)
        #expect(layers.map { $0["class_name"] as? String } == ["InputLayer", "Embedding", "Dropout", "Bidirectional", "LSTM", "Dense"])
        let input = try #require(layers[0]["config"] as? [String: Any])
        #expect((input["batch_shape"] as? [Any])?.last as? Int == 6)
        let embedding = try #require(layers[1]["config"] as? [String: Any])
        #expect(embedding["mask_zero"] as? Bool == true)
        #expect(embedding["input_dim"] as? Int == c.model.layers[0].parameters[0].value.shape[0])
        let bidirectional = try #require(layers[3]["config"] as? [String: Any])
        #expect(bidirectional["merge_mode"] as? String == "sum")
        let gru = try #require((bidirectional["layer"] as? [String: Any])?["config"] as? [String: Any])
        #expect(gru["reset_after"] as? Bool == true)
        #expect(gru["return_sequences"] as? Bool == true)
        let dense = try #require(layers[5]["config"] as? [String: Any])
        #expect(dense["activation"] as? String == "sigmoid")

        let h5 = scratch.appendingPathComponent("w.h5")
        try #require(entries["model.weights.h5"]).write(to: h5)
        let p = c.model.layers.map { $0.parameters.map(\.value) }
        let expected: [(String, Tensor)] = [
            ("layers/embedding/vars/0", p[0][0]),
            ("layers/bidirectional/forward_layer/cell/vars/0", p[2][0]),
            ("layers/bidirectional/forward_layer/cell/vars/2", p[2][2]),
            ("layers/bidirectional/backward_layer/cell/vars/1", p[2][4]),
            ("layers/lstm/cell/vars/0", p[3][0]),
            ("layers/lstm/cell/vars/1", p[3][1]),
            ("layers/lstm/cell/vars/2", p[3][2]),
            ("layers/dense/vars/0", p[4][0]),
            ("layers/dense/vars/1", p[4][1]),
        ]
        for (path, tensor) in expected {
            let d = try Self.dataset(h5, path)
            #expect(d.shape == tensor.shape, "\(path)")
            #expect(d.values == tensor.scalars, "\(path)")
        }
    }

    @Test func convPoolingAndNormalizationConfigs() throws {
        let c = try Self.classifier([.embedding(dim: 3), .conv1D(filters: 2, kernelSize: 2, padding: "causal", dilation: 2, activation: .relu),
                                     .maxPooling1D(poolSize: 2, padding: "same"), .spatialDropout1D(rate: 0.1), .layerNormalization(epsilon: 1e-3),
                                     .averagePooling1D(poolSize: 2, strides: 1), .flatten], classes: ["a", "b", "c"])
        let (config, weights) = try KerasExport.model(c)
        let layers = try Self.layerConfigs(config)
        #expect(layers.map { $0["class_name"] as? String } == ["InputLayer", "Embedding", "Conv1D", "MaxPooling1D", "SpatialDropout1D",
                                                                 "LayerNormalization", "AveragePooling1D", "Flatten", "Dense"])
        let conv = try #require(layers[2]["config"] as? [String: Any])
        #expect(conv["padding"] as? String == "causal")
        #expect(conv["dilation_rate"] as? [Int] == [2])
        let pool = try #require(layers[6]["config"] as? [String: Any])
        #expect(pool["strides"] as? Int == 1)
        #expect(weights.map(\.path) == ["layers/embedding/vars/0", "layers/conv1d/vars/0", "layers/conv1d/vars/1",
                                        "layers/layer_normalization/vars/0", "layers/layer_normalization/vars/1",
                                        "layers/dense/vars/0", "layers/dense/vars/1"])
        #expect(weights[1].shape == [2, 3, 2])   // Keras's [kernel, in, filters], unchanged
    }

    @Test func layersWithoutAStockKerasCounterpartAreRefusedByNameAndReason() throws {
        let cases: [([LayerSpec], String)] = [
            ([.embedding(dim: 4), .positionEmbedding, .globalAveragePooling1D], "position_embedding"),
            ([.embedding(dim: 4), .multiHeadAttention(heads: 1, keyDim: 2), .globalAveragePooling1D], "multi_head_attention"),
            ([.embedding(dim: 4), .transformerEncoder(heads: 1, keyDim: 2, feedForwardDim: 4), .flatten], "transformer_encoder"),
        ]
        for (body, name) in cases {
            let c = try Self.classifier(body)
            do { _ = try KerasExport.model(c); Issue.record("\(name) was exported") } catch let EngineError.invalidSpec(field, reason) {
                #expect(field == "layers[1]")
                #expect(reason.contains("'\(name)'"))
                #expect(reason.contains("Keras"))
            }
        }
    }

    @Test func kerasFolderIsWholeOrNothing() throws {
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("out")
        let c = try Self.classifier([.embedding(dim: 4), .lstm(units: 2)])
        try ExportFolder.writeKeras(c, to: out)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["README.md", "labels.json", "model.keras", "tokenizer.json"])
        let readme = try String(contentsOf: out.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("keras.saving.load_model") && readme.contains("tokenizer_from_json"))

        // Into the now non-empty folder: refused, nothing changed.
        let before = try Data(contentsOf: out.appendingPathComponent("model.keras"))
        #expect(throws: EngineError.self) { try ExportFolder.writeKeras(c, to: out) }
        #expect(try Data(contentsOf: out.appendingPathComponent("model.keras")) == before)
        // A layer Keras cannot express: no folder, no temporary folder left.
        let bad = root.appendingPathComponent("bad")
        #expect(throws: EngineError.self) {
            try ExportFolder.writeKeras(try Self.classifier([.embedding(dim: 4), .positionEmbedding, .flatten]), to: bad)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["out"])
    }

    @Test func safetensorsFolderIsAModelFolderWithLabelsTokenizerAndReadme() throws {
        let root = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let c = try Self.classifier([.embedding(dim: 4), .gru(units: 2)], classes: ["a", "b", "c"])
        let model = root.appendingPathComponent("model")
        try ModelDirectory.save(c, to: model)
        let out = root.appendingPathComponent("out")
        try ExportFolder.writeSafetensors(modelFolder: model, classifier: c, classNames: c.classNames, to: out)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
                == ["README.md", "classifier.json", "labels.json", "tokenizer.json", "weights.safetensors"])
        #expect(try Data(contentsOf: out.appendingPathComponent("weights.safetensors")) == Data(contentsOf: model.appendingPathComponent("weights.safetensors")))
        #expect(try JSONDecoder().decode([String].self, from: Data(contentsOf: out.appendingPathComponent("labels.json"))) == ["a", "b", "c"])
        // Still a model folder: the same probabilities.
        let texts = OnnxExportTests.texts
        #expect(try ModelDirectory.load(from: out).probabilities(texts) == c.probabilities(texts))
        #expect(throws: EngineError.self) {
            try ExportFolder.writeSafetensors(modelFolder: model, classifier: c, classNames: c.classNames, to: out)
        }
        // A folder without the model's files: refused naming the file, nothing written.
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        do {
            try ExportFolder.writeSafetensors(modelFolder: empty, classifier: c, classNames: c.classNames, to: root.appendingPathComponent("none"))
            Issue.record("exported a folder without weights")
        } catch let EngineError.file(path, _) {
            #expect(path.hasSuffix("weights.safetensors"))
        }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("none").path))
    }
}
